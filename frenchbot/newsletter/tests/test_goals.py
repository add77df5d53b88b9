"""The goal of the newsletter: « newsletter_confirmed » when the double opt-in is confirmed (the button of the
link), once; asking to subscribe is not yet the goal."""

import pytest
from django.test import Client
from django.urls import reverse

from frenchbot.analytics.goals import subject_key
from frenchbot.analytics.models import Goal
from frenchbot.newsletter.models import Subscriber
from frenchbot.newsletter.services.subscriptions import subscriber_token

from .factories import SubscriberFactory

pytestmark = pytest.mark.django_db

BROWSER = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148"


@pytest.fixture
def visitor():
    return Client(HTTP_USER_AGENT=BROWSER)


def _pending(lists):
    subscriber = SubscriberFactory(email="camille@exemple.fr")
    subscriber.lists.set([lists["actualites"]])
    return subscriber


def _confirm_url(subscriber):
    return reverse("newsletter:confirm", args=[subscriber_token(subscriber=subscriber, action="confirm")])


def test_the_confirmation_button_is_one_goal_about_the_subscriber(
    visitor, lists, django_capture_on_commit_callbacks
):
    subscriber = _pending(lists)
    url = _confirm_url(subscriber)
    with django_capture_on_commit_callbacks(execute=True):
        assert visitor.get(url).status_code == 200  # the link opened (a mail scanner too): not yet
        assert not Goal.objects.exists()
        assert visitor.post(url).status_code == 200
        assert visitor.post(url).status_code == 200  # pressed twice: harmless, counted once
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.CONFIRMED
    [goal] = Goal.objects.filter(name="newsletter_confirmed")
    assert goal.subject == subject_key(subscriber)
    assert goal.visitor is not None


def test_a_refused_confirmation_records_nothing(visitor, lists, django_capture_on_commit_callbacks):
    subscriber = _pending(lists)
    url = _confirm_url(subscriber)
    Subscriber.objects.filter(pk=subscriber.pk).update(status=Subscriber.Status.UNSUBSCRIBED)
    with django_capture_on_commit_callbacks(execute=True):
        assert visitor.post(url).status_code == 409
    assert not Goal.objects.exists()


def test_a_staff_member_confirming_their_own_address_is_not_counted(
    visitor, lists, django_user_model, django_capture_on_commit_callbacks
):
    visitor.force_login(django_user_model.objects.create_user("camille", password="x", is_staff=True))
    subscriber = _pending(lists)
    with django_capture_on_commit_callbacks(execute=True):
        assert visitor.post(_confirm_url(subscriber)).status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.CONFIRMED
    assert not Goal.objects.exists()
