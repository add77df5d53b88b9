"""The whole measurement in a real browser, over the real ASGI server as in production: a visitor comes to an
article from a LinkedIn campaign, takes the free audit and books the call; the worker's rollup runs; the team's
dashboard shows the visit, what the article brought and the funnel's steps."""

import time

import pytest
from playwright.sync_api import expect

from frenchbot.accounts.tests.helpers import staff_group
from frenchbot.analytics.models import Goal, GoalName, Hit
from frenchbot.analytics.rollups import analytics_tick
from frenchbot.audits.demo import audits_demo_load
from frenchbot.blog.tests.factories import ArticleFactory
from frenchbot.booking.tests.factories import EventTypeFactory, TeamMemberFactory, every_day

from .conftest import DESKTOP_CHROME

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def site():
    audits_demo_load()
    EventTypeFactory(
        slug="appel-audit-offert",
        name="Appel d'audit offert",
        members=[TeamMemberFactory(hours=every_day())],
        min_notice_minutes=60,
    )
    return ArticleFactory(title="Cinq usages de l'IA pour une boulangerie", slug="ia-boulangerie")


def _answer_every_question(page) -> None:
    groups = page.locator("fieldset.audit-question")
    for index in range(groups.count()):
        groups.nth(index).locator("label").nth(2).click()


def _wait_for(condition, seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.1)
    return condition()


def test_an_article_read_from_a_campaign_brings_an_audit_and_a_call(
    person_browser, _browser, asgi_server, site, django_user_model
):
    visitor = person_browser.new_context(
        base_url=asgi_server, locale="fr-FR", timezone_id="Europe/Paris", user_agent=DESKTOP_CHROME
    )
    visitor.set_default_timeout(15_000)
    page = visitor.new_page()
    page.goto("/blog/ia-boulangerie/?utm_source=linkedin&utm_medium=social&utm_campaign=decembre")
    assert _wait_for(lambda: Hit.objects.filter(path="/blog/ia-boulangerie/").exists())

    with page.expect_navigation():
        page.get_by_role("link", name="Demander mon audit IA offert").click()
    with page.expect_navigation():
        page.get_by_role("link", name="Audit IA — entreprise").click()
    _answer_every_question(page)
    page.get_by_label("Votre e-mail (facultatif)").fill("jeanne@boulangerie.fr")
    page.get_by_role("checkbox", name="J'accepte").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Voir mon rapport").click()
    with page.expect_navigation():
        page.get_by_role("link", name="Prendre rendez-vous").first.click()
    with page.expect_navigation():
        page.get_by_role("link", name="Appel d'audit offert").click()
    with page.expect_navigation():
        page.locator("a.day--free").first.click()
    with page.expect_navigation():
        page.locator("a.slot").first.click()
    page.get_by_label("Votre nom").fill("Jeanne Dupont")
    page.get_by_label("Votre e-mail").fill("jeanne@boulangerie.fr")
    page.get_by_role("checkbox").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Confirmer le rendez-vous").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Votre rendez-vous est confirmé")
    visitor.close()

    # What the visitor left: page views without address nor browser, and the goals of the journey.
    assert _wait_for(lambda: Goal.objects.filter(name=GoalName.CALL_BOOKED).exists())
    assert set(Goal.objects.values_list("name", flat=True)) >= {
        GoalName.AUDIT_STARTED,
        GoalName.AUDIT_COMPLETED,
        GoalName.REPORT_SENT,
        GoalName.CALL_BOOKED,
    }
    # The worker's tick: visits rebuilt, goals credited to the article the visit began on, rollups made.
    analytics_tick()
    completed = Goal.objects.get(name=GoalName.AUDIT_COMPLETED)
    assert (completed.entry_path, completed.utm_campaign) == ("/blog/ia-boulangerie/", "decembre")
    assert Goal.objects.get(name=GoalName.CALL_BOOKED).entry_path == "/blog/ia-boulangerie/"

    # The team's dashboard, today.
    staff = _browser.new_context(base_url=asgi_server, locale="fr-FR", timezone_id="Europe/Paris")
    staff.set_default_timeout(15_000)
    page = staff.new_page()
    user = django_user_model.objects.create_user(
        "camille", "camille@exemple.fr", password="motdepasse-solide-42", is_staff=True
    )
    user.groups.add(staff_group("Commercial"))
    page.goto("/admin/login/?next=/equipe/statistiques/%3Fperiode%3Daujourdhui")
    page.get_by_label("Nom d’utilisateur").fill("camille")
    page.get_by_label("Mot de passe").fill("motdepasse-solide-42")
    with page.expect_navigation():
        page.get_by_role("button", name="Connexion").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Statistiques")
    pages = page.locator("#tableau-pages")
    expect(
        pages.get_by_role("row", name="Cinq usages de l'IA pour une boulangerie", exact=False)
    ).to_contain_text("a amené 1 audit et 1 rendez-vous")
    funnel = page.locator("#tableau-parcours")
    expect(funnel.get_by_role("row", name="Visites")).to_contain_text("1")
    expect(funnel.get_by_role("row", name="Audit terminé")).to_contain_text("1")
    expect(funnel.get_by_role("row", name="Rendez-vous pris")).to_contain_text("1")
    expect(page.locator("#sources")).to_be_visible()
    expect(page.get_by_text("decembre").first).to_be_visible()
    staff.close()
