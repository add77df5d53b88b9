"""The events' figures on a hand-built event: registrations per status, attendance once marked, the survey."""

import datetime

import pytest
from django.utils import timezone

from frenchbot.events import stats
from frenchbot.events.models import Event, Registration, SurveyResponse

pytestmark = pytest.mark.django_db

S = Registration.Status


def make_event(slug="atelier", *, starts_in_days=-2, **fields) -> Event:
    return Event.objects.create(
        slug=slug,
        title=fields.pop("title", "Atelier ChatGPT"),
        starts_at=timezone.now() + datetime.timedelta(days=starts_in_days),
        seats=fields.pop("seats", 3),
        **fields,
    )


def register(event, name, status=S.CONFIRMED, seat=None, **fields) -> Registration:
    return Registration.objects.create(
        event=event, name=name, email=f"{name.lower()}@exemple.fr", status=status, seat=seat, **fields
    )


@pytest.fixture
def workshop():
    event = make_event()
    alice = register(event, "Alice", seat=1, attended=True)
    bruno = register(event, "Bruno", seat=2, attended=False)
    chloe = register(event, "Chloe", seat=3, attended=True)
    register(event, "Denis", status=S.WAITLISTED)
    register(event, "Emma", status=S.WAITLISTED)
    register(event, "Farid", status=S.CANCELLED)
    SurveyResponse.objects.create(registration=alice, rating=5, comment="Très concret, merci.")
    SurveyResponse.objects.create(registration=chloe, rating=4)
    SurveyResponse.objects.create(registration=bruno, rating=4, comment="Un peu rapide.")
    return event


def test_counts_attendance_and_rating_per_event(workshop, django_assert_max_num_queries):
    later = make_event("webinaire", starts_in_days=10, title="Webinaire")
    register(later, "Gaston", seat=1)

    with django_assert_max_num_queries(1):
        upcoming, past = stats.events_with_figures()

    assert [e.slug for e in upcoming] == ["webinaire"] and [e.slug for e in past] == ["atelier"]
    event = past[0]
    assert (event.confirmed, event.waitlisted, event.cancelled) == (3, 2, 1)
    assert (event.present, event.marked, event.attendance_rate) == (2, 3, 67)
    assert (event.ratings, event.rating_average) == (3, 4.3)
    # Nobody marked yet: no rate rather than 0 %.
    assert upcoming[0].attendance_rate is None and upcoming[0].rating_average is None


def test_registrants_in_order_with_waiting_positions(workshop):
    registrants = stats.event_registrants(event=workshop)
    assert [(r.name, r.seat, r.waiting_position) for r in registrants] == [
        ("Alice", 1, None),
        ("Bruno", 2, None),
        ("Chloe", 3, None),
        ("Denis", None, 1),
        ("Emma", None, 2),
        ("Farid", None, None),
    ]


def test_survey_results(workshop):
    results = stats.event_survey_results(event=workshop)
    assert results.count == 3 and results.average == 4.3
    assert [(line.rating, line.count, line.percent) for line in results.distribution] == [
        (5, 1, 33),
        (4, 2, 67),
        (3, 0, 0),
        (2, 0, 0),
        (1, 0, 0),
    ]
    assert {response.comment for response in results.comments} == {"Très concret, merci.", "Un peu rapide."}


def test_an_event_with_nothing_yet():
    event = make_event(starts_in_days=5)
    assert stats.event_with_figures(event_id=event.pk).confirmed == 0
    assert stats.event_with_figures(event_id=event.pk + 1) is None
    results = stats.event_survey_results(event=event)
    assert results.count == 0 and results.average is None and results.comments == []


def test_registrant_rows(workshop):
    header, *rows = list(stats.registrant_csv_rows(event=workshop))
    assert header[:4] == ["nom", "e-mail", "entreprise", "statut"]
    assert rows[0][:9:8] == ["Alice", 5]
    assert rows[0][4] == 1 and rows[0][7] == "oui"
    assert rows[3][3] == "Liste d'attente" and rows[3][5] == 1
