"""The contact page: a form that keeps what was typed, answers robots and floods politely, and never shares
one visitor's CSRF token with another."""

import html
import re

import pytest
from django.core.cache import cache
from django.test import Client
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from frenchbot.core.pagecache import _key
from frenchbot.leads.forms import CONTACT_CONSENT_TEXT
from frenchbot.leads.models import ConsentRecord, Lead, LeadEvent, Source

pytestmark = pytest.mark.django_db

URL = "/contact/"


def _data(**overrides):
    data = {
        "name": "Jeanne Dupont",
        "email": "jeanne@example.fr",
        "company": "Boulangerie Dupont",
        "subject": "automatisation",
        "message": "Nous voudrions automatiser nos devis.\r\nPouvez-vous nous aider ?",
        "consent": "on",
        "website": "",
    }
    data.update(overrides)
    return {name: value for name, value in data.items() if value is not None}


def _page(response) -> str:
    return html.unescape(response.content.decode())


def _field_errors(response, field: str) -> str:
    match = re.search(
        rf'<div class="field__errors" id="id_{field}-erreurs">(.*?)</div>', _page(response), re.S
    )
    return match.group(1) if match else ""


def test_the_page_shows_the_form_the_address_and_what_happens_next(client, settings):
    settings.CONTACT_EMAIL = "bonjour@thefrenchbot.fr"
    response = client.get(URL)
    assert response.status_code == 200
    page = _page(response)
    assert 'href="mailto:bonjour@thefrenchbot.fr"' in page
    for name in ("name", "email", "company", "message", "consent", "website", "csrfmiddlewaretoken"):
        assert f'name="{name}"' in page
    for label in (
        "Une formation pour moi",
        "Une formation pour mon équipe",
        "Une automatisation",
        "Autre question",
    ):
        assert label in page
    # The exact words the consent record keeps, with the privacy policy next to them.
    assert f'{CONTACT_CONSENT_TEXT} <a href="/confidentialite/">' in page
    # What happens next is said before the button.
    form = page[page.index('id="formulaire-contact"') :]
    next_step = form.index("Vous recevrez une copie de votre message par e-mail")
    assert next_step < form.index('<button type="submit"')
    # The server says when a message is too long; the browser must not cut a paste silently.
    textarea = re.search(r"<textarea[^>]*>", page).group(0)
    assert "maxlength" not in textarea
    # The honeypot is hidden from people and from assistive technologies, and never focused.
    honeypot = re.search(r'<div class="hp" aria-hidden="true">(.*?)</div>', page, re.S).group(1)
    assert 'name="website"' in honeypot and 'tabindex="-1"' in honeypot


def test_a_subject_can_be_chosen_by_the_link(client):
    page = _page(client.get(URL + "?sujet=formation-equipe"))
    assert re.search(r'value="formation-equipe" checked', page)
    assert "checked" not in _page(client.get(URL + "?sujet=inconnu")).split('name="subject"')[1].split(">")[0]


def test_a_message_is_recorded_then_the_page_says_it_is_sent(
    client, smtp_server, settings, django_capture_on_commit_callbacks
):
    settings.STAFF_NOTIFICATION_EMAILS = ["equipe@thefrenchbot.fr"]
    settings.CONTACT_EMAIL = "ecrire@thefrenchbot.fr"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, _data(email="Jeanne@Example.fr"), REMOTE_ADDR="203.0.113.7")

    assert response.status_code == 302
    assert response["Location"] == "/contact/?envoye=1"
    lead = Lead.objects.get()
    assert (lead.email, lead.source, lead.company) == (
        "jeanne@example.fr",
        Source.CONTACT,
        "Boulangerie Dupont",
    )
    assert ConsentRecord.objects.get(lead=lead).text == str(CONTACT_CONSENT_TEXT)
    event = lead.events.get(kind=LeadEvent.Kind.CONTACT)
    assert event.payload == {
        "subject": "automatisation",
        "message": "Nous voudrions automatiser nos devis.\nPouvez-vous nous aider ?",
    }
    assert event.summary.startswith("Une automatisation — Nous voudrions")
    assert sorted(message["To"] for message in smtp_server) == ["equipe@thefrenchbot.fr", "jeanne@example.fr"]
    team = next(message for message in smtp_server if message["To"] == "equipe@thefrenchbot.fr")
    assert team["Reply-To"] == "jeanne@example.fr"

    sent = client.get(response["Location"])
    assert sent.status_code == 200
    page = _page(sent)
    assert re.search(r'role="status">\s*<p><strong>Merci, votre message est bien envoyé.</strong>', page)
    assert 'name="message"' not in page
    assert 'href="mailto:ecrire@thefrenchbot.fr"' in page


