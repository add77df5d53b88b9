"""`goal_record`, the one entry point every app calls: who is counted, with or without a visitor number."""

import hashlib

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.http import HttpResponse
from django.test import RequestFactory

from frenchbot.analytics import hashing
from frenchbot.analytics.context import VisitContextMiddleware
from frenchbot.analytics.goals import goal_record, subject_key
from frenchbot.analytics.models import Goal

pytestmark = pytest.mark.django_db

FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"


def in_request(record, *, user=None, user_agent=FIREFOX, **headers):
    """Run `record` inside a request passed through the analytics middleware, as a view would."""
    request = RequestFactory().post(
        "/audit/", HTTP_USER_AGENT=user_agent, REMOTE_ADDR="203.0.113.7", **headers
    )
    request.user = user or AnonymousUser()

    def view(request):
        record()
        return HttpResponse()

    VisitContextMiddleware(view)(request)


@pytest.fixture
def recorded(django_capture_on_commit_callbacks):
    """Goals written once the surrounding transaction commits."""

    def run(record, **request):
        with django_capture_on_commit_callbacks(execute=True):
            if request.pop("no_request", False):
                record()
            else:
                in_request(record, **request)
        return list(Goal.objects.all())

    return run


def staff():
    return get_user_model().objects.create(username="equipe", is_staff=True)


def test_a_visitor_goal_carries_the_visitor_number_of_the_day(recorded):
    user = get_user_model().objects.create(username="cliente")
    [goal] = recorded(lambda: goal_record(name="audit_completed", subject=user))
    assert goal.name == "audit_completed"
    assert goal.visitor == hashing.visitor_hash(ip="203.0.113.7", user_agent=FIREFOX, day=goal.day)
    assert goal.subject == subject_key(user) and goal.follows == ""
    assert goal.attributed is False


def test_staff_and_robots_reaching_a_goal_record_nothing(recorded):
    assert recorded(lambda: goal_record(name="audit_completed"), user=staff()) == []
    robot = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"
    assert recorded(lambda: goal_record(name="audit_completed"), user_agent=robot) == []
    assert recorded(lambda: goal_record(name="audit_completed"), user_agent="") == []


@pytest.mark.parametrize("header", ["HTTP_DNT", "HTTP_SEC_GPC"])
def test_a_visitor_asking_not_to_be_tracked_counts_without_a_number(recorded, header):
    [goal] = recorded(lambda: goal_record(name="newsletter_confirmed"), **{header: "1"})
    assert goal.visitor is None


def test_outside_a_request_the_goal_has_no_visitor(recorded):
    [goal] = recorded(lambda: goal_record(name="report_sent"), no_request=True)
    assert goal.visitor is None


def test_a_step_recorded_by_staff_counts_without_visitor(recorded):
    user = get_user_model().objects.create(username="cliente")
    [goal] = recorded(
        lambda: goal_record(name="call_held", subject=user, follows=user, by_visitor=False), user=staff()
    )
    assert goal.visitor is None
    assert goal.follows == subject_key(user)


def test_nothing_is_recorded_when_the_transaction_rolls_back(django_capture_on_commit_callbacks):
    def failed_audit():
        with transaction.atomic():
            in_request(lambda: goal_record(name="audit_completed"))
            raise RuntimeError("the audit could not be saved")

    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(RuntimeError):
        failed_audit()
    assert callbacks == []
    assert not Goal.objects.exists()


def test_an_unknown_goal_is_a_programming_error(settings):
    with pytest.raises(ValueError):
        goal_record(name="audit_finished")
    settings.ANALYTICS_ENABLED = False
    with pytest.raises(ValueError):
        goal_record(name="audit_finished")


def test_nothing_is_recorded_when_analytics_is_off(recorded, settings):
    settings.ANALYTICS_ENABLED = False
    assert recorded(lambda: goal_record(name="audit_completed")) == []


def test_a_failed_write_does_not_break_what_the_visitor_did(recorded, monkeypatch, caplog):
    def broken(self, *args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(Goal, "save", broken)
    assert recorded(lambda: goal_record(name="audit_completed")) == []
    assert "goal audit_completed not recorded" in caplog.text


def test_subject_key_is_stable_and_reveals_no_id(settings):
    User = get_user_model()
    first = User.objects.create(username="a")
    second = User.objects.create(username="b")
    key = subject_key(first)
    assert key == subject_key(User.objects.get(pk=first.pk))
    assert key != subject_key(second)
    assert len(key) == 32 and set(key) <= set("0123456789abcdef")
    label = f"auth.User:{first.pk}".encode()
    # Not a plain hash of the object's label, which anyone could compute for every id.
    assert key not in {hashlib.sha256(label).hexdigest()[:32], hashlib.md5(label).hexdigest()}  # noqa: S324
    settings.SECRET_KEY = "another-secret-key-for-this-test-only-0123456789"
    assert subject_key(first) != key
    assert subject_key(None) == ""
