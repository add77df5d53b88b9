"""`frenchbot demo` loads three events dated from the day it runs (a past webinar with its replay, a webinar
and a nearly full workshop to come), linked to the demo trainings, once."""

import datetime
import zoneinfo
from html import unescape

import pytest
from django.core.management import call_command
from django.utils import timezone

from frenchbot.core.datafiles import DataFileError
from frenchbot.events import demo
from frenchbot.events.models import Event, Registration, SurveyResponse
from frenchbot.events.selectors import event_seats_left, events_past, events_upcoming
from frenchbot.events.services.followup import events_followup_due

pytestmark = pytest.mark.django_db

PARIS = zoneinfo.ZoneInfo("Europe/Paris")


def test_the_demo_loads_three_events_relative_to_today_once(tmp_path, settings, client):
    settings.VAR_DIR = tmp_path
    call_command("demo", quiet_login=True)
    assert Event.objects.count() == 3
    (past,) = events_past()
    webinar, workshop = events_upcoming()
    today = timezone.localdate(timezone=PARIS)

    assert past.kind == "webinar" and past.replay_url
    assert past.starts_at.astimezone(PARIS).date() == today - datetime.timedelta(days=10)
    assert past.followup_sent_at is not None  # the worker never mails the made-up people
    assert events_followup_due() == []
    assert SurveyResponse.objects.filter(registration__event=past).count() == 2

    assert webinar.kind == "webinar" and webinar.join_url
    start = webinar.starts_at.astimezone(PARIS)
    assert (start.date(), start.hour, start.minute) == (today + datetime.timedelta(days=9), 12, 30)
    assert webinar.training is not None and webinar.training.slug == "ia-dans-votre-pme"

    assert workshop.kind == "workshop" and workshop.place and workshop.seats == 12
    start = workshop.starts_at.astimezone(PARIS)
    assert (start.date(), start.hour, start.minute) == (today + datetime.timedelta(days=16), 9, 30)
    assert event_seats_left(event=workshop) == 2
    emails = Registration.objects.values_list("email", flat=True)
    assert emails and all(email.endswith("@example.com") for email in emails)

    assert "Plus que 2 places" in unescape(client.get("/").content.decode())

    # A second run, or the next start, adds nothing twice.
    call_command("demo", quiet_login=True)
    call_command("demo", quiet_login=True, if_empty=True)
    assert Event.objects.count() == 3
    assert Registration.objects.count() == 14


def test_remove_takes_the_demo_events_out_and_leaves_the_team_s_own():
    demo.events_demo_load()
    Event.objects.create(slug="notre-evenement", title="Le nôtre", starts_at=timezone.now())
    assert "3 événements de démonstration retirés" in demo.demo_remove()
    assert list(Event.objects.values_list("slug", flat=True)) == ["notre-evenement"]


def test_a_wrong_data_file_names_its_place(tmp_path, monkeypatch):
    bad = tmp_path / "events.toml"
    bad.write_text(
        '[[events]]\nslug = "x"\ntitle = "X"\nkind = "webinar"\nday = 1\ntime = "25:00"\nseats = 5\n'
    )
    monkeypatch.setattr(demo, "DEMO_FILE", bad)
    with pytest.raises(DataFileError, match="'time' should be HH:MM"):
        demo.events_demo_load()
    assert not Event.objects.exists()