@pytest.mark.parametrize(
    ("overrides", "field", "error"),
    [
        ({"email": "jeanne@exemple"}, "email", "Cette adresse e-mail ne semble pas valide"),
        ({"email": ""}, "email", "Indiquez votre e-mail"),
        ({"consent": None}, "consent", "Cochez la case de consentement"),
        ({"message": "  \r\n "}, "message", "Votre message est vide"),
        ({"message": None}, "message", "Votre message est vide"),
        ({"subject": "promotion"}, "subject", "Choisissez l'objet de votre message dans la liste."),
        ({"subject": None}, "subject", "Choisissez l'objet de votre message."),
        ({"name": ""}, "name", "Indiquez votre nom."),
        ({"message": "Bonjour\x00"}, "message", "caractère nul"),
    ],
)
def test_bad_input_is_refused_next_to_its_field_and_what_was_typed_is_kept(client, overrides, field, error):
    response = client.post(URL, _data(**overrides))

    assert response.status_code == 400
    assert error in _field_errors(response, field)
    page = _page(response)
    assert "Votre message n'est pas encore envoyé" in page
    for name in ("name", "email", "company"):
        value = _data(**overrides).get(name)
        if value:
            assert f'name="{name}" value="{value}"' in page
    message = _data(**overrides).get("message")
    if message and message.strip() and "\x00" not in message:
        assert f">\n{message}</textarea>" in page
    if "consent" not in overrides:
        assert 'id="id_consent" required checked' in page
    if field != "subject":
        assert re.search(r'value="automatisation" checked', page)
    assert Lead.objects.count() == 0


def test_a_message_too_long_is_refused_and_kept_whole(client):
    message = "Bonjour, " + "x" * 5000
    response = client.post(URL, _data(message=message))

    assert response.status_code == 400
    assert _field_errors(response, "message").strip() == (
        "<p>Votre message dépasse 5\u202f000 caractères (il en compte 5\u202f009)\u00a0: raccourcissez-le un "
        "peu, il est conservé ci-dessous.</p>"
    )
    assert f">\n{message}</textarea>" in _page(response)
    assert 'aria-invalid="true"' in re.search(r"<textarea[^>]*>", _page(response)).group(0)
    assert Lead.objects.count() == 0


