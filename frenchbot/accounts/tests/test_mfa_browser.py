"""The second factor in a real browser: a learner turns it on from their account page, a superuser signs in at
/admin/login/ with their password then the code of their app."""

import re

import pytest
from allauth.mfa.models import Authenticator
from playwright.sync_api import expect

from frenchbot.courses.tests.factories import LearnerFactory

from .test_mfa import PASSWORD, other_code, totp_code, with_totp

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_superuser_signs_in_at_the_admin_with_the_code_of_their_app(page, django_user_model):
    chef = django_user_model.objects.create_superuser("chef", "chef@exemple.fr", PASSWORD)
    secret = with_totp(chef)
    page.goto("/admin/login/?next=/admin/")
    page.get_by_label("Nom d’utilisateur").fill("chef")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Connexion").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Code de double authentification")

    code = totp_code(secret)
    page.get_by_label("Code de votre application").fill(other_code(code))
    with page.expect_navigation():
        page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_text("Ce code n'est pas le bon")).to_be_visible()

    page.get_by_label("Code de votre application").fill(code)
    with page.expect_navigation():
        page.get_by_role("button", name="Se connecter").click()
    expect(page).to_have_url(re.compile(r"/admin/$"))
    expect(page.get_by_role("heading", name="Administration du site")).to_be_visible()


def test_a_learner_turns_the_second_factor_on_from_their_account(page):
    learner = LearnerFactory(email="nina@exemple.fr")
    page.goto("/compte/login/")
    page.get_by_label("Adresse e-mail").fill("nina@exemple.fr")
    page.get_by_label("Mot de passe").fill("motdepasse-solide-42")
    with page.expect_navigation():
        page.get_by_role("button", name="Se connecter").click()
    page.goto("/compte/profil/")
    with page.expect_navigation():
        page.get_by_role("link", name="Double authentification").click()
    with page.expect_navigation():
        page.get_by_role("link", name="Activer la double authentification").click()
    # allauth asks for the password again before a security change.
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirmer votre identité")
    page.get_by_label("Mot de passe").fill("motdepasse-solide-42")
    with page.expect_navigation():
        page.get_by_role("button", name="Confirmer").click()
    expect(
        page.get_by_role("img", name="QR code à scanner avec votre application d'authentification")
    ).to_be_visible()
    secret = page.locator("#authenticator-secret").inner_text()
    page.get_by_label("Code affiché par l'application").fill(totp_code(secret))
    with page.expect_navigation():
        page.get_by_role("button", name="Activer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Codes de secours")
    expect(page.locator(".recovery-codes li")).to_have_count(10)
    assert Authenticator.objects.filter(user=learner, type=Authenticator.Type.TOTP).exists()
