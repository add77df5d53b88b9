import html
import re
import time

import pytest
from django.core import signing
from django.urls import reverse

from frenchbot.core.formguard import form_timestamp
from frenchbot.leads.models import ConsentRecord, Lead, LeadEvent, Source
from frenchbot.newsletter.forms import CONSENT_TEXT
from frenchbot.newsletter.models import Issue, Subscriber, SubscriptionChange
from frenchbot.newsletter.services.subscriptions import subscriber_links, subscriber_token

from .factories import SubscriberFactory

pytestmark = pytest.mark.django_db


def _form(**overrides):
    data = {
        "email": "camille@exemple.fr",
        "lists": ["actualites", "tutoriels"],
        "consent": "on",
        "origin": "page",
        "ts": form_timestamp(),
        "website": "",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def _post(client, committed, data, **kwargs):
    return committed(client.post, reverse("newsletter:signup"), data, **kwargs)


def _text(message) -> str:
    for part in message.walk():
        if part.get_content_type() == "text/plain":
            return part.get_payload(decode=True).decode(part.get_content_charset() or "utf-8")
    return ""


def _html(message) -> str:
    for part in message.walk():
        if part.get_content_type() == "text/html":
            return part.get_payload(decode=True).decode(part.get_content_charset() or "utf-8")
    return ""


def _link(message, kind: str) -> str:
    match = re.search(rf"https?://\S+(/lettre/{kind}/[^\s/]+/)", _text(message))
    assert match, _text(message)
    return match.group(1)


def test_double_opt_in_through_the_smtp_server(client, committed, lists, smtp_server, settings):
    response = _post(client, committed, _form())
    assert response.status_code == 200
    assert "Vérifiez votre boîte mail" in response.content.decode()
    assert len(smtp_server) == 1
    message = smtp_server[0]
    assert message["To"] == "camille@exemple.fr"
    assert settings.NEWSLETTER_FROM_EMAIL in message["From"]
    body = _text(message)
    assert "si ce n'est pas vous, ignorez ce message" in body.lower()
    assert "valable 7\u00a0jours" in body or "valable 7 jours" in body
    assert "#c1121f" in _html(message)  # the HTML alternative, in the brand's colours
    link = _link(message, "confirmer")
    subscriber = Subscriber.objects.get(email="camille@exemple.fr")
    assert subscriber.status == Subscriber.Status.PENDING

    # Opening the link (as a mail scanner does) confirms nothing: it shows a button.
    page = client.get(link)
    assert page.status_code == 200
    assert "Confirmer mon inscription" in page.content.decode()
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.PENDING
    assert not Lead.objects.filter(email="camille@exemple.fr").exists()

    done = client.post(link)
    assert done.status_code == 200
    assert "Votre inscription est confirmée" in done.content.decode()
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.CONFIRMED
    lead = Lead.objects.get(email="camille@exemple.fr")
    assert lead.source == Source.NEWSLETTER
    assert ConsentRecord.objects.get(lead=lead).text == str(CONSENT_TEXT)
    assert LeadEvent.objects.filter(lead=lead, kind=LeadEvent.Kind.NEWSLETTER).exists()
    # Pressing the button again is harmless.
    assert client.post(link).status_code == 200
    assert LeadEvent.objects.filter(lead=lead, kind=LeadEvent.Kind.NEWSLETTER).count() == 1


def test_second_sign_up_within_the_hour_sends_no_second_email_and_says_the_same(
    client, committed, lists, smtp_server
):
    first = _post(client, committed, _form())
    second = _post(client, committed, _form(lists=["evenements"]))
    assert len(smtp_server) == 1
    assert second.status_code == 200
    assert "Vérifiez votre boîte mail" in second.content.decode()
    assert first.content.decode().count("Vérifiez") == second.content.decode().count("Vérifiez")


def test_a_confirmed_address_signing_up_again_is_not_revealed(client, committed, lists, smtp_server):
    SubscriberFactory(email="camille@exemple.fr", status=Subscriber.Status.CONFIRMED).lists.add(
        lists["tutoriels"]
    )
    response = _post(client, committed, _form())
    assert response.status_code == 200
    page = response.content.decode()
    assert "Vérifiez votre boîte mail" in page
    assert "déjà" not in page
    assert len(smtp_server) == 1
    assert "déjà inscrit" in _text(smtp_server[0])
    assert "/lettre/preferences/" in _text(smtp_server[0])
    # And not again within the hour.
    _post(client, committed, _form())
    assert len(smtp_server) == 1


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"email": "pas-une-adresse"}, "ne semble pas valide"),
        ({"email": "camille@yopmail.com"}, "jetables"),
        ({"consent": None}, "Cochez la case de consentement"),
        ({"lists": []}, "Choisissez au moins une liste"),
        ({"website": "http://spam.example"}, "envoi automatique"),
        ({"ts": "altered"}, "a expiré"),
    ],
)
def test_bad_input_is_shown_in_french_with_the_input_kept(
    client, committed, lists, smtp_server, overrides, message
):
    data = _form(**{"email": "camille@exemple.fr", **overrides})
    response = _post(client, committed, data)
    assert response.status_code == 400
    page = response.content.decode()
    assert message in html.unescape(page).replace("\u00a0", " ")
    assert f'value="{data["email"]}"' in page
    assert not Subscriber.objects.exists()
    assert not smtp_server


