"""The session engine: what Django's database sessions keep is read back the same way, a session past its
expiry or unknown is not, and sessions written by Django's own store stay valid."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.sessions.backends.db import SessionStore as DjangoSessionStore
from django.contrib.sessions.models import Session
from django.utils import timezone

from frenchbot.core.sessions import SessionStore

pytestmark = pytest.mark.django_db


def test_what_a_session_keeps_is_read_back():
    store = SessionStore()
    store["cart"] = {"formation": "chatgpt-au-quotidien", "places": 2}
    store.save()
    again = SessionStore(session_key=store.session_key)
    assert again["cart"] == {"formation": "chatgpt-au-quotidien", "places": 2}
    assert again.session_key == store.session_key


def test_a_session_written_by_djangos_own_store_stays_valid():
    old = DjangoSessionStore()
    old["_auth_user_id"] = "12"
    old.save()
    assert SessionStore(session_key=old.session_key)["_auth_user_id"] == "12"


def test_an_expired_session_is_not_read_and_its_key_is_not_reused():
    store = SessionStore()
    store["_auth_user_id"] = "12"
    store.save()
    Session.objects.filter(session_key=store.session_key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )
    expired = SessionStore(session_key=store.session_key)
    assert expired.get("_auth_user_id") is None
    expired["fresh"] = True
    expired.save()
    assert expired.session_key != store.session_key


def test_an_unknown_key_reads_as_an_empty_session():
    assert dict(SessionStore(session_key="n" * 32).items()) == {}


def test_a_signed_in_learner_stays_signed_in_from_page_to_page(client):
    user = get_user_model().objects.create_user("camille", "camille@example.fr", "un mot de passe solide")
    client.force_login(user)
    assert client.get("/formations/mes-formations/").status_code == 200
    assert client.session.session_key and client.session["_auth_user_id"] == str(user.pk)
    # Signed out: the session's row is gone, the same cookie no longer signs anyone in.
    key = client.session.session_key
    Session.objects.filter(session_key=key).delete()
    assert client.get("/formations/mes-formations/").status_code == 302
