import datetime

import pytest
from django.core import mail
from django.utils import timezone

from frenchbot.leads.models import ConsentRecord, Lead, LeadEvent, Source
from frenchbot.leads.services import email_is_disposable
from frenchbot.newsletter.errors import NewsletterError
from frenchbot.newsletter.models import Issue, Subscriber, SubscriptionChange
from frenchbot.newsletter.services.subscriptions import (
    subscriber_unsubscribe,
    subscription_confirm,
    subscription_request,
    subscription_request_verified,
    subscription_update,
)

CONSENT = "J'accepte de recevoir la lettre de The French Bot sur les listes choisies."

pytestmark = pytest.mark.django_db


@pytest.fixture
def signup(committed):
    """A sign-up from the page /lettre/, its e-mail sent as after a real commit."""

    def request(email="Camille@Exemple.fr", list_slugs=None, consent=True, **kwargs):
        return committed(
            subscription_request,
            email=email,
            list_slugs=list_slugs,
            consent=consent,
            consent_text=CONSENT,
            origin="page",
            **kwargs,
        )

    return request


def test_sign_up_records_a_pending_subscriber_with_the_consent_and_one_email(signup, lists):
    subscriber = signup(list_slugs=["tutoriels", "evenements"])
    subscriber.refresh_from_db()
    assert subscriber.email == "camille@exemple.fr"
    assert subscriber.status == Subscriber.Status.PENDING
    assert subscriber.consent_text == CONSENT
    assert subscriber.consent_at is not None
    assert {m.slug for m in subscriber.lists.all()} == {"tutoriels", "evenements"}
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["camille@exemple.fr"]
    # Nothing reaches the leads before the confirmation.
    assert not Lead.objects.filter(email="camille@exemple.fr").exists()


def test_default_lists_when_none_chosen(signup, lists):
    subscriber = signup(list_slugs=None)
    assert {m.slug for m in subscriber.lists.all()} == {"actualites", "tutoriels"}


@pytest.mark.parametrize(
    ("email", "field", "code"),
    [
        ("", "email", "required"),
        ("pas-une-adresse", "email", "invalid"),
        ("camille@yopmail.com", "email", "disposable"),
        ("camille@inbox.mailinator.com", "email", "disposable"),
    ],
)
def test_invalid_and_disposable_addresses_are_refused_in_french(signup, lists, email, field, code):
    with pytest.raises(NewsletterError) as caught:
        signup(email=email)
    assert caught.value.field == field
    assert caught.value.code == code
    assert caught.value.message
    assert not Subscriber.objects.exists()
    assert not mail.outbox


def test_disposable_check_reads_the_packaged_list():
    assert email_is_disposable("x@yopmail.com")
    assert not email_is_disposable("x@orange.fr")


def test_consent_is_required(signup, lists):
    with pytest.raises(NewsletterError) as caught:
        signup(consent=False)
    assert caught.value.field == "consent"
    assert not Subscriber.objects.exists()


def test_only_public_lists_can_be_chosen(signup, lists):
    with pytest.raises(NewsletterError) as caught:
        signup(list_slugs=["equipe"])
    assert caught.value.field == "lists"
    with pytest.raises(NewsletterError):
        signup(list_slugs=[])
    assert not Subscriber.objects.exists()


def test_a_second_sign_up_within_the_hour_sends_nothing_new(signup, lists):
    signup(list_slugs=["tutoriels"])
    second = signup(list_slugs=["actualites"])
    assert len(mail.outbox) == 1
    # The pending request takes the latest choice; still one row for the address.
    assert Subscriber.objects.count() == 1
    assert {m.slug for m in second.lists.all()} == {"actualites"}


def test_a_sign_up_after_the_delay_sends_a_new_confirmation(signup, lists, settings):
    subscriber = signup()
    Subscriber.objects.filter(pk=subscriber.pk).update(
        confirmation_sent_at=timezone.now()
        - datetime.timedelta(seconds=settings.NEWSLETTER_CONFIRM_RESEND_SECONDS + 1)
    )
    signup()
    assert len(mail.outbox) == 2


def test_confirm_creates_the_lead_with_the_exact_consent_and_joined_rows(signup, lists):
    subscriber = signup(list_slugs=["actualites", "tutoriels"])
    subscriber = subscription_confirm(subscriber=subscriber)
    assert subscriber.status == Subscriber.Status.CONFIRMED
    assert subscriber.confirmed_at is not None
    lead = Lead.objects.get(email="camille@exemple.fr")
    assert subscriber.lead == lead
    assert lead.source == Source.NEWSLETTER
    consent = ConsentRecord.objects.get(lead=lead)
    assert consent.text == CONSENT
    assert consent.purpose == Source.NEWSLETTER
    event = LeadEvent.objects.get(lead=lead, kind=LeadEvent.Kind.NEWSLETTER)
    assert "Actualités de l'IA" in event.summary
    joined = SubscriptionChange.objects.filter(subscriber=subscriber, kind=SubscriptionChange.Kind.JOINED)
    assert {c.mailing_list.slug for c in joined} == {"actualites", "tutoriels"}
    # Twice is harmless: no second lead event, no second row.
    subscription_confirm(subscriber=subscriber)
    assert LeadEvent.objects.filter(lead=lead, kind=LeadEvent.Kind.NEWSLETTER).count() == 1
    assert joined.count() == 2


