"""« Événements » in the back-office: the list with counts, an event's registrants and export, attendance marked
through the follow-up service, the replay and survey button, the survey's results, and who may do what.

The follow-up services (`registration_attendance_mark`, `event_followup_send`) belong to the events' follow-up
part: these tests stand in for them, on the module attribute the view calls, and check what the view asks."""

import csv
import datetime
import html
import io
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from frenchbot.accounts.tests.helpers import staff_group
from frenchbot.events.models import Event, Registration, SurveyResponse
from frenchbot.events.services import followup

pytestmark = pytest.mark.django_db

S = Registration.Status


def page_text(response) -> str:
    return html.unescape(response.content.decode())


def member(django_user_model, group: str | None, username="lea", **client_options) -> Client:
    user = django_user_model.objects.create_user(username, f"{username}@exemple.fr", "x", is_staff=True)
    if group:
        user.groups.add(staff_group(group))
    client = Client(**client_options)
    client.force_login(user)
    client.user = user
    return client


def make_event(slug, *, starts_in_hours, **fields) -> Event:
    return Event.objects.create(
        slug=slug,
        title=fields.pop("title", slug.capitalize()),
        starts_at=timezone.now() + datetime.timedelta(hours=starts_in_hours),
        seats=2,
        **fields,
    )


def register(event, name, status=S.CONFIRMED, seat=None, **fields) -> Registration:
    return Registration.objects.create(
        event=event, name=name, email=f"{name.lower()}@exemple.fr", status=status, seat=seat, **fields
    )


@pytest.fixture
def past_event():
    event = make_event(
        "atelier-passe", starts_in_hours=-3, title="Atelier prompts", replay_url="https://exemple.fr/r"
    )
    alice = register(event, "Alice", seat=1, company='=HYPERLINK("x")')
    register(event, "Bruno", seat=2)
    register(event, "Chloe", status=S.WAITLISTED)
    register(event, "Denis", status=S.CANCELLED)
    SurveyResponse.objects.create(registration=alice, rating=5, comment="Très utile.")
    return event


@pytest.fixture
def attendance_service(monkeypatch):
    """A stand-in for followup.registration_attendance_mark (being written by the follow-up part): records each
    call and writes the mark as the real one will."""
    calls = []

    def mark(*, registration, attended, by):
        calls.append((registration.name, attended, by.username))
        registration.attended = attended
        registration.save(update_fields=["attended"])
        return registration

    monkeypatch.setattr(followup, "registration_attendance_mark", mark, raising=False)
    return calls


def test_the_list_counts_each_event(django_user_model, past_event):
    make_event("webinaire-futur", starts_in_hours=48, title="Webinaire à venir")
    html = member(django_user_model, "Formation").get("/equipe/evenements/").content.decode()
    upcoming, past = html.split('id="passes"')
    assert "Webinaire à venir" in upcoming and "Atelier prompts" in past
    row = past.split("Atelier prompts", 1)[1].split("</tr>", 1)[0]
    figures = re.findall(r'<td class="funnel__num">([^<]*)', row)
    assert figures[:3] == ["2\u00a0/\u00a02", "1", "1"]
    assert figures[3] == "—"  # attendance not marked yet
    assert figures[4].startswith("5,0\u00a0/\u00a05") or figures[4].startswith("5\u00a0/\u00a05")


def test_the_event_page_lists_registrants_and_the_survey(django_user_model, past_event):
    response = member(django_user_model, "Commercial").get(f"/equipe/evenements/{past_event.pk}/")
    html = response.content.decode()
    assert response.status_code == 200
    for text in ("Alice", "bruno@exemple.fr", "place n°\u00a01", "rang\u00a01 en attente", "Annulé"):
        assert text in html
    assert "Très utile." in html and "Note moyenne\u00a0: 5" in html
    # Started: the attendance form, with its CSRF token; ended: the follow-up button.
    assert 'name="present" value="' in html and "csrfmiddlewaretoken" in html
    assert "Envoyer le replay et le questionnaire" in html


def test_no_attendance_form_before_the_event(django_user_model, attendance_service):
    event = make_event("demain", starts_in_hours=24)
    bruno = register(event, "Bruno", seat=1)
    client = member(django_user_model, "Formation")
    html = client.get(f"/equipe/evenements/{event.pk}/").content.decode()
    assert 'name="present"' not in html and "Envoyer le replay" not in html
    response = client.post(reverse("backoffice:event_attendance", args=[event.pk]), {"present": [bruno.pk]})
    assert response.status_code == 400 and "une fois l'événement commencé" in page_text(response)
    assert attendance_service == []


