"""The statistics page in a real browser: readable by assistive technologies (axe, WCAG 2.1 AA), the period
changed with the selector, the funnel's counts in its table, and a table downloaded as CSV."""

import datetime
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from frenchbot.accounts.tests.helpers import staff_group
from frenchbot.analytics.tests.rollup_factories import (
    DailyDimensionFactory,
    DailyGoalFactory,
    DailyPageFactory,
    DailyTotalsFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _login(page, django_user_model, next_url: str) -> None:
    user = django_user_model.objects.create_user(
        "camille", "camille@exemple.fr", password="motdepasse-solide-42", is_staff=True
    )
    user.groups.add(staff_group("Commercial"))
    page.goto(f"/admin/login/?next={next_url}")
    page.get_by_label("Nom d’utilisateur").fill("camille")
    page.get_by_label("Mot de passe").fill("motdepasse-solide-42")
    with page.expect_navigation():
        page.get_by_role("button", name="Connexion").click()


def _seed() -> None:
    today = timezone.localdate()
    for offset in range(1, 60):
        day = today - datetime.timedelta(days=offset)
        DailyTotalsFactory(day=day, visitors=40 + offset % 7, visits=50, pageviews=120, bounces=20)
        DailyPageFactory(day=day, path="/", pageviews=60, entries=30, exits=20)
        DailyPageFactory(day=day, path="/blog/prompts-efficaces/", pageviews=40, entries=15, exits=20)
        DailyPageFactory(day=day, path="/<script>alert(1)</script>", pageviews=1, entries=1, exits=1)
        DailyDimensionFactory(day=day, dimension="referrer", value="", visits=30)
        DailyDimensionFactory(day=day, dimension="device", value="mobile", visits=20)
        DailyDimensionFactory(day=day, dimension="country", value="FR", visits=45)
    yesterday = today - datetime.timedelta(days=1)
    DailyGoalFactory(day=yesterday, name="bot_conversation", entry_path="/", count=12)
    DailyGoalFactory(day=yesterday, name="audit_completed", entry_path="/blog/prompts-efficaces/", count=3)


def test_the_statistics_page_its_period_selector_funnel_and_csv(axe_page, django_user_model):
    page = axe_page
    _seed()
    _login(page, django_user_model, "/equipe/statistiques/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Statistiques")
    expect(page.get_by_role("img", name="Parcours des visiteurs", exact=False)).to_be_visible()
    expect(page.locator("#tableau-visiteurs tbody tr")).to_have_count(30)
    funnel = page.locator("#tableau-parcours")
    expect(funnel.get_by_role("row", name="Conversation avec le bot")).to_contain_text("12")
    expect(funnel.get_by_role("row", name="Visites")).to_contain_text("1\u00a0500")
    expect(page.locator("#tableau-pages")).to_contain_text("a amené 3 audits")
    expect(page.locator("#tableau-pages")).to_contain_text("/<script>alert(1)</script>")
    assert page.violations() == []

    page.get_by_label("Période", exact=True).select_option(label="7 derniers jours")
    with page.expect_navigation():
        page.get_by_role("button", name="Afficher").click()
    expect(page.locator("#tableau-visiteurs tbody tr")).to_have_count(7)
    expect(page.locator("#tableau-parcours").get_by_role("row", name="Visites")).to_contain_text("350")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Exporter en CSV : Parcours des visiteurs", exact=False).click()
    download = download_info.value
    assert download.suggested_filename.startswith("statistiques-parcours-du-")
    text = Path(download.path()).read_text(encoding="utf-8-sig")
    assert text.splitlines()[1] == "Visites;350;;350;stable"

    page.get_by_label("Recevoir le rapport hebdomadaire par e-mail").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Enregistrer ce choix").click()
    expect(page.get_by_role("status")).to_contain_text("vous recevrez le rapport hebdomadaire")
    expect(page.get_by_label("Recevoir le rapport hebdomadaire par e-mail")).to_be_checked()
    expect(page.locator("#tableau-visiteurs tbody tr")).to_have_count(7)  # back on the period it was on


def test_bad_dates_are_said_beside_the_field(axe_page, django_user_model):
    page = axe_page
    _login(page, django_user_model, "/equipe/statistiques/")
    page.get_by_label("Période", exact=True).select_option(label="Personnalisée")
    page.get_by_label("Du", exact=True).fill("2026-03-14")
    page.get_by_label("Au", exact=True).fill("2026-03-01")
    with page.expect_navigation():
        page.get_by_role("button", name="Afficher").click()
    expect(page.get_by_label("Au", exact=True)).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#id_au-erreurs")).to_contain_text(
        "Le dernier jour doit être le premier jour ou un jour après."
    )
    expect(page.get_by_label("Du", exact=True)).to_have_value("2026-03-14")
    assert page.violations() == []
