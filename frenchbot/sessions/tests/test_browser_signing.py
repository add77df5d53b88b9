"""In two real browsers: the trainer opens the half-day's signing screen, a learner opens the link from their own
browser and draws their signature, the trainer sees it and countersigns, and the attendance sheet PDF shows both.
The learner's pages and the trainer's screen pass the WCAG checks."""

import datetime
import io
from urllib.parse import urlsplit

import pypdf
import pytest
from django.utils import timezone

from frenchbot.sessions.models import Attendance, HalfDay

from .factories import HalfDayFactory, RegistrationFactory

expect = pytest.importorskip(
    "playwright.sync_api", reason="Playwright manquant : pip install playwright"
).expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _half_day_now() -> HalfDay:
    now = timezone.localtime()
    start = (now - datetime.timedelta(minutes=5)).replace(second=0, microsecond=0)
    if start.hour >= 21:  # keep the half-day inside one day
        start = start.replace(hour=20)
    return HalfDayFactory(
        date=start.date(),
        starts_at=start.time(),
        ends_at=(start + datetime.timedelta(hours=3)).time(),
        session__training__title="ChatGPT au quotidien",
        session__training__is_published=True,
    )


def _draw(page) -> None:
    canvas = page.locator("canvas.signature-pad__canvas")
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    page.mouse.move(box["x"] + 20, box["y"] + box["height"] * 0.7)
    page.mouse.down()
    for step in range(1, 12):
        page.mouse.move(box["x"] + 20 + step * 25, box["y"] + box["height"] * (0.3 if step % 2 else 0.7))
    page.mouse.up()


def test_trainer_shows_the_link_learner_signs_trainer_countersigns(
    axe_page, _browser, live_server, axe, django_user_model
):
    half_day = _half_day_now()
    learner = RegistrationFactory(session=half_day.session, name="Alice Martin")
    RegistrationFactory(session=half_day.session, name="Bruno Absent")
    django_user_model.objects.create_superuser("formatrice", "formatrice@exemple.fr", "mot-de-passe-long-42")

    trainer = axe_page
    trainer.goto(f"/admin/login/?next=/equipe/sessions/{half_day.session_id}/emargement/{half_day.pk}/")
    trainer.get_by_label("Nom d’utilisateur").fill("formatrice")
    trainer.get_by_label("Mot de passe").fill("mot-de-passe-long-42")
    trainer.get_by_role("button", name="Connexion").click()
    expect(trainer.get_by_role("heading", level=1)).to_contain_text("Émargement")
    signing_link = trainer.locator("[data-signing-link]").get_attribute("href")
    expect(
        trainer.get_by_role("img", name="QR code du lien d’émargement de cette demi-journée")
    ).to_be_visible()
    assert trainer.violations() == []

    # The learner, on their own device: the convocation's link first, then the trainer's link.
    context = _browser.new_context(
        base_url=live_server.url, locale="fr-FR", timezone_id="Europe/Paris", bypass_csp=True
    )
    context.set_default_timeout(10_000)
    phone = context.new_page()
    phone.goto(f"/sessions/ma-session/{learner.token}/")
    expect(phone.get_by_role("heading", level=1)).to_have_text("ChatGPT au quotidien")
    assert axe(phone) == []
    phone.goto(urlsplit(signing_link).path)  # the site's address in tests is not the live server's
    expect(phone.get_by_text("Vous signez en tant que Alice Martin")).to_be_visible()
    assert axe(phone) == []
    _draw(phone)
    phone.get_by_role("button", name="Je signe").click()
    expect(phone.get_by_text("C'est signé, merci !")).to_be_visible()
    context.close()

    # The trainer's list refreshes by itself and shows the drawn signature.
    expect(trainer.get_by_role("img", name="Alice Martin")).to_be_visible(timeout=15_000)
    trainer.locator("label", has_text="Je tape mon nom").click()
    trainer.get_by_label("Votre nom, comme signature").fill("Camille Formatrice")
    trainer.get_by_role("button", name="Contre-signer la demi-journée").click()
    expect(trainer.get_by_text("Demi-journée contre-signée")).to_be_visible()

    attendance = Attendance.objects.get(registration=learner)
    assert attendance.method == "drawn" and len(attendance.strokes[0]) >= 5

    response = trainer.request.get(f"/equipe/sessions/{half_day.session_id}/feuille-emargement.pdf")
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    text = "".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(response.body())).pages)
    assert "Alice Martin" in text and "Camille Formatrice" in text and "Absent" in text


def test_the_other_new_pages_pass_the_wcag_checks(axe_page, django_user_model):
    """Registration (with its errors), the survey, the team's sessions, a session and the evidence form."""
    session = HalfDayFactory(session__training__is_published=True).session
    past = HalfDayFactory(date=timezone.localdate() - datetime.timedelta(days=2)).session
    learner = RegistrationFactory(
        session=past, name="Alice Martin", positioning={"Vos attentes ?": "Gagner du temps"}
    )
    page = axe_page

    page.goto(f"/sessions/{session.pk}/inscription/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("S'inscrire")
    assert page.violations() == []
    page.get_by_role("button", name="Je m'inscris").click()
    expect(page.get_by_text("Indiquez votre nom.")).to_be_visible()
    assert page.violations() == []

    page.goto(f"/sessions/ma-session/{learner.token}/satisfaction/chaud/")
    expect(page.get_by_role("button", name="Envoyer mon avis")).to_be_visible()
    assert page.violations() == []

    django_user_model.objects.create_superuser("equipe", "equipe@exemple.fr", "mot-de-passe-long-42")
    page.goto("/admin/login/?next=/equipe/sessions/")
    page.get_by_label("Nom d’utilisateur").fill("equipe")
    page.get_by_label("Mot de passe").fill("mot-de-passe-long-42")
    page.get_by_role("button", name="Connexion").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sessions de formation")
    assert page.violations() == []
    page.goto(f"/equipe/sessions/{past.pk}/")
    expect(page.get_by_text("Alice Martin").first).to_be_visible()
    assert page.violations() == []
    page.goto("/equipe/qualiopi/preuves/")
    expect(page.get_by_role("button", name="Préparer l'archive")).to_be_visible()
    assert page.violations() == []