def test_the_attendance_form_marks_the_rows(django_user_model, past_event, attendance_service):
    client = member(django_user_model, "Formation", enforce_csrf_checks=True)
    page = client.get(f"/equipe/evenements/{past_event.pk}/").content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    alice = Registration.objects.get(name="Alice")
    url = reverse("backoffice:event_attendance", args=[past_event.pk])

    response = client.post(url, {"csrfmiddlewaretoken": token, "present": [str(alice.pk)]}, follow=True)

    assert response.status_code == 200
    assert "Présence enregistrée\u00a0: 1 personne présente sur 2 inscrites." in response.content.decode()
    assert sorted(attendance_service) == [("Alice", True, "lea"), ("Bruno", False, "lea")]
    marks = dict(Registration.objects.filter(event=past_event).values_list("name", "attended"))
    assert marks == {"Alice": True, "Bruno": False, "Chloe": None, "Denis": None}
    # Saved again unchanged: nothing goes to the service twice.
    client.post(url, {"csrfmiddlewaretoken": token, "present": [str(alice.pk)]})
    assert len(attendance_service) == 2
    # The list now shows the rate.
    assert "50\u00a0%" in client.get("/equipe/evenements/").content.decode()


def test_the_attendance_form_needs_its_csrf_token(django_user_model, past_event, attendance_service):
    client = member(django_user_model, "Formation", enforce_csrf_checks=True)
    alice = Registration.objects.get(name="Alice")
    response = client.post(
        reverse("backoffice:event_attendance", args=[past_event.pk]), {"present": [alice.pk]}
    )
    assert response.status_code == 403
    assert attendance_service == []


@pytest.mark.parametrize("present", [["abc"], ["999999"], ["chloe"], ["1.5"]])
def test_bad_attendance_input_is_a_french_400(django_user_model, past_event, attendance_service, present):
    if present == ["chloe"]:  # waitlisted: not in the room
        present = [str(Registration.objects.get(name="Chloe").pk)]
    response = member(django_user_model, "Formation").post(
        reverse("backoffice:event_attendance", args=[past_event.pk]), {"present": present}
    )
    assert response.status_code == 400
    assert "Nous n'avons pas compris cette demande" in page_text(response)
    assert attendance_service == []
    assert not Registration.objects.filter(attended__isnull=False).exists()


def test_unknown_events_are_a_french_404(django_user_model, past_event):
    client = member(django_user_model, "Formation")
    for url in (
        f"/equipe/evenements/{past_event.pk + 100}/",
        f"/equipe/evenements/{past_event.pk + 100}/inscrits.csv",
        "/equipe/evenements/abc/",
    ):
        response = client.get(url)
        assert response.status_code == 404, url
        assert "introuvable" in response.content.decode().lower() or "n'existe pas" in page_text(response)
    assert client.post(f"/equipe/evenements/{past_event.pk + 100}/presence/").status_code == 404


def test_the_follow_up_button_calls_the_service(django_user_model, past_event, monkeypatch):
    asked = []

    def send(*, event):
        asked.append(event.pk)
        return 2

    monkeypatch.setattr(followup, "event_followup_send", send)
    response = member(django_user_model, "Formation").post(
        reverse("backoffice:event_followup", args=[past_event.pk]), follow=True
    )
    assert asked == [past_event.pk]
    assert "Le replay et le questionnaire partent vers 2 participants." in response.content.decode()


def test_the_follow_up_waits_for_the_end(django_user_model, monkeypatch):
    monkeypatch.setattr(followup, "event_followup_send", lambda *, event: pytest.fail("sent too early"))
    running = make_event("en-cours", starts_in_hours=0, duration_minutes=120)
    response = member(django_user_model, "Formation").post(
        reverse("backoffice:event_followup", args=[running.pk])
    )
    assert response.status_code == 400


def test_the_export_opens_with_its_columns_and_escapes_formulas(django_user_model, past_event):
    response = member(django_user_model, "Commercial").get(
        reverse("backoffice:event_export", args=[past_event.pk])
    )
    content = b"".join(response.streaming_content).decode("utf-8")
    assert response["Content-Type"] == "text/csv; charset=utf-8" and content.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(content[1:]), delimiter=";"))
    assert rows[0][:7] == [
        "nom",
        "e-mail",
        "entreprise",
        "statut",
        "place n°",
        "rang en liste d'attente",
        "inscrit le",
    ]
    assert rows[1][:5] == ["Alice", "alice@exemple.fr", '\'=HYPERLINK("x")', "Inscrit", "1"]
    assert rows[3][3:6] == ["Liste d'attente", "", "1"]


def test_who_may_do_what(client, django_user_model, past_event, attendance_service, monkeypatch):
    monkeypatch.setattr(followup, "event_followup_send", lambda *, event: pytest.fail("not allowed"))
    reads = [
        "/equipe/evenements/",
        f"/equipe/evenements/{past_event.pk}/",
        f"/equipe/evenements/{past_event.pk}/inscrits.csv",
    ]
    writes = [f"/equipe/evenements/{past_event.pk}/presence/", f"/equipe/evenements/{past_event.pk}/suivi/"]
    for url in reads + writes:
        response = client.post(url) if url in writes else client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/admin/login/"), url
    for n, group in enumerate([None, "Rédaction", "Modération"]):
        staff = member(django_user_model, group, username=f"u{n}")
        for url in reads:
            assert staff.get(url).status_code == 403, (group, url)
        for url in writes:
            assert staff.post(url, {"present": []}).status_code == 403, (group, url)
    assert attendance_service == []
