"""The visitor number: one browser is one visitor within a day, another number the next day, and a number of
a day whose salt is gone cannot be made again."""

import datetime

import pytest

from frenchbot.analytics.hashing import salt_for, salt_ready, salts_forget, visitor_hash
from frenchbot.analytics.models import Salt

IP, UA = "90.84.0.1", "Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0"
MONDAY = datetime.date(2026, 12, 7)
TUESDAY = MONDAY + datetime.timedelta(days=1)


@pytest.fixture(autouse=True)
def _no_salt_in_memory():
    salts_forget()
    yield
    salts_forget()


@pytest.mark.django_db
def test_the_same_browser_is_one_visitor_within_a_day():
    first = visitor_hash(ip=IP, user_agent=UA, day=MONDAY)
    assert visitor_hash(ip=IP, user_agent=UA, day=MONDAY) == first
    salts_forget()  # another process reads the same salt from the database
    assert visitor_hash(ip=IP, user_agent=UA, day=MONDAY) == first
    assert visitor_hash(ip="90.84.0.2", user_agent=UA, day=MONDAY) != first
    assert visitor_hash(ip=IP, user_agent=UA + " ", day=MONDAY) != first


@pytest.mark.django_db
def test_the_next_day_the_same_browser_is_another_number():
    assert visitor_hash(ip=IP, user_agent=UA, day=MONDAY) != visitor_hash(ip=IP, user_agent=UA, day=TUESDAY)
    assert Salt.objects.count() == 2


@pytest.mark.django_db
def test_once_the_salt_is_deleted_the_number_cannot_be_made_again():
    monday = visitor_hash(ip=IP, user_agent=UA, day=MONDAY)
    Salt.objects.filter(day=MONDAY).delete()
    salts_forget()
    assert visitor_hash(ip=IP, user_agent=UA, day=MONDAY) != monday


@pytest.mark.django_db
def test_the_salt_is_random_secret_bytes_kept_in_memory_once_read(django_capture_on_commit_callbacks):
    assert not salt_ready(day=MONDAY)
    with django_capture_on_commit_callbacks(execute=True):
        salt = salt_for(MONDAY)
    assert salt_ready(day=MONDAY)
    with django_capture_on_commit_callbacks(execute=True):
        assert len(salt) == 32 and salt != salt_for(TUESDAY)
    # Only the newest day stays in memory.
    assert salt_ready(day=TUESDAY) and not salt_ready(day=MONDAY)


@pytest.mark.django_db
def test_a_salt_made_in_a_transaction_rolled_back_is_not_remembered(django_capture_on_commit_callbacks):
    """Its row is gone: the next use makes (and every process then shares) another one."""
    with django_capture_on_commit_callbacks(execute=False):
        salt_for(MONDAY)
    assert not salt_ready(day=MONDAY)
