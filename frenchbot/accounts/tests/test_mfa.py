"""The second factor (TOTP and recovery codes): turning it on from the account pages, then signing in at the admin
and at the account login with a code; the setting that requires it of superusers; resetting it for a lost phone."""

import html
import time

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
    yield_hotp_counters_from_time,
)
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from frenchbot.courses.tests.factories import LearnerFactory

pytestmark = pytest.mark.django_db

PASSWORD = "un-vrai-mot-de-passe-1"
NBSP = "\u00a0"


def totp_code(secret: str) -> str:
    """The code an authenticator app shows now, made with allauth's own functions. Near the end of a 30-second
    period it waits for the next one, so that the server checks the code in the period it was made for."""
    if time.time() % 30 > 27:
        time.sleep(30 - time.time() % 30 + 0.1)
    counter = next(iter(yield_hotp_counters_from_time()))
    return format_hotp_value(hotp_value(secret, counter))


def text(response) -> str:
    return html.unescape(response.content.decode())


def other_code(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


@pytest.fixture
def chef(django_user_model):
    return django_user_model.objects.create_superuser("chef", "chef@exemple.fr", PASSWORD)


def with_totp(user) -> str:
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    RecoveryCodes.activate(user)
    return secret


def admin_sign_in(client: Client, *, username: str = "chef", password: str = PASSWORD):
    return client.post("/admin/login/?next=/admin/", {"username": username, "password": password})


def test_a_superuser_turns_totp_on_then_the_admin_login_asks_for_its_code(chef):
    client = Client()
    assert admin_sign_in(client)["Location"] == "/admin/"
    # allauth asks for the password again before a security change.
    confirm = client.get(reverse("mfa_activate_totp"))
    assert confirm["Location"].startswith(reverse("account_reauthenticate"))
    confirmed = client.post(confirm["Location"], {"password": PASSWORD})
    assert confirmed["Location"] == reverse("mfa_activate_totp")
    page = client.get(reverse("mfa_activate_totp"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Activer la double authentification" in html and "data:image/svg+xml;base64," in html
    secret = client.session["mfa.totp.secret"]
    assert secret in html  # the key to type when the QR code cannot be scanned
    activated = client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret)})
    assert activated.status_code == 302 and activated["Location"] == reverse("mfa_view_recovery_codes")
    codes = client.get(reverse("mfa_view_recovery_codes")).content.decode()
    assert "Codes de secours" in codes
    assert Authenticator.objects.filter(user=chef, type=Authenticator.Type.TOTP).exists()

    visitor = Client()
    response = admin_sign_in(visitor)
    # The password alone does not open the admin: the code page comes first.
    assert response.status_code == 302 and response["Location"] == reverse("mfa_authenticate")
    assert visitor.get("/admin/")["Location"].startswith("/admin/login/")
    page = visitor.get(reverse("mfa_authenticate")).content.decode()
    assert "Code de double authentification" in page

    code = totp_code(secret)
    wrong = visitor.post(reverse("mfa_authenticate"), {"code": other_code(code)})
    assert wrong.status_code == 200
    assert "Ce code n'est pas le bon" in text(wrong)
    assert visitor.get("/admin/").status_code == 302

    right = visitor.post(reverse("mfa_authenticate"), {"code": code})
    assert right.status_code == 302 and right["Location"] == "/admin/"
    assert visitor.get("/admin/").status_code == 200


def test_a_code_is_accepted_once(chef):
    secret = with_totp(chef)
    first, second = Client(), Client()
    code = totp_code(secret)
    admin_sign_in(first)
    assert first.post(reverse("mfa_authenticate"), {"code": code})["Location"] == "/admin/"
    admin_sign_in(second)
    replay = second.post(reverse("mfa_authenticate"), {"code": code})
    assert replay.status_code == 200 and second.get("/admin/").status_code == 302


def test_a_recovery_code_replaces_the_lost_phone_once(chef):
    with_totp(chef)
    recovery = Authenticator.objects.get(user=chef, type=Authenticator.Type.RECOVERY_CODES).wrap()
    spare = recovery.get_unused_codes()[0]
    client = Client()
    admin_sign_in(client)
    assert client.post(reverse("mfa_authenticate"), {"code": spare})["Location"] == "/admin/"
    again = Client()
    admin_sign_in(again)
    assert again.post(reverse("mfa_authenticate"), {"code": spare}).status_code == 200


def test_code_attempts_are_limited_per_account(chef):
    secret = with_totp(chef)
    client = Client()
    admin_sign_in(client)
    for _ in range(5):
        client.post(reverse("mfa_authenticate"), {"code": other_code(totp_code(secret))})
    refused = client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})
    assert refused.status_code == 200
    assert "Trop de tentatives" in text(refused)
    assert client.get("/admin/").status_code == 302


