"""Signing a half-day: for oneself only, once, inside the window; the trainer's marks and countersignature; the
signing page's idea of who is in front of it."""

import datetime
import json

import pytest
from django.urls import get_resolver, reverse
from django.utils import timezone
from freezegun import freeze_time

from frenchbot.sessions.errors import SessionError
from frenchbot.sessions.models import Attendance
from frenchbot.sessions.services.attendance import (
    attendance_record,
    attendance_sign,
    half_day_countersign,
    hours_attended,
)

from .factories import HalfDayFactory, RegistrationFactory, TrainingSessionFactory

pytestmark = pytest.mark.django_db

DRAWING = json.dumps([[[10, 50], [40, 20], [80, 60], [120, 30], [160, 55], [200, 40]]])


@pytest.fixture(autouse=True)
def _mid_morning():
    """Each test runs at 10:00 in Paris today, the clock moving on from there: in the evening a half-day started
    ten minutes ago would end after midnight. The site's addresses (and the API's schemas) are loaded before
    the clock is set, as they are in a running site."""
    assert get_resolver().url_patterns
    with freeze_time(timezone.localtime().replace(hour=10, minute=0, second=0, microsecond=0), tick=True):
        yield


@pytest.fixture
def half_day():
    """A morning that started ten minutes ago (09:00–12:30 in Paris, as far as the window is concerned)."""
    now = timezone.localtime()
    start = (now - datetime.timedelta(minutes=10)).replace(second=0, microsecond=0)
    end = start + datetime.timedelta(hours=3)
    if end.date() != start.date():  # near midnight: a window that fits in the day
        start, end = start.replace(hour=9, minute=0), start.replace(hour=12, minute=30)
    return HalfDayFactory(date=start.date(), starts_at=start.time(), ends_at=end.time())


def _sign(half_day, registration, signer=None, **kwargs):
    values = {"method": "typed", "signed_name": registration.name, **kwargs}
    return attendance_sign(
        half_day=half_day, registration=registration, signer=signer or registration, **values
    )


def test_signature_rules(half_day):
    alice = RegistrationFactory(session=half_day.session, name="Alice Martin")
    bob = RegistrationFactory(session=half_day.session, name="Bob Durand")

    with pytest.raises(SessionError) as error:
        _sign(half_day, bob, signer=alice)
    assert error.value.code == "forbidden" and "pour vous-même" in error.value.message

    attendance = _sign(half_day, alice, method="drawn", strokes_raw=DRAWING)
    assert attendance.status == Attendance.Status.PRESENT and attendance.strokes[0][0] == [10.0, 50.0]
    with pytest.raises(SessionError) as error:
        _sign(half_day, alice)
    assert error.value.code == "duplicate" and "déjà signé" in error.value.message

    for bad in ("[]", "not json", json.dumps([[["<script>", 1]]])):
        with pytest.raises(SessionError) as error:
            _sign(half_day, bob, method="drawn", strokes_raw=bad)
        assert error.value.field == "strokes"

    too_late = half_day.end + datetime.timedelta(hours=2)
    with pytest.raises(SessionError) as error:
        _sign(half_day, bob, now=too_late)
    assert error.value.code == "window"
    too_early = half_day.start - datetime.timedelta(hours=2)
    with pytest.raises(SessionError) as error:
        _sign(half_day, bob, now=too_early)
    assert error.value.code == "window"

    late = _sign(half_day, bob, now=half_day.start + datetime.timedelta(minutes=40))
    assert late.status == Attendance.Status.LATE
    assert Attendance.objects.filter(half_day=half_day).count() == 2


def test_countersign_closes_the_half_day(half_day, admin_user):
    present = RegistrationFactory(session=half_day.session)
    absent = RegistrationFactory(session=half_day.session)
    other_session = RegistrationFactory(session=TrainingSessionFactory())
    _sign(half_day, present)
    with pytest.raises(SessionError):
        attendance_record(half_day=half_day, registration=other_session, status="absent", by=admin_user)

    half_day_countersign(half_day=half_day, by=admin_user, method="typed", signed_name="Camille Formatrice")
    half_day.refresh_from_db()
    assert half_day.countersigned_at and half_day.countersign_name == "Camille Formatrice"
    assert Attendance.objects.get(registration=absent, half_day=half_day).status == Attendance.Status.ABSENT

    with pytest.raises(SessionError) as error:
        _sign(half_day, absent)
    assert error.value.code == "closed"
    with pytest.raises(SessionError):
        half_day_countersign(half_day=half_day, by=admin_user, method="typed", signed_name="Encore")
    assert hours_attended(registration=present) == pytest.approx(3.0)
    assert hours_attended(registration=absent) == 0


def test_signing_page_signs_only_as_the_learner_of_this_browser(client, half_day):
    alice = RegistrationFactory(session=half_day.session, name="Alice Martin")
    bob = RegistrationFactory(session=half_day.session, name="Bob Durand")
    url = reverse("sessions:sign", args=[half_day.token])

    response = client.get(url)
    assert response.status_code == 403 and "votre convocation" in response.content.decode()

    client.get(reverse("sessions:learner", args=[alice.token]))  # the convocation's link
    page = client.get(url).content.decode()
    assert "Alice Martin" in page and "Je signe" in page

    forged = client.post(url, {"registration": bob.pk, "method": "typed", "signed_name": "Bob Durand"})
    assert forged.status_code == 403 and "pour vous-même" in forged.content.decode()
    assert not Attendance.objects.filter(registration=bob).exists()

    done = client.post(url, {"registration": alice.pk, "method": "typed", "signed_name": "Alice Martin"})
    assert done.status_code == 200 and "C’est signé" in done.content.decode().replace("'", "’")
    again = client.get(url).content.decode()
    assert "déjà signé" in again
    assert Attendance.objects.get(registration=alice).signed_name == "Alice Martin"


def test_trainer_screen_needs_the_permission(client, half_day, django_user_model):
    url = reverse("backoffice:half_day_signing", args=[half_day.session_id, half_day.pk])
    assert client.get(url).status_code == 302  # to the login
    staff = django_user_model.objects.create_user("assistant", "assistant@exemple.fr", "x", is_staff=True)
    client.force_login(staff)
    assert client.get(url).status_code == 403

    RegistrationFactory(session=half_day.session, name="Alice Martin")
    client.force_login(django_user_model.objects.create_superuser("chef", "chef@exemple.fr", "x"))
    page = client.get(url).content.decode()
    assert half_day.token in page and "Alice Martin" in page
    qr = client.get(reverse("backoffice:half_day_qr", args=[half_day.session_id, half_day.pk]))
    assert qr["Content-Type"] == "image/svg+xml" and b"<svg" in qr.content


def test_a_countersignature_without_a_name_is_refused_on_the_trainer_screen(
    client, half_day, django_user_model
):
    client.force_login(django_user_model.objects.create_superuser("chef", "chef@exemple.fr", "x"))
    url = reverse("backoffice:half_day_countersign", args=[half_day.session_id, half_day.pk])
    response = client.post(url, {"method": "typed", "signed_name": ""})
    assert response.status_code == 400 and "Tapez votre nom pour signer" in response.content.decode()
    half_day.refresh_from_db()
    assert half_day.countersigned_at is None


def test_before_its_window_the_signing_page_says_when_it_opens(client):
    later = HalfDayFactory()  # three weeks from today, 9 h 00
    learner = RegistrationFactory(session=later.session)
    client.get(reverse("sessions:learner", args=[learner.token]))
    page = client.get(reverse("sessions:sign", args=[later.token])).content.decode()
    assert "ouvre à 8 h 30" in page and "Je signe" not in page
