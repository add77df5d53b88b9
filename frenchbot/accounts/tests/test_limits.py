"""Sign-in limits: the admin's login stops password guessing; behind a reverse proxy, allauth's limits count each
visitor by their own address (TRUSTED_PROXY_COUNT), so one attacker does not lock everybody out."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from frenchbot.courses.tests.factories import LearnerFactory

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[3]


def test_the_admin_login_is_limited_per_address(settings, django_user_model):
    settings.ADMIN_LOGIN_RATE_LIMIT = 3
    django_user_model.objects.create_superuser("chef", "chef@exemple.fr", "un-vrai-mot-de-passe-1")
    attacker = Client(REMOTE_ADDR="198.51.100.7")
    for _ in range(3):
        assert attacker.post("/admin/login/", {"username": "chef", "password": "devine"}).status_code == 200
    refused = attacker.post("/admin/login/", {"username": "chef", "password": "un-vrai-mot-de-passe-1"})
    assert refused.status_code == 429 and "Trop de tentatives" in refused.content.decode()
    # Someone else, from another address, signs in.
    other = Client(REMOTE_ADDR="203.0.113.9")
    response = other.post(
        "/admin/login/?next=/admin/", {"username": "chef", "password": "un-vrai-mot-de-passe-1"}
    )
    assert response.status_code == 302 and response["Location"] == "/admin/"


def test_the_proxy_setting_reaches_allauth():
    env = {**os.environ, "TRUSTED_PROXY_COUNT": "1", "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    out = subprocess.run(  # noqa: S603 - our own interpreter and code
        [
            sys.executable,
            "-c",
            "from django.conf import settings; print(settings.ALLAUTH_TRUSTED_PROXY_COUNT)",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == "1"


def test_behind_a_proxy_one_visitors_failed_logins_do_not_lock_out_another(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    learner = LearnerFactory(email="nina@exemple.fr")
    proxy = "10.0.0.1"  # every request reaches the app from the proxy
    attacker = Client(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="198.51.100.7")
    for _ in range(12):
        attacker.post(reverse("account_login"), {"login": "x@exemple.fr", "password": "devine"})
    locked = attacker.post(reverse("account_login"), {"login": "y@exemple.fr", "password": "x"})
    assert "Trop de tentatives" in locked.content.decode()
    visitor = Client(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="203.0.113.9")
    response = visitor.post(
        reverse("account_login"), {"login": learner.email, "password": "motdepasse-solide-42"}
    )
    assert response.status_code == 302
