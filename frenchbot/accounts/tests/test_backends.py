"""The sign-in backends read the signed-in person with kept SQL: the same account as Django's own read, an
inactive account or a changed password still signs out, and sessions written before the change (naming
Django's or allauth's backend) stay signed in."""

import pytest
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.contrib.auth.backends import ModelBackend as DjangoModelBackend
from django.contrib.sessions.backends.db import SessionStore as DjangoSessionStore
from django.urls import reverse

from frenchbot.accounts.backends import AuthenticationBackend, ModelBackend
from frenchbot.courses.tests.factories import LearnerFactory

pytestmark = pytest.mark.django_db

PASSWORD = "motdepasse-solide-42"
DASHBOARD = "/formations/mes-formations/"


def test_the_account_read_is_the_one_djangos_backend_reads():
    learner = LearnerFactory(email="ines@exemple.fr", first_name="Inès")
    get_user_model().objects.filter(pk=learner.pk).update(last_login="2026-12-01T09:30:00+01:00")
    ours, djangos = AuthenticationBackend().get_user(learner.pk), DjangoModelBackend().get_user(learner.pk)
    assert ours == djangos
    fields = [field.attname for field in get_user_model()._meta.concrete_fields]
    assert [getattr(ours, name) for name in fields] == [getattr(djangos, name) for name in fields]
    assert ours.last_login.utcoffset() is not None  # converted as the ORM converts it
    assert ModelBackend().get_user(learner.pk + 1000) is None


def test_signed_in_through_the_sites_form_the_learner_stays_signed_in(client):
    LearnerFactory(email="nina@exemple.fr", first_name="Nina")
    client.post(reverse("account_login"), {"login": "nina@exemple.fr", "password": PASSWORD})
    assert client.session[BACKEND_SESSION_KEY] == "frenchbot.accounts.backends.AuthenticationBackend"
    page = client.get(DASHBOARD)
    assert page.status_code == 200
    assert "Se déconnecter" in page.content.decode()


def test_an_account_made_inactive_is_signed_out_at_its_next_page(client):
    learner = LearnerFactory()
    client.force_login(learner)
    assert client.get(DASHBOARD).status_code == 200
    get_user_model().objects.filter(pk=learner.pk).update(is_active=False)
    assert client.get(DASHBOARD).status_code == 302


def test_a_password_changed_elsewhere_signs_the_other_browsers_out(client):
    learner = LearnerFactory()
    client.force_login(learner)
    learner.set_password("un-autre-mot-de-passe-99")
    learner.save()
    assert client.get(DASHBOARD).status_code == 302


@pytest.mark.parametrize(
    "former",
    ["django.contrib.auth.backends.ModelBackend", "allauth.account.auth_backends.AuthenticationBackend"],
)
def test_a_session_signed_in_before_the_change_stays_signed_in(client, former, settings):
    learner = LearnerFactory(first_name="Paul")
    old = DjangoSessionStore()
    old[SESSION_KEY] = str(learner.pk)
    old[BACKEND_SESSION_KEY] = former
    old[HASH_SESSION_KEY] = learner.get_session_auth_hash()
    old.save()
    client.cookies[settings.SESSION_COOKIE_NAME] = old.session_key
    page = client.get(DASHBOARD)
    assert page.status_code == 200
    assert "Se déconnecter" in page.content.decode()
