"""The goal of events: « event_registered » for each registration made, a seat or a place on the waiting list
(the person asked to come either way); a promotion from the waiting list is not a second one."""

import pytest
from django.test import Client
from django.urls import reverse

from frenchbot.analytics.goals import subject_key
from frenchbot.analytics.models import Goal
from frenchbot.core.formguard import form_timestamp
from frenchbot.events.models import Registration
from frenchbot.events.services.registrations import registration_cancel

from .factories import EventFactory, register

pytestmark = pytest.mark.django_db

BROWSER = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"


@pytest.fixture
def visitor():
    return Client(HTTP_USER_AGENT=BROWSER)


def _form(**overrides) -> dict:
    data = {
        "name": "Jeanne Dupont",
        "email": "jeanne@example.fr",
        "consent": "on",
        "website": "",
        "ts": form_timestamp(),
    }
    data.update(overrides)
    return data


def test_a_registration_is_one_goal_about_it(visitor, django_capture_on_commit_callbacks):
    event = EventFactory()
    with django_capture_on_commit_callbacks(execute=True):
        response = visitor.post(reverse("events:register", args=[event.slug]), _form())
    assert response.status_code == 302
    registration = Registration.objects.get()
    [goal] = Goal.objects.filter(name="event_registered")
    assert goal.subject == subject_key(registration)
    assert goal.visitor is not None


def test_the_waiting_list_counts_and_its_promotion_does_not(visitor, django_capture_on_commit_callbacks):
    event = EventFactory(seats=1)
    with django_capture_on_commit_callbacks(execute=True):
        seated = register(event, 1)
        visitor.post(reverse("events:register", args=[event.slug]), _form())
    waiting = Registration.objects.get(email="jeanne@example.fr")
    assert waiting.status == Registration.Status.WAITLISTED
    with django_capture_on_commit_callbacks(execute=True):
        registration_cancel(registration=seated)
    waiting.refresh_from_db()
    assert waiting.status == Registration.Status.CONFIRMED
    goals = Goal.objects.filter(name="event_registered")
    assert sorted(goals.values_list("subject", flat=True)) == sorted(
        [subject_key(seated), subject_key(waiting)]
    )


def test_an_invalid_form_records_nothing(visitor, django_capture_on_commit_callbacks):
    event = EventFactory()
    with django_capture_on_commit_callbacks(execute=True):
        response = visitor.post(reverse("events:register", args=[event.slug]), _form(consent=""))
    assert response.status_code == 400
    assert not Registration.objects.exists()
    assert not Goal.objects.exists()


def test_a_staff_member_registering_is_not_counted(
    visitor, django_user_model, django_capture_on_commit_callbacks
):
    visitor.force_login(django_user_model.objects.create_user("camille", password="x", is_staff=True))
    event = EventFactory()
    with django_capture_on_commit_callbacks(execute=True):
        assert visitor.post(reverse("events:register", args=[event.slug]), _form()).status_code == 302
    assert Registration.objects.count() == 1
    assert not Goal.objects.exists()
