"""« Événements » in the back-office: the list with counts, an event's registrants and export, attendance marked
through the follow-up service, the replay and survey button, the survey's results, and who may do what.

The real follow-up services run behind the views: attendance lands in the database and on the lead's timeline,
and the replay and survey leave through the real SMTP server of `smtp_server`."""

import csv
import datetime
import html
import io
import re
from email.header import decode_header, make_header

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from frenchbot.accounts.tests.helpers import staff_group
from frenchbot.events.models import Event, Registration, SurveyResponse
from frenchbot.leads.models import Lead, LeadEvent

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


ATTENDED = LeadEvent.Kind.EVENT_ATTENDED


def attended_on_timeline(name: str) -> int:
    """How many « présent à un événement » lines the lead of registrant `name` has."""
    return LeadEvent.objects.filter(lead__email=f"{name.lower()}@exemple.fr", kind=ATTENDED).count()


def marks(event) -> dict:
    return dict(Registration.objects.filter(event=event).values_list("name", "attended"))


def subject(message) -> str:
    return str(make_header(decode_header(message["Subject"])))


def body(message) -> str:
    for part in message.walk():
        if part.get_content_type() == "text/plain":
            return part.get_payload(decode=True).decode()
    raise AssertionError("no text part")


def nothing_changed(event, smtp_server) -> None:
    """No e-mail left, no attendance marked, no lead's timeline touched, the follow-up not claimed."""
    assert smtp_server == []
    assert set(marks(event).values()) == {None}
    assert not LeadEvent.objects.exists() and not Lead.objects.exists()
    event.refresh_from_db()
    assert event.followup_sent_at is None


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


def test_no_attendance_form_before_the_event(django_user_model, smtp_server):
    event = make_event("demain", starts_in_hours=24)
    bruno = register(event, "Bruno", seat=1)
    client = member(django_user_model, "Formation")
    html = client.get(f"/equipe/evenements/{event.pk}/").content.decode()
    assert 'name="present"' not in html and "Envoyer le replay" not in html
    # A forged POST: the French 400, nothing written.
    response = client.post(reverse("backoffice:event_attendance", args=[event.pk]), {"present": [bruno.pk]})
    assert response.status_code == 400 and "une fois l'événement commencé" in page_text(response)
    nothing_changed(event, smtp_server)


def test_the_attendance_form_marks_the_rows(django_user_model, past_event):
    client = member(django_user_model, "Formation", enforce_csrf_checks=True)
    page = client.get(f"/equipe/evenements/{past_event.pk}/").content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    alice = Registration.objects.get(name="Alice")
    bruno = Registration.objects.get(name="Bruno")
    url = reverse("backoffice:event_attendance", args=[past_event.pk])

    response = client.post(url, {"csrfmiddlewaretoken": token, "present": [str(alice.pk)]}, follow=True)

    assert response.status_code == 200
    assert "Présence enregistrée\u00a0: 1 personne présente sur 2 inscrites." in response.content.decode()
    assert marks(past_event) == {"Alice": True, "Bruno": False, "Chloe": None, "Denis": None}
    # Alice, registered before leads were kept, becomes a lead whose timeline says she came; Bruno, absent,
    # gets no such line.
    assert attended_on_timeline("Alice") == 1 and attended_on_timeline("Bruno") == 0
    line = LeadEvent.objects.get(kind=ATTENDED)
    assert "Atelier prompts" in line.summary and line.payload["by"] == client.user.pk
    # Saved again unchanged: nothing recorded twice.
    response = client.post(url, {"csrfmiddlewaretoken": token, "present": [str(alice.pk)]}, follow=True)
    assert "Présence enregistrée\u00a0: rien n'a changé." in page_text(response)
    assert attended_on_timeline("Alice") == 1
    # The list now shows the rate.
    assert "50\u00a0%" in client.get("/equipe/evenements/").content.decode()

    # A change of mind: Bruno came after all, Alice did not; then Alice did after all.
    client.post(url, {"csrfmiddlewaretoken": token, "present": [str(bruno.pk)]})
    assert marks(past_event) == {"Alice": False, "Bruno": True, "Chloe": None, "Denis": None}
    assert attended_on_timeline("Bruno") == 1
    client.post(url, {"csrfmiddlewaretoken": token, "present": [str(alice.pk), str(bruno.pk)]})
    assert marks(past_event) == {"Alice": True, "Bruno": True, "Chloe": None, "Denis": None}
    # Each person came once: the timelines say it once, however often the mark went back and forth.
    assert attended_on_timeline("Alice") == 1 and attended_on_timeline("Bruno") == 1


def test_the_attendance_form_needs_its_csrf_token(django_user_model, past_event, smtp_server):
    client = member(django_user_model, "Formation", enforce_csrf_checks=True)
    alice = Registration.objects.get(name="Alice")
    response = client.post(
        reverse("backoffice:event_attendance", args=[past_event.pk]), {"present": [alice.pk]}
    )
    assert response.status_code == 403
    nothing_changed(past_event, smtp_server)


@pytest.mark.parametrize("present", [["abc"], ["999999"], ["1.5"]])
def test_bad_attendance_input_is_a_french_400(django_user_model, past_event, smtp_server, present):
    response = member(django_user_model, "Formation").post(
        reverse("backoffice:event_attendance", args=[past_event.pk]), {"present": present}
    )
    assert response.status_code == 400
    assert "Nous n'avons pas compris cette demande" in page_text(response)
    nothing_changed(past_event, smtp_server)


