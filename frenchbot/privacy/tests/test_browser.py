"""A person without an account, in a real browser: the request form, the link received by e-mail, their data on
the page, the archive downloaded and opened; then the erasure, confirmed. The pages pass the WCAG checks."""

import io
import json
import re
import zipfile
from pathlib import Path

import pytest

from frenchbot.leads.models import Lead
from frenchbot.leads.services import contact_submit

expect = pytest.importorskip(
    "playwright.sync_api", reason="Playwright manquant : pip install playwright"
).expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EMAIL = "lise.meitner@exemple.fr"


@pytest.fixture(autouse=True)
def _no_fill_wait(settings):
    settings.PRIVACY_REQUEST_MIN_FILL_SECONDS = 0


def _contact():
    contact_submit(
        name="Lise Meitner",
        email=EMAIL,
        company="Fission & Cie",
        subject="automatisation",
        message="Pouvez-vous automatiser nos devis ?",
        consent=True,
        consent_text="J'accepte d'être recontactée.",
        ip="203.0.113.9",
    )


def _links(messages) -> list[tuple[str, str]]:
    """(recipient, path of the link) of each e-mail carrying a link to a person's data."""
    found = []
    for message in messages:
        part = message.get_payload(0) if message.is_multipart() else message
        match = re.search(r"/donnees-personnelles/acces/\S+/", part.get_payload(decode=True).decode())
        if match:
            found.append((message["To"], match.group(0)))
    return found


def test_from_the_form_to_the_link_to_the_archive_then_the_erasure(page, smtp_server, axe):
    _contact()
    page.goto("/donnees-personnelles/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Vos données personnelles")
    page.get_by_label("Votre adresse e-mail").fill(EMAIL)
    page.get_by_role("button", name="Recevoir le lien").click()
    expect(page.get_by_text("C'est envoyé.")).to_be_visible()

    [(recipient, path)] = _links(smtp_server)
    assert recipient == EMAIL
    page.goto(path)
    expect(page.get_by_role("heading", level=1)).to_have_text("Mes données")
    expect(page.get_by_text("Contact et échanges avec l'équipe")).to_be_visible()
    page.locator("details.privacy-app summary").first.click()
    expect(page.get_by_text("Fission & Cie").first).to_be_visible()

    with page.expect_download() as download_info:
        page.get_by_role("button", name="Télécharger mes données").click()
    download = download_info.value
    assert download.suggested_filename.startswith("mes-donnees-thefrenchbot-")
    archive = zipfile.ZipFile(io.BytesIO(Path(download.path()).read_bytes()))
    data = json.loads(archive.read("donnees.json"))
    assert data["donnees"]["leads"]["contenu"]["Votre fiche de prospect"][0]["nom"] == "Lise Meitner"
    assert "Pouvez-vous automatiser nos devis" in archive.read("donnees.html").decode()

    page.get_by_role("link", name="Voir ce que l'effacement fera").click()
    expect(page.get_by_text("Votre fiche de prospect est anonymisée").first).to_be_visible()
    page.get_by_role("button", name="Effacer définitivement").click()
    expect(page.get_by_text("Cochez la case pour confirmer l'effacement.")).to_be_visible()
    page.get_by_label("J'ai lu ce qui sera supprimé").check()
    page.get_by_role("button", name="Effacer définitivement").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Vos données sont effacées")
    assert not Lead.objects.filter(name="Lise Meitner").exists()


def test_the_rights_pages_pass_the_accessibility_checks(axe_page):
    from frenchbot.privacy.services import link_token

    _contact()
    token = link_token(email=EMAIL)
    for path in (
        "/donnees-personnelles/",
        f"/donnees-personnelles/acces/{token}/",
        f"/donnees-personnelles/acces/{token}/effacer/",
        "/donnees-personnelles/acces/abc/",
        "/confidentialite/",
    ):
        axe_page.goto(path)
        axe_page.locator("details.privacy-app summary").first.click() if "acces/" in path and path.endswith(
            f"{token}/"
        ) else None
        assert axe_page.violations() == [], path


def test_the_teams_pages_pass_the_accessibility_checks(axe_page, django_user_model):
    from django.contrib.auth.models import Permission

    from frenchbot.privacy.models import PrivacyRequest
    from frenchbot.privacy.services import manual_request_record

    user = django_user_model.objects.create_user(
        "dpo", "dpo@exemple.fr", password="motdepasse-solide-42", is_staff=True
    )
    user.user_permissions.add(*Permission.objects.filter(content_type__app_label="privacy"))
    manual_request_record(
        right=PrivacyRequest.Right.ERASURE, email=EMAIL, note="Courrier du 3 décembre", by=user
    )
    axe_page.goto("/admin/login/?next=/equipe/donnees-personnelles/")
    axe_page.get_by_label("Nom d’utilisateur").fill("dpo")
    axe_page.get_by_label("Mot de passe").fill("motdepasse-solide-42")
    with axe_page.expect_navigation():
        axe_page.get_by_role("button", name="Connexion").click()
    expect(axe_page.get_by_text("Courrier du 3 décembre")).to_be_visible()
    assert axe_page.violations() == [], "/equipe/donnees-personnelles/"
    axe_page.goto("/equipe/donnees-personnelles/registre/")
    expect(axe_page.get_by_role("heading", level=1)).to_have_text("Registre des traitements")
    assert axe_page.violations() == [], "/equipe/donnees-personnelles/registre/"