def test_a_robot_filling_the_hidden_field_is_thanked_and_nothing_is_kept_or_sent(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(URL, _data(website="https://promo.example", consent=None))

    assert response.status_code == 302
    assert response["Location"] == "/contact/?envoye=1"
    assert Lead.objects.count() == 0 and LeadEvent.objects.count() == 0
    assert callbacks == [] and mailoutbox == []


def test_too_many_messages_from_one_address_get_429_and_the_text_is_kept(
    client, settings, django_capture_on_commit_callbacks
):
    settings.CONTACT_RATE_LIMIT = 2
    for n in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            assert (
                client.post(URL, _data(message=f"Message {n}"), REMOTE_ADDR="203.0.113.7").status_code == 302
            )

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(URL, _data(message="Le troisième, à garder."), REMOTE_ADDR="203.0.113.7")

    assert response.status_code == 429
    page = _page(response)
    assert "Vous avez envoyé beaucoup de messages en peu de temps" in page
    assert ">\nLe troisième, à garder.</textarea>" in page
    assert 'name="name" value="Jeanne Dupont"' in page
    assert callbacks == []
    assert LeadEvent.objects.filter(kind=LeadEvent.Kind.CONTACT).count() == 2
    # Another address is not held back.
    assert client.post(URL, _data(), REMOTE_ADDR="198.51.100.9").status_code == 302


def test_a_post_without_the_csrf_token_is_refused():
    client = Client(enforce_csrf_checks=True)
    assert client.post(URL, _data()).status_code == 403
    assert Lead.objects.count() == 0


def _token(page: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)


def test_each_visitor_gets_a_page_with_their_own_token_even_with_the_page_cache_on(settings):
    settings.PAGE_CACHE_SECONDS = 300
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)

    first_page = first.get(URL)
    second.get(URL)

    assert "no-store" in first_page["Cache-Control"] and "private" in first_page["Cache-Control"]
    first_cookie = first.cookies[settings.CSRF_COOKIE_NAME].value
    second_cookie = second.cookies[settings.CSRF_COOKIE_NAME].value
    assert first_cookie != second_cookie
    # Nothing was kept in the shared page cache for /contact/, while the home page (render_cached) is kept.
    assert cache.get(_key(path=URL, language="fr", host="testserver")) is None
    Client().get("/")
    assert cache.get(_key(path="/", language="fr", host="testserver")) is not None
    # The first page's token belongs to the first visitor's cookie: refused with the second one's.
    token = _token(first_page.content.decode())
    assert second.post(URL, _data(csrfmiddlewaretoken=token)).status_code == 403
    assert first.post(URL, _data(csrfmiddlewaretoken=token)).status_code == 302
    assert Lead.objects.count() == 1


_values = st.one_of(
    st.text(max_size=300),
    st.just(""),
    st.just("\x00"),
    st.just("x" * 5001),
    st.sampled_from(["on", "automatisation", "autre", "jeanne@example.fr", "Jeanne\r\nBcc: a@b.fr"]),
)
_posts = st.dictionaries(
    st.sampled_from(["name", "email", "company", "subject", "message", "consent", "website", "x"]),
    _values,
    max_size=8,
)


@hypothesis_settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=_posts)
def test_whatever_is_posted_the_answer_is_a_page_never_a_server_error(data):
    cache.clear()  # no rate limit across examples
    response = Client().post(URL, data)
    assert response.status_code in (302, 400)
    if response.status_code == 302:
        assert response["Location"] == "/contact/?envoye=1"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_contact_form_with_errors_then_sent_passes_axe(axe_page, settings):
    axe_page.goto(URL)
    assert axe_page.violations() == []
    with axe_page.expect_navigation():
        axe_page.get_by_role("button", name="Envoyer le message").click()
    assert axe_page.get_by_text("Indiquez votre nom.").is_visible()
    assert axe_page.violations() == []
    axe_page.get_by_label("Votre nom").fill("Jeanne Dupont")
    axe_page.get_by_label("Votre e-mail").fill("jeanne@example.fr")
    # The label covers the whole choice (and the radio under it), as a person clicks it.
    axe_page.locator("label", has_text="Une automatisation").click()
    axe_page.get_by_role("textbox", name="Votre message").fill("Nous voudrions automatiser nos devis.")
    axe_page.get_by_label("J'accepte que The French Bot").check()
    with axe_page.expect_navigation():
        axe_page.get_by_role("button", name="Envoyer le message").click()
    assert axe_page.url.endswith("/contact/?envoye=1")
    assert axe_page.get_by_role("status").get_by_text("Merci, votre message est bien envoyé.").is_visible()
    assert axe_page.violations() == []
    assert Lead.objects.get().email == "jeanne@example.fr"