def test_too_fast_a_post_is_refused(client, committed, lists, settings):
    settings.NEWSLETTER_SIGNUP_MIN_FILL_SECONDS = 30
    response = _post(client, committed, _form())
    assert response.status_code == 400
    assert "très rapide" in response.content.decode()


def test_rate_limit_answers_429_with_the_input_kept(client, committed, lists, settings):
    settings.NEWSLETTER_SIGNUP_RATE_LIMIT = 1
    _post(client, committed, _form(email="a@exemple.fr"))
    response = _post(client, committed, _form(email="b@exemple.fr"))
    assert response.status_code == 429
    assert 'value="b@exemple.fr"' in response.content.decode()


def test_next_brings_the_visitor_back_to_the_article_only_on_this_site(client, committed, lists):
    back = _post(client, committed, _form(next="/blog/un-article/", origin="article"))
    assert 'href="/blog/un-article/"' in back.content.decode()
    assert Subscriber.objects.get().origin == "article"
    away = _post(client, committed, _form(email="b@exemple.fr", next="https://evil.example/"))
    assert "evil.example" not in away.content.decode()


def test_signup_page_presents_the_letter_and_its_lists(client, lists):
    response = client.get(reverse("newsletter:signup"))
    assert response.status_code == 200
    page = html.unescape(response.content.decode())
    assert "Actualités de l'IA" in page
    assert "Clients" not in page  # the staff-only list
    assert "Vous recevrez un e-mail pour confirmer" in page


def test_forged_link_is_a_clear_page_not_an_error(client, lists):
    subscriber = SubscriberFactory()
    token = subscriber_token(subscriber=subscriber, action="confirm")
    forged = token[:-3] + ("aaa" if not token.endswith("aaa") else "bbb")
    for name in ("confirm", "preferences", "unsubscribe"):
        response = client.get(reverse(f"newsletter:{name}", args=[forged]))
        assert response.status_code == 400
        assert "Ce lien n" in response.content.decode()
    # A confirmation token does not open the unsubscribe page.
    response = client.post(reverse("newsletter:unsubscribe", args=[token]))
    assert response.status_code == 400


def _token_from_the_past(subscriber, action: str, days: int) -> str:
    """A token signed `days` ago, with the signing mechanics of `subscriber_token`."""

    class PastSigner(signing.TimestampSigner):
        def timestamp(self):
            return signing.b62_encode(int(time.time()) - days * 86400)

    return PastSigner(salt="frenchbot.newsletter.subscriber").sign_object(
        {"s": subscriber.public_id.hex, "a": action}, compress=True
    )


def test_expired_confirmation_link_is_410(client, lists, settings):
    subscriber = SubscriberFactory()
    fresh = _token_from_the_past(subscriber, "confirm", days=1)
    assert client.get(reverse("newsletter:confirm", args=[fresh])).status_code == 200
    old = _token_from_the_past(subscriber, "confirm", days=settings.NEWSLETTER_CONFIRM_MAX_AGE_DAYS + 1)
    response = client.post(reverse("newsletter:confirm", args=[old]))
    assert response.status_code == 410
    assert "expiré" in response.content.decode()
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.PENDING


def test_one_click_unsubscribe_by_post_without_csrf_token(lists, committed, client):
    from django.test import Client

    subscriber = SubscriberFactory(status=Subscriber.Status.CONFIRMED)
    subscriber.lists.add(lists["actualites"])
    issue = Issue.objects.create(slug="lettre-1", subject="Lettre 1", body_markdown="Bonjour")
    url = subscriber_links(subscriber=subscriber, issue=issue)["unsubscribe"]
    path = url[url.index("/lettre/") :]
    mail_client = Client(enforce_csrf_checks=True)
    # GET shows a button and changes nothing.
    assert mail_client.get(path).status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.CONFIRMED
    response = mail_client.post(
        path, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.UNSUBSCRIBED
    change = SubscriptionChange.objects.get(subscriber=subscriber, kind="left")
    assert change.issue == issue
    # Again: still 200, nothing more.
    assert (
        mail_client.post(
            path, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
        ).status_code
        == 200
    )
    assert SubscriptionChange.objects.filter(subscriber=subscriber, kind="left").count() == 1


def test_preferences_change_lists_unsubscribe_and_show_what_is_kept(client, lists):
    subscriber = SubscriberFactory(
        email="camille@exemple.fr", status=Subscriber.Status.CONFIRMED, consent_text="Texte exact accepté."
    )
    subscriber.lists.add(lists["actualites"])
    url = reverse(
        "newsletter:preferences", args=[subscriber_token(subscriber=subscriber, action="preferences")]
    )
    page = client.get(url).content.decode()
    assert "Ce que nous conservons" in page
    assert "camille@exemple.fr" in page
    assert "Texte exact accepté." in page
    response = client.post(url, {"lists": ["tutoriels", "evenements"], "action": "save"})
    assert response.status_code == 200
    assert "Vos préférences sont enregistrées" in response.content.decode()
    assert {m.slug for m in subscriber.lists.all()} == {"tutoriels", "evenements"}
    response = client.post(url, {"action": "unsubscribe"})
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.UNSUBSCRIBED
    assert "Vous réinscrire" in response.content.decode()


def test_preferences_with_no_list_left_unsubscribes(client, lists):
    subscriber = SubscriberFactory(status=Subscriber.Status.CONFIRMED)
    subscriber.lists.add(lists["actualites"])
    url = reverse(
        "newsletter:preferences", args=[subscriber_token(subscriber=subscriber, action="preferences")]
    )
    client.post(url, {"action": "save"})
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.UNSUBSCRIBED
