"""The newsletter's personal data: a subscriber's rows found by their address only, exported in words, deleted
with their deliveries and list history; the subscription is a consent whose withdrawal unsubscribes."""

import pytest
from django.utils import timezone, translation

from frenchbot.leads.models import LeadEvent
from frenchbot.newsletter.models import Delivery, Issue, MailingList, Subscriber, SubscriptionChange
from frenchbot.newsletter.privacy import NEWSLETTER, NewsletterConsents
from frenchbot.newsletter.services.subscriptions import subscription_confirm, subscription_request
from frenchbot.privacy import registry
from frenchbot.privacy.registry import Subject
from frenchbot.privacy.testing import app_erase, app_mentions

pytestmark = pytest.mark.django_db


def _erase(subject: Subject) -> None:
    app_erase("newsletter", subject)


def _mentions(needles) -> list[str]:
    return app_mentions("newsletter", needles)


CONSENT = "J'accepte de recevoir la lettre de The French Bot sur les listes choisies."


def _declaration(model):
    return registry.declaration_for(model._meta.label)


def _subscribe(email, list_slugs):
    subscriber = subscription_request(
        email=email, list_slugs=list_slugs, consent=True, consent_text=CONSENT, origin="page"
    )
    return subscription_confirm(subscriber=subscriber)


@pytest.fixture
def readers(lists):
    """Camille (confirmed on two lists, sent one letter) and Dominique (confirmed, sent the same letter)."""
    camille = _subscribe("Camille@Exemple.fr", ["actualites", "tutoriels"])
    dominique = _subscribe("dominique@exemple.fr", ["actualites"])
    issue = Issue.objects.create(slug="lettre-1", subject="Lettre 1", body_markdown="Bonjour", status="sent")
    now = timezone.now()
    for subscriber in (camille, dominique):
        Delivery.objects.create(issue=issue, subscriber=subscriber, status=Delivery.Status.SENT, sent_at=now)
    return {"camille": camille, "dominique": dominique, "issue": issue}


SUBJECT = Subject(emails=("camille@exemple.fr",))


def test_the_rows_found_are_exactly_the_persons(readers):
    camille = readers["camille"]
    assert list(_declaration(Subscriber).rows(Subject(emails=("CAMILLE@exemple.fr",)))) == [camille]
    assert set(_declaration(Delivery).rows(SUBJECT)) == set(Delivery.objects.filter(subscriber=camille))
    changes = _declaration(SubscriptionChange).rows(SUBJECT)
    assert changes.count() == 2 and {change.subscriber_id for change in changes} == {camille.pk}
    # An account alone says nothing of a subscription: it is found by its address.
    assert not _declaration(Subscriber).rows(Subject(user_id=1)).exists()


def test_the_rows_are_exported_in_words(readers):
    data = _declaration(Subscriber).export_row(readers["camille"])
    assert data["e-mail"] == "camille@exemple.fr"
    assert data["statut"] == "Confirmé"
    assert data["listes"] == ["Actualités de l'IA", "Tutoriels"]
    assert data["texte de consentement présenté"] == CONSENT
    delivery = _declaration(Delivery).export_row(Delivery.objects.get(subscriber=readers["camille"]))
    assert delivery["statut"] == "Envoyé" and delivery["lettre"] == "Lettre 1"
    change = _declaration(SubscriptionChange).export_row(
        SubscriptionChange.objects.filter(subscriber=readers["camille"]).first()
    )
    assert change["type"] == "Inscription"


def test_erasure_deletes_the_subscriber_with_their_deliveries_and_history(readers):
    dominique = readers["dominique"]
    _erase(SUBJECT)
    assert _mentions(["camille"]) == []
    assert not Subscriber.objects.filter(pk=readers["camille"].pk).exists()
    assert Delivery.objects.count() == 1 and SubscriptionChange.objects.count() == 1
    # Dominique keeps everything.
    dominique.refresh_from_db()
    assert dominique.status == Subscriber.Status.CONFIRMED
    assert Delivery.objects.get().subscriber == dominique
    assert SubscriptionChange.objects.get().subscriber == dominique
    assert MailingList.objects.count() == 4  # the lists themselves stay


def test_withdrawing_the_consent_unsubscribes_through_the_newsletter(readers):
    source = next(s for s in registry.consent_sources() if s.treatment is NEWSLETTER)
    [consent] = source.consents(SUBJECT)
    camille = readers["camille"]
    assert consent.key == f"newsletter:{camille.public_id}"
    assert consent.label == "Lettre d'information\u00a0: Actualités de l'IA, Tutoriels"
    assert consent.given_at == camille.consent_at

    consent.withdraw()

    camille.refresh_from_db()
    assert camille.status == Subscriber.Status.UNSUBSCRIBED
    assert not camille.lists.exists()
    assert LeadEvent.objects.filter(lead=camille.lead, kind=LeadEvent.Kind.NEWSLETTER_LEFT).count() == 1
    assert source.consents(SUBJECT) == []
    assert Subscriber.objects.get(pk=readers["dominique"].pk).status == Subscriber.Status.CONFIRMED


def test_a_pending_sign_up_is_a_consent_too(lists):
    subscription_request(
        email="eve@exemple.fr", list_slugs=["tutoriels"], consent=True, consent_text=CONSENT, origin="page"
    )
    [consent] = NewsletterConsents().consents(Subject(emails=("eve@exemple.fr",)))
    consent.withdraw()
    assert Subscriber.objects.get(email="eve@exemple.fr").status == Subscriber.Status.UNSUBSCRIBED


def test_the_treatment_is_the_policys_paragraph_and_follows_the_settings(settings):
    assert "une inscription jamais confirmée est effacée au bout de 30 jours" in str(NEWSLETTER.description)
    with translation.override("en"):
        assert str(NEWSLETTER.description).startswith("To receive our newsletters")
    settings.RETENTION_NEWSLETTER_PENDING_DAYS = 10
    assert "au bout de 10\u00a0jours" in NEWSLETTER.retention_text()
    settings.RETENTION_NEWSLETTER_PENDING_DAYS = 0
    assert "jamais confirmée" not in NEWSLETTER.retention_text()
