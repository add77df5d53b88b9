"""Sign-up, e-mail confirmation, sign-in, sign-out and password reset, in French, with e-mails over real SMTP."""

import html as html_lib

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from frenchbot.courses.tests.factories import LearnerFactory

from .helpers import body, link_path, subject

pytestmark = pytest.mark.django_db

PASSWORD = "motdepasse-solide-42"
NBSP = "\u00a0"


def _signup(client, capture, **overrides):
    data = {
        "first_name": "Camille",
        "last_name": "Durand",
        "email": "camille.durand@exemple.fr",
        "password1": "Un-Mot-De-Passe-Solide-2026",
        "password2": "Un-Mot-De-Passe-Solide-2026",
        **overrides,
    }
    with capture(execute=True):
        return client.post(reverse("account_signup"), data)


def test_signup_page_asks_for_names_in_french(client):
    response = client.get(reverse("account_signup"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Créer un compte" in html
    for label in ("Prénom", "Nom", "Adresse e-mail", "Mot de passe"):
        assert f">{label}" in html
    assert f"figureront sur vos certificats{NBSP}:" in html
    assert 'name="csrfmiddlewaretoken"' in html


def test_signup_then_confirmation_link_then_sign_in(client, smtp_server, django_capture_on_commit_callbacks):
    response = _signup(client, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    user = get_user_model().objects.get(email="camille.durand@exemple.fr")
    assert (user.first_name, user.last_name) == ("Camille", "Durand")
    # A username exists (the admin and Django's auth rely on it) though nobody typed one.
    assert user.username
    assert not EmailAddress.objects.get(user=user).verified
    assert "_auth_user_id" not in client.session

    page = client.get(response["Location"])
    assert f"Votre adresse e-mail n'est pas encore confirmée{NBSP}:" in page.content.decode()

    assert len(smtp_server) == 1
    message = smtp_server[0]
    assert message["To"] == "camille.durand@exemple.fr"
    assert subject(message) == "[The French Bot] Confirmez votre adresse e-mail"
    text = body(message)
    assert text.startswith("Bonjour Camille,")
    assert "confirmez votre adresse en suivant ce lien" in text

    confirm_path = link_path(message, "/compte/confirm-email/")
    page = client.get(confirm_path)
    assert page.status_code == 200
    assert "Confirmer mon adresse" in page.content.decode()
    assert "camille.durand@exemple.fr" in page.content.decode()
    # GET alone confirms nothing (mail scanners follow links).
    assert not EmailAddress.objects.get(user=user).verified

    confirmed = client.post(confirm_path)
    assert confirmed.status_code == 302
    assert EmailAddress.objects.get(user=user).verified
    # Same browser as the sign-up: signed in straight away.
    assert client.session["_auth_user_id"] == str(user.pk)

    other_browser = Client()
    signed_in = other_browser.post(
        reverse("account_login"),
        {"login": "Camille.Durand@exemple.fr", "password": "Un-Mot-De-Passe-Solide-2026"},
    )
    assert signed_in.status_code == 302
    assert signed_in["Location"] == reverse("courses:dashboard")
    assert other_browser.session["_auth_user_id"] == str(user.pk)


def test_signup_without_names_keeps_the_input_and_says_what_is_missing(
    client, smtp_server, django_capture_on_commit_callbacks
):
    response = _signup(client, django_capture_on_commit_callbacks, first_name="", last_name="  ")
    assert response.status_code == 200  # allauth answers its invalid forms with 200
    html = response.content.decode()
    assert "Indiquez votre prénom." in html
    assert "Indiquez votre nom." in html
    assert 'value="camille.durand@exemple.fr"' in html
    assert 'aria-invalid="true"' in html
    assert not get_user_model().objects.filter(email="camille.durand@exemple.fr").exists()
    assert smtp_server == []


def test_sign_in_with_an_unconfirmed_address_is_refused_in_french(
    client, smtp_server, django_capture_on_commit_callbacks
):
    user = LearnerFactory(email="leo@exemple.fr", verified=False)
    EmailAddress.objects.create(user=user, email=user.email, verified=False, primary=True)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("account_login"), {"login": "leo@exemple.fr", "password": PASSWORD}, follow=True
        )
    assert "_auth_user_id" not in client.session
    assert response.redirect_chain[-1][0] == reverse("account_email_verification_sent")
    html = html_lib.unescape(response.content.decode())
    assert f"Votre adresse e-mail n'est pas encore confirmée{NBSP}: nous venons d'envoyer un lien" in html
    # A fresh link went out, so the person is not stuck.
    assert [m["To"] for m in smtp_server] == ["leo@exemple.fr"]
    assert "/compte/confirm-email/" in body(smtp_server[0])


def test_wrong_password_gets_a_french_message(client):
    LearnerFactory(email="nina@exemple.fr")
    response = client.post(reverse("account_login"), {"login": "nina@exemple.fr", "password": "pas-le-bon"})
    assert response.status_code == 200
    html = html_lib.unescape(response.content.decode())
    assert "L'adresse e-mail ou le mot de passe est incorrect." in html
    assert 'value="nina@exemple.fr"' in html
    assert "_auth_user_id" not in client.session


def test_password_reset_by_email_in_french(client, smtp_server, django_capture_on_commit_callbacks):
    user = LearnerFactory(email="ines@exemple.fr", first_name="Inès")
    page = client.get(reverse("account_reset_password"))
    assert "Mot de passe oublié" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("account_reset_password"), {"email": "ines@exemple.fr"})
    assert response.status_code == 302
    assert "Vérifiez vos e-mails" in client.get(response["Location"]).content.decode()

    assert len(smtp_server) == 1
    message = smtp_server[0]
    assert subject(message) == "[The French Bot] Choisissez un nouveau mot de passe"
    text = body(message)
    assert text.startswith("Bonjour Inès,")
    assert f"Vous n'avez rien demandé{NBSP}? Ignorez cet e-mail" in text

    key_page = client.get(link_path(message, "/compte/password/reset/key/"), follow=True)
    assert key_page.status_code == 200
    assert "Choisir un nouveau mot de passe" in key_page.content.decode()
    form_path = key_page.redirect_chain[-1][0]
    done = client.post(form_path, {"password1": "Nouveau-Secret-2026", "password2": "Nouveau-Secret-2026"})
    assert done.status_code == 302
    user.refresh_from_db()
    assert user.check_password("Nouveau-Secret-2026")
    # The link serves once.
    assert (
        "Lien expiré"
        in client.get(link_path(message, "/compte/password/reset/key/"), follow=True).content.decode()
    )


def test_password_reset_for_an_unknown_address_says_so_by_email_only(
    client, smtp_server, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("account_reset_password"), {"email": "personne@exemple.fr"})
    # Same answer as for a known address: the page does not tell who has an account.
    assert response.status_code == 302
    assert subject(smtp_server[0]) == "[The French Bot] Aucun compte avec cette adresse"
    assert f"{settings.SITE_URL}/compte/signup/" in body(smtp_server[0])


def test_sign_out_is_a_post(client):
    user = LearnerFactory()
    client.force_login(user)
    page = client.get(reverse("account_logout"))
    assert page.status_code == 200
    assert "Se déconnecter" in page.content.decode()
    assert client.session["_auth_user_id"] == str(user.pk)
    response = client.post(reverse("account_logout"), follow=True)
    assert "_auth_user_id" not in client.session
    assert "Vous avez fermé votre session." in response.content.decode()


def test_admin_superuser_created_by_createsuperuser_still_signs_in_to_the_admin(client, monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "Admin-Secret-2026")
    call_command("createsuperuser", interactive=False, username="admin", email="admin@thefrenchbot.fr")
    response = client.post(
        "/admin/login/?next=/admin/",
        {"username": "admin", "password": "Admin-Secret-2026", "next": "/admin/"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_learner_cannot_enter_the_admin(client):
    LearnerFactory(username="apprenant-x", email="x@exemple.fr")
    response = client.post("/admin/login/", {"username": "apprenant-x", "password": PASSWORD})
    assert response.status_code == 200
    assert client.get("/admin/").status_code == 302


def test_signup_with_a_taken_address_reveals_nothing_and_warns_the_owner_by_email(
    client, smtp_server, django_capture_on_commit_callbacks
):
    LearnerFactory(email="camille.durand@exemple.fr")
    response = _signup(client, django_capture_on_commit_callbacks)
    # Same answer as a new sign-up: the page does not tell who has an account.
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert get_user_model().objects.filter(email="camille.durand@exemple.fr").count() == 1
    assert subject(smtp_server[0]) == "[The French Bot] Vous avez déjà un compte"
    assert f"{settings.SITE_URL}/compte/password/reset/" in body(smtp_server[0])


def test_welcome_message_after_sign_in_is_french(client):
    LearnerFactory(email="nina@exemple.fr", first_name="Nina")
    response = client.post(
        reverse("account_login"), {"login": "nina@exemple.fr", "password": PASSWORD}, follow=True
    )
    assert "Bonjour Nina, ravis de vous revoir." in html_lib.unescape(response.content.decode())


def test_a_malformed_address_gets_the_sites_wording(client):
    response = client.post(reverse("account_login"), {"login": "claire@", "password": "x"})
    html = html_lib.unescape(response.content.decode())
    assert "Saisissez une adresse e-mail valide, par exemple prenom.nom@exemple.fr." in html
    assert "courriel" not in html.lower()


def _task_rows_text() -> str:
    from django_tasks_db.models import DBTaskResult

    return "\n".join(
        f"{row.args_kwargs!r} {row.return_value!r} {row.traceback!r}" for row in DBTaskResult.objects.all()
    )


@pytest.mark.parametrize("kind", ["reset", "signup"])
def test_no_link_that_opens_an_account_is_kept_in_the_task_results(
    kind, client, settings, smtp_server, django_capture_on_commit_callbacks, monkeypatch
):
    """The task-results table is kept (and backed up) long after the e-mail left: a reset or confirmation link
    in a task's arguments would be a credential lying there. The task gets who and what, and makes the link."""
    from django_tasks_db.management.commands import db_worker
    from django_tasks_db.models import DBTaskResult

    # The worker closes the connection between tasks (right for a long-lived process); here the test's
    # transaction must survive it.
    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    if kind == "reset":
        LearnerFactory(email="ines@exemple.fr", first_name="Inès")
        with django_capture_on_commit_callbacks(execute=True):
            client.post(reverse("account_reset_password"), {"email": "ines@exemple.fr"})
        fragment = "/compte/password/reset/key/"
    else:
        _signup(client, django_capture_on_commit_callbacks)
        fragment = "/compte/confirm-email/"
    assert DBTaskResult.objects.count() == 1
    assert smtp_server == []
    call_command("db_worker", batch=True, startup_delay=False, verbosity=0)
    assert len(smtp_server) == 1
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"
    path = link_path(smtp_server[0], fragment)
    key = path.rstrip("/").rsplit("/", 1)[-1]
    stored = _task_rows_text()
    assert key not in stored and path not in stored
    assert "ines@exemple.fr" in stored or "camille.durand@exemple.fr" in stored  # the rows are the right ones
    # The link made by the task works.
    page = client.get(path, follow=True)
    if kind == "reset":
        assert "Choisir un nouveau mot de passe" in page.content.decode()
    else:
        assert client.post(path).status_code == 302
        assert EmailAddress.objects.get(email="camille.durand@exemple.fr").verified