@pytest.mark.parametrize("name", ["Chloe", "Denis"])  # waitlisted, cancelled: not in the room
def test_only_confirmed_registrants_can_be_marked(django_user_model, past_event, smtp_server, name):
    alice = Registration.objects.get(name="Alice")
    other = Registration.objects.get(name=name)
    response = member(django_user_model, "Formation").post(
        reverse("backoffice:event_attendance", args=[past_event.pk]), {"present": [alice.pk, other.pk]}
    )
    assert response.status_code == 400
    assert "Une des personnes cochées n'est pas inscrite (confirmée) à cet événement." in page_text(response)
    # Nothing half-written: not even Alice, ticked with them.
    nothing_changed(past_event, smtp_server)


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


def test_the_follow_up_button_sends_the_replay_and_the_survey_once(
    django_user_model, past_event, smtp_server, django_capture_on_commit_callbacks
):
    client = member(django_user_model, "Formation")
    alice = Registration.objects.get(name="Alice")
    client.post(reverse("backoffice:event_attendance", args=[past_event.pk]), {"present": [alice.pk]})
    url = reverse("backoffice:event_followup", args=[past_event.pk])

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, follow=True)

    assert "Le replay et le questionnaire partent vers 2 participants." in page_text(response)
    bodies = {message["To"]: body(message) for message in smtp_server}
    # Waitlisted Chloe and cancelled Denis get nothing.
    assert sorted(bodies) == ["alice@exemple.fr", "bruno@exemple.fr"]
    # Alice, present: thanks, the replay and her own survey link; Bruno, absent: the replay alone.
    assert "https://exemple.fr/r" in bodies["alice@exemple.fr"]
    assert re.search(r"https?://\S+/evenements/avis/\S+/", bodies["alice@exemple.fr"])
    assert "https://exemple.fr/r" in bodies["bruno@exemple.fr"]
    assert "/evenements/avis/" not in bodies["bruno@exemple.fr"]
    assert {subject(message) for message in smtp_server} == {
        "Merci d'avoir participé\u00a0: Atelier prompts",
        "Le replay est en ligne\u00a0: Atelier prompts",
    }
    # The page says it went and offers the button no more.
    assert "Envoyés le" in page_text(response)
    assert f'action="{url}"' not in response.content.decode()

    # A second click (say, from a page left open) sends nothing more, and says so.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, follow=True)
    assert len(smtp_server) == 2
    assert "Rien à envoyer\u00a0: le suivi a déjà été envoyé ou personne n'est noté présent." in page_text(
        response
    )


def test_the_follow_up_waits_for_the_attendance(
    django_user_model, past_event, smtp_server, django_capture_on_commit_callbacks
):
    client = member(django_user_model, "Formation")
    url = reverse("backoffice:event_followup", args=[past_event.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, follow=True)
    assert "Notez d'abord qui était présent\u00a0:" in page_text(response)
    # Nothing sent, nothing claimed: the button is still there for after the attendance.
    nothing_changed(past_event, smtp_server)
    assert f'action="{url}"' in response.content.decode()
    alice = Registration.objects.get(name="Alice")
    client.post(reverse("backoffice:event_attendance", args=[past_event.pk]), {"present": [alice.pk]})
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url)
    assert sorted(message["To"] for message in smtp_server) == ["alice@exemple.fr", "bruno@exemple.fr"]


def test_the_follow_up_waits_for_the_end(django_user_model, smtp_server, django_capture_on_commit_callbacks):
    running = make_event(
        "en-cours", starts_in_hours=0, duration_minutes=120, replay_url="https://exemple.fr/r"
    )
    register(running, "Alice", seat=1, attended=True)
    client = member(django_user_model, "Formation")
    assert "Envoyer le replay" not in client.get(f"/equipe/evenements/{running.pk}/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("backoffice:event_followup", args=[running.pk]))
    assert response.status_code == 400
    assert "Le suivi ne peut être envoyé qu'une fois l'événement terminé." in page_text(response)
    assert smtp_server == []
    running.refresh_from_db()
    assert running.followup_sent_at is None


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


def test_who_may_do_what(
    client, django_user_model, past_event, smtp_server, django_capture_on_commit_callbacks
):
    alice = Registration.objects.get(name="Alice")
    reads = [
        "/equipe/evenements/",
        f"/equipe/evenements/{past_event.pk}/",
        f"/equipe/evenements/{past_event.pk}/inscrits.csv",
    ]
    writes = [f"/equipe/evenements/{past_event.pk}/presence/", f"/equipe/evenements/{past_event.pk}/suivi/"]
    with django_capture_on_commit_callbacks(execute=True):
        for url in reads + writes:
            response = client.post(url, {"present": [alice.pk]}) if url in writes else client.get(url)
            assert response.status_code == 302 and response["Location"].startswith("/admin/login/"), url
        for n, group in enumerate([None, "Rédaction", "Modération"]):
            staff = member(django_user_model, group, username=f"u{n}")
            for url in reads:
                assert staff.get(url).status_code == 403, (group, url)
            for url in writes:
                assert staff.post(url, {"present": [alice.pk]}).status_code == 403, (group, url)
    nothing_changed(past_event, smtp_server)
