"""The « convention de formation »: written from the session (a frozen snapshot), e-mailed, signed online once,
versioned when changed after signature (the signed version kept as it was), and the team's form to write it."""

import datetime
import html as htmllib
import re

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from frenchbot.courses.tests.factories import LearnerFactory, ModuleFactory
from frenchbot.sessions.errors import SessionError
from frenchbot.sessions.models import Convention
from frenchbot.sessions.services import conventions as services

from .factories import HalfDayFactory, RegistrationFactory, TrainingSessionFactory

pytestmark = pytest.mark.django_db

COMPANY = {
    "company_name": "Boulangerie Dupont",
    "company_address": "3 place du Marché\n69002 Lyon",
    "company_siret": "12345678900012",
    "contact_name": "Jeanne Dupont",
    "contact_email": "jeanne@boulangerie-dupont.fr",
    "seats": 3,
    "price_text": "2 400 € HT pour le groupe",
}


def _text(response) -> str:
    return htmllib.unescape(response.content.decode()).replace("\u00a0", " ")


@pytest.fixture
def session():
    session = TrainingSessionFactory(
        training__title="ChatGPT au bureau", training__outcomes="Écrire un prompt"
    )
    ModuleFactory(training=session.training, title="Les bases du prompt")
    HalfDayFactory(session=session, period="am")
    HalfDayFactory(session=session, period="pm", starts_at=datetime.time(14), ends_at=datetime.time(17, 30))
    return session