def test_a_confirmed_address_signing_up_again_gets_one_notice_and_keeps_its_lists(signup, lists, settings):
    subscriber = signup(list_slugs=["tutoriels"])
    subscription_confirm(subscriber=subscriber)
    mail.outbox.clear()
    # Past the delay of the confirmation e-mail: the notice may leave, once.
    Subscriber.objects.filter(pk=subscriber.pk).update(
        confirmation_sent_at=timezone.now() - datetime.timedelta(hours=2)
    )
    for _ in range(3):
        again = signup(list_slugs=["actualites"])
    assert again.status == Subscriber.Status.CONFIRMED
    assert {m.slug for m in again.lists.all()} == {"tutoriels"}
    assert len(mail.outbox) == 1
    assert "déjà inscrit" in mail.outbox[0].subject
    assert "/lettre/preferences/" in mail.outbox[0].body


def test_sign_ups_are_rate_limited_per_ip(signup, lists, settings):
    settings.NEWSLETTER_SIGNUP_RATE_LIMIT = 2
    signup(email="a@exemple.fr", ip="203.0.113.9")
    signup(email="b@exemple.fr", ip="203.0.113.9")
    with pytest.raises(NewsletterError) as caught:
        signup(email="c@exemple.fr", ip="203.0.113.9")
    assert caught.value.code == "rate_limited"
    assert not Subscriber.objects.filter(email="c@exemple.fr").exists()


def test_preferences_change_lists_with_history(signup, lists):
    subscriber = subscription_confirm(subscriber=signup(list_slugs=["actualites"]))
    subscriber.lists.add(lists["equipe"])  # a staff-only list stays as it is
    subscriber = subscription_update(subscriber=subscriber, list_slugs=["tutoriels"])
    assert {m.slug for m in subscriber.lists.all()} == {"tutoriels", "equipe"}
    kinds = {(c.mailing_list.slug, c.kind) for c in subscriber.changes.all()}
    assert ("actualites", "left") in kinds
    assert ("tutoriels", "joined") in kinds


def test_no_list_left_means_unsubscribed(signup, lists):
    subscriber = subscription_confirm(subscriber=signup())
    subscriber = subscription_update(subscriber=subscriber, list_slugs=[])
    assert subscriber.status == Subscriber.Status.UNSUBSCRIBED


def test_unsubscribe_is_immediate_carries_the_issue_and_is_idempotent(signup, lists):
    subscriber = subscription_confirm(subscriber=signup())
    issue = Issue.objects.create(slug="lettre-1", subject="Lettre 1", body_markdown="Bonjour")
    subscriber_unsubscribe(subscriber=subscriber, issue_id=issue.pk)
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.UNSUBSCRIBED
    assert subscriber.unsubscribed_at is not None
    assert not subscriber.lists.exists()
    left = SubscriptionChange.objects.filter(subscriber=subscriber, kind="left")
    assert left.count() == 2
    assert {c.issue_id for c in left} == {issue.pk}
    subscriber_unsubscribe(subscriber=subscriber, issue_id=issue.pk)
    assert left.count() == 2
    events = LeadEvent.objects.filter(lead=subscriber.lead, kind=LeadEvent.Kind.NEWSLETTER_LEFT)
    assert events.count() == 1


def test_an_old_confirmation_link_does_not_resubscribe_after_unsubscribing(signup, lists):
    subscriber = signup()
    subscriber_unsubscribe(subscriber=subscriber)
    with pytest.raises(NewsletterError) as caught:
        subscription_confirm(subscriber=subscriber)
    assert caught.value.code == "unsubscribed"


def test_an_unsubscribed_address_can_sign_up_again(signup, lists):
    subscriber = subscription_confirm(subscriber=signup())
    subscriber_unsubscribe(subscriber=subscriber)
    Subscriber.objects.filter(pk=subscriber.pk).update(confirmation_sent_at=None)
    again = signup(list_slugs=["evenements"])
    assert again.status == Subscriber.Status.PENDING
    assert subscription_confirm(subscriber=again).status == Subscriber.Status.CONFIRMED


def test_verified_address_is_confirmed_at_once_without_email(lists):
    subscriber = subscription_request_verified(
        email="learner@exemple.fr",
        list_slugs=["tutoriels"],
        consent=True,
        consent_text=CONSENT,
        origin="profile",
    )
    assert subscriber.status == Subscriber.Status.CONFIRMED
    assert not mail.outbox
    assert ConsentRecord.objects.get(lead__email="learner@exemple.fr").text == CONSENT