def test_the_admin_login_keeps_its_rate_limit_with_mfa(settings, chef):
    settings.ADMIN_LOGIN_RATE_LIMIT = 2
    with_totp(chef)
    client = Client(REMOTE_ADDR="198.51.100.7")
    for _ in range(2):
        admin_sign_in(client, password="devine")
    assert admin_sign_in(client).status_code == 429


def test_a_wrong_admin_password_shows_the_admin_form_again(chef):
    response = admin_sign_in(Client(), password="devine")
    assert response.status_code == 200
    assert 'name="username"' in response.content.decode()


def test_a_learner_with_totp_is_asked_for_the_code_at_the_account_login():
    learner = LearnerFactory(email="nina@exemple.fr")
    secret = with_totp(learner)
    client = Client()
    response = client.post(
        reverse("account_login"), {"login": "nina@exemple.fr", "password": "motdepasse-solide-42"}
    )
    assert response["Location"] == reverse("mfa_authenticate")
    assert client.get(reverse("accounts:profile")).status_code == 302
    done = client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})
    assert done.status_code == 302
    profile = client.get(reverse("accounts:profile"))
    assert profile.status_code == 200 and "Double authentification" in profile.content.decode()


@pytest.mark.parametrize("path", ["/admin/", "/equipe/", "/admin/blog/article/"])
def test_with_the_setting_a_superuser_without_totp_is_sent_to_set_it_up(settings, chef, path):
    settings.MFA_REQUIRED_FOR_SUPERUSERS = True
    client = Client()
    client.force_login(chef)
    response = client.get(path)
    assert response.status_code == 302 and response["Location"] == reverse("mfa_activate_totp")
    page = text(client.get(response["Location"], follow=True))
    assert "activez d'abord la double authentification" in page


@pytest.mark.parametrize("path", ["/admin/", "/equipe/"])
def test_without_the_setting_a_superuser_without_totp_gets_in(settings, chef, path):
    settings.MFA_REQUIRED_FOR_SUPERUSERS = False
    client = Client()
    client.force_login(chef)
    assert client.get(path).status_code == 200


def test_with_the_setting_a_superuser_with_totp_gets_in(settings, chef):
    settings.MFA_REQUIRED_FOR_SUPERUSERS = True
    with_totp(chef)
    client = Client()
    client.force_login(chef)
    assert client.get("/admin/").status_code == 200


def test_the_staff_setting_covers_staff_who_are_not_superusers(settings, django_user_model):
    editor = django_user_model.objects.create_user("lea", "lea@exemple.fr", PASSWORD, is_staff=True)
    client = Client()
    client.force_login(editor)
    settings.MFA_REQUIRED_FOR_SUPERUSERS = True
    assert client.get("/admin/").status_code == 200
    settings.MFA_REQUIRED_FOR_STAFF = True
    assert client.get("/admin/")["Location"] == reverse("mfa_activate_totp")
    # Learners are never sent there.
    learner = Client()
    learner.force_login(LearnerFactory())
    assert learner.get(reverse("accounts:profile")).status_code == 200


def test_the_mfa_reset_command_lets_a_staff_member_sign_in_with_the_password_again(chef, capsys):
    with_totp(chef)
    call_command("mfa_reset", "chef")
    assert "double authentification de chef est désactivée" in capsys.readouterr().out
    assert not Authenticator.objects.filter(user=chef).exists()
    assert admin_sign_in(Client())["Location"] == "/admin/"


def test_the_mfa_reset_command_says_when_nobody_has_that_name(db):
    with pytest.raises(CommandError, match="Aucun compte"):
        call_command("mfa_reset", "personne")


def test_the_account_page_leads_to_the_second_factor_page_in_french(client):
    learner = LearnerFactory()
    client.force_login(learner)
    profile = text(client.get(reverse("accounts:profile")))
    assert reverse("mfa_index") in profile and "non activée" in profile
    page = text(client.get(reverse("mfa_index")))
    assert "Double authentification" in page and "Activer la double authentification" in page
    with_totp(learner)
    page = text(client.get(reverse("mfa_index")))
    assert "activée" in page and "Il vous reste 10 codes de secours" in page


@pytest.mark.parametrize(
    ("env", "required"),
    [
        ({"HTTPS": "true"}, "True"),
        ({"HTTPS": "false"}, "False"),
        ({"HTTPS": "true", "MFA_REQUIRED_FOR_SUPERUSERS": "false"}, "False"),
        ({"HTTPS": "false", "MFA_REQUIRED_FOR_SUPERUSERS": "true"}, "True"),
    ],
)
def test_production_requires_the_superusers_second_factor_behind_https(env, required, tmp_path):
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[3]
    environment = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("MFA_", "HTTPS"))},
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "FRENCHBOT_VAR_DIR": str(tmp_path),
        **env,
    }
    out = subprocess.run(  # noqa: S603 - our own interpreter and code
        [
            sys.executable,
            "-c",
            "from django.conf import settings; print(settings.MFA_REQUIRED_FOR_SUPERUSERS)",
        ],
        cwd=root,
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == required