@pytest.fixture
def convention(session, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return services.convention_create(session=session, **COMPANY)


def _sign(convention, **overrides):
    values = {"signer_name": "Jeanne Dupont", "signer_role": "Gérante", "accepted": True, **overrides}
    return services.convention_sign(convention=convention, **values)


def test_a_convention_freezes_what_is_agreed_and_mails_the_signing_link(convention, session):
    assert re.fullmatch(rf"C-{timezone.localdate().year}-\d{{4}}", convention.number)
    assert convention.version == 1 and convention.signed_at is None
    snapshot = convention.snapshot
    assert snapshot["training"]["title"] == "ChatGPT au bureau"
    assert snapshot["training"]["objectives"] == ["Écrire un prompt"]
    assert snapshot["training"]["programme"] == ["Les bases du prompt"]
    assert [half_day["period"] for half_day in snapshot["half_days"]] == ["am", "pm"]
    assert snapshot["total_hours"] == 7.0
    assert snapshot["price"] == COMPANY["price_text"] and snapshot["seats"] == 3
    assert snapshot["place"]["address"] == session.place

    [message] = mail.outbox
    assert message.to == [COMPANY["contact_email"]]
    assert reverse("sessions:convention", args=[convention.token]) in message.body

    # The next one of the year takes the next number.
    second = services.convention_create(session=session, **{**COMPANY, "company_name": "Autre SARL"})
    assert int(second.number[-4:]) == int(convention.number[-4:]) + 1


def test_an_unsigned_convention_is_changed_in_place(convention, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        updated = services.convention_update(convention=convention, price_text="2 600 € HT")
    assert updated.pk == convention.pk and updated.version == 1
    assert updated.snapshot["price"] == "2 600 € HT"
    assert Convention.objects.count() == 1
    assert len(mail.outbox) == 2  # the link again, since what it says changed


def test_a_signed_convention_changed_becomes_a_new_version_and_the_signed_one_is_kept(
    convention, session, django_capture_on_commit_callbacks
):
    learner = RegistrationFactory(session=session, convention=convention)
    _sign(convention)
    session.training.title = "Nouveau titre"
    session.training.save()

    with django_capture_on_commit_callbacks(execute=True):
        new = services.convention_update(convention=convention, price_text="2 600 € HT")

    old = Convention.objects.get(pk=convention.pk)
    assert (new.number, new.version) == (old.number, 2)
    assert new.token != old.token and new.signed_at is None
    assert new.snapshot["price"] == "2 600 € HT" and new.snapshot["training"]["title"] == "Nouveau titre"
    # The signed text is unchanged, signature included.
    assert old.replaced_at is not None and old.signed_at is not None and old.signer_name == "Jeanne Dupont"
    assert (
        old.snapshot["price"] == COMPANY["price_text"]
        and old.snapshot["training"]["title"] == "ChatGPT au bureau"
    )
    learner.refresh_from_db()
    assert learner.convention_id == new.pk
    assert mail.outbox[-1].to == [COMPANY["contact_email"]]
    assert new.token in mail.outbox[-1].body

    # The replaced version can neither be signed nor changed.
    with pytest.raises(SessionError, match="remplacée"):
        _sign(old)
    with pytest.raises(SessionError, match="remplacée"):
        services.convention_update(convention=old, seats=2)
    # Nothing changed: no useless version to sign again.
    _sign(new)
    with pytest.raises(SessionError, match="Rien n'a changé"):
        services.convention_update(convention=new, price_text="2 600 € HT")


def test_signing_refusals(convention, session):
    with pytest.raises(SessionError) as refused:
        _sign(convention, accepted=False)
    assert refused.value.field == "accepted"
    assert Convention.objects.get(pk=convention.pk).signed_at is None

    _sign(convention)
    with pytest.raises(SessionError, match="déjà signée"):
        _sign(convention, signer_name="Quelqu'un d'autre")
    assert Convention.objects.get(pk=convention.pk).signer_name == "Jeanne Dupont"

    # Once the first half-day has started, no more signing online.
    late = services.convention_create(session=session, **{**COMPANY, "company_name": "Retard SA"})
    session.half_days.update(date=timezone.localdate() - datetime.timedelta(days=1))
    with pytest.raises(SessionError, match="La session a commencé"):
        _sign(late)


def test_the_company_reads_and_signs_its_convention_from_the_link(client, convention, session):
    url = reverse("sessions:convention", args=[convention.token])
    # The page reads the snapshot, never the live training.
    session.training.title = "Titre changé depuis"
    session.training.save()
    page = _text(client.get(url))
    assert "ChatGPT au bureau" in page and "Titre changé depuis" not in page
    assert "2 400 € HT pour le groupe" in page and "Non signée" in page

    refused = client.post(url, {"signer_name": "Jeanne Dupont", "signer_role": "Gérante"})
    assert refused.status_code == 400
    assert "Cochez la case « J'ai lu et j'accepte… »" in _text(refused)
    assert 'value="Jeanne Dupont"' in refused.content.decode()

    signed = client.post(url, {"signer_name": "Jeanne Dupont", "signer_role": "Gérante", "accepted": "on"})
    assert signed.status_code == 302
    page = _text(client.get(signed["Location"]))
    assert "la convention est signée" in page
    assert "par Jeanne Dupont, Gérante" in page
    assert reverse("sessions:convention_pdf", args=[convention.token]) in page
    assert "Signer la convention" not in page

    # Posted again (another tab): refused, nothing changes.
    again = client.post(url, {"signer_name": "Paul", "signer_role": "Stagiaire", "accepted": "on"})
    assert again.status_code == 409
    assert Convention.objects.get(pk=convention.pk).signer_name == "Jeanne Dupont"


def test_a_replaced_version_says_so_without_leading_to_the_new_one(client, convention):
    _sign(convention)
    new = services.convention_update(convention=convention, seats=2)
    page = _text(client.get(reverse("sessions:convention", args=[convention.token])))
    assert "Cette version a été remplacée" in page
    assert new.token not in page
    assert "Signer la convention" not in page


def test_signing_is_rate_limited_per_address(client, convention, settings):
    settings.SESSIONS_FORM_RATE_LIMIT = 1
    url = reverse("sessions:convention", args=[convention.token])
    assert client.post(url, {"signer_name": "A"}).status_code == 400
    limited = client.post(url, {"signer_name": "A", "signer_role": "B", "accepted": "on"})
    assert limited.status_code == 429
    assert Convention.objects.get(pk=convention.pk).signed_at is None


def test_without_its_token_nobody_reaches_a_convention(client, convention):
    client.force_login(LearnerFactory())
    for name in ("sessions:convention", "sessions:convention_pdf"):
        assert client.get(reverse(name, args=["pas-le-bon-jeton"])).status_code == 404
    # Nor through the team's address of its PDF.
    response = client.get(reverse("backoffice:convention_pdf", args=[convention.pk]))
    assert response.status_code == 302 and "next=" in response["Location"]


def _staff(django_user_model, username, *codenames) -> Client:
    user = django_user_model.objects.create_user(username, f"{username}@thefrenchbot.fr", "x", is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="training_sessions", codename__in=codenames)
    )
    client = Client()
    client.force_login(user)
    return client


def test_the_team_writes_then_changes_a_convention(
    django_user_model, session, django_capture_on_commit_callbacks
):
    url = reverse("backoffice:convention_create", args=[session.pk])
    assert Client().get(url).status_code == 302
    assert _staff(django_user_model, "lecteur", "view_trainingsession").get(url).status_code == 403

    staff = _staff(django_user_model, "gestion", "view_trainingsession", "change_trainingsession")
    bad = staff.post(url, {**COMPANY, "contact_email": "pas-une-adresse", "seats": "99"})
    assert bad.status_code == 400
    page = _text(bad)
    assert "Cette adresse e-mail ne semble pas valide" in page and 'value="Boulangerie Dupont"' in page

    with django_capture_on_commit_callbacks(execute=True):
        created = staff.post(url, COMPANY)
    assert created.status_code == 302
    convention = Convention.objects.get()
    assert len(mail.outbox) == 1

    _sign(convention)
    edit = staff.get(created["Location"])
    assert "une nouvelle version sera créée" in _text(edit)
    staff.post(created["Location"], {**COMPANY, "seats": 2})
    assert list(Convention.objects.order_by("version").values_list("version", "seats")) == [(1, 3), (2, 2)]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_convention_page_passes_the_accessibility_checks(axe_page):
    from playwright.sync_api import expect

    session = TrainingSessionFactory(training__title="ChatGPT au bureau")
    HalfDayFactory(session=session)
    convention = services.convention_create(session=session, **COMPANY)
    axe_page.goto(reverse("sessions:convention", args=[convention.token]))
    expect(axe_page.get_by_role("heading", level=1)).to_contain_text(convention.number)
    assert axe_page.violations() == []

    axe_page.get_by_role("button", name="Signer la convention").click()
    expect(axe_page.get_by_text("Cochez la case").first).to_be_visible()
    assert axe_page.violations() == []

    axe_page.get_by_label("Vos nom et prénom").fill("Jeanne Dupont")
    axe_page.get_by_label("Votre qualité").fill("Gérante")
    axe_page.get_by_label("J'ai lu et j'accepte").check()
    axe_page.get_by_role("button", name="Signer la convention").click()
    expect(axe_page.get_by_text("la convention est signée")).to_be_visible()
    assert axe_page.violations() == []
