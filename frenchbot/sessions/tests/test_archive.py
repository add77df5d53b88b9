"""The audit archive: what the ZIP holds per session and at the top, the satisfaction answers without names, the
period chosen in the address, and who may download it."""

import csv
import datetime
import io
import zipfile

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.test import Client
from django.urls import reverse

from frenchbot.courses.tests.factories import EnrolmentFactory, LearnerFactory, QuizAttemptFactory
from frenchbot.sessions.models import Attendance
from frenchbot.sessions.services import archive, conventions

from .factories import (
    AttendanceFactory,
    ComplaintFactory,
    HalfDayFactory,
    RegistrationFactory,
    SurveyResponseFactory,
    TrainingSessionFactory,
)

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 3, 12)


def _csv(archive_file: zipfile.ZipFile, name: str) -> list[list[str]]:
    content = archive_file.read(name).decode("utf-8")
    assert content.startswith("\ufeff")  # for a French Excel
    return list(csv.reader(io.StringIO(content[1:]), delimiter=";"))


@pytest.fixture
def past_session():
    session = TrainingSessionFactory(training__title="ChatGPT au bureau", training__slug="chatgpt-au-bureau")
    morning = HalfDayFactory(session=session, date=DAY)
    afternoon = HalfDayFactory(
        session=session, date=DAY, period="pm", starts_at=datetime.time(14), ends_at=datetime.time(17, 30)
    )
    user = LearnerFactory()
    alice = RegistrationFactory(
        session=session,
        name="Alice Martin",
        user=user,
        positioning={"Qu'attendez-vous de cette formation ?": "Gagner du temps sur les devis"},
    )
    bruno = RegistrationFactory(session=session, name="Bruno Petit")
    AttendanceFactory(registration=alice, half_day=morning, method="typed", signed_name="Alice Martin")
    AttendanceFactory(registration=alice, half_day=afternoon, status=Attendance.Status.LATE)
    AttendanceFactory(registration=bruno, half_day=morning, status=Attendance.Status.ABSENT)
    SurveyResponseFactory(registration=alice, rating=4, comment="Très concret.")
    SurveyResponseFactory(registration=bruno, rating=5, kind="cold", applied=4)
    QuizAttemptFactory(
        enrolment=EnrolmentFactory(user=user, training=session.training), score=80, passed=True
    )
    ComplaintFactory(
        training=session.training, reference="R-2026-0007", action="Convocations envoyées à J-10."
    )
    convention = conventions.convention_create(
        session=session,
        company_name="Boulangerie Dupont",
        company_address="3 place du Marché\n69002 Lyon",
        company_siret="",
        contact_name="Jeanne Dupont",
        contact_email="jeanne@boulangerie-dupont.fr",
        seats=2,
        price_text="2 400 € HT",
    )
    return session, convention


def test_the_archive_holds_every_piece_of_evidence(past_session):
    session, convention = past_session
    content = archive.archive_build(sessions=[session])
    zipped = zipfile.ZipFile(io.BytesIO(content))
    folder = f"2026-03-12-chatgpt-au-bureau-session-{session.pk}"
    assert set(zipped.namelist()) == {
        f"{folder}/programme.html",
        f"{folder}/positionnement.csv",
        f"{folder}/feuille-emargement.pdf",
        f"{folder}/resultats-quiz.csv",
        f"{folder}/certificats-de-realisation/alice-martin.pdf",
        f"{folder}/certificats-de-realisation/bruno-petit.pdf",
        f"{folder}/satisfaction.csv",
        f"{folder}/conventions/convention-{convention.number}-v1.pdf",
        "reclamations.csv",
        "synthese.csv",
        "synthese.html",
    }
    assert zipped.read(f"{folder}/feuille-emargement.pdf").startswith(b"%PDF")
    assert "ChatGPT au bureau" in zipped.read(f"{folder}/programme.html").decode()

    positioning = _csv(zipped, f"{folder}/positionnement.csv")
    assert "Qu'attendez-vous de cette formation ?" in positioning[0]
    assert [positioning[1][0], positioning[1][-1]] == ["Alice Martin", "Gagner du temps sur les devis"]

    quiz = _csv(zipped, f"{folder}/resultats-quiz.csv")
    assert len(quiz) == 2 and quiz[1][0] == "Alice Martin" and quiz[1][3:5] == ["80", "oui"]

    satisfaction = zipped.read(f"{folder}/satisfaction.csv").decode()
    assert "Très concret." in satisfaction
    assert "Alice" not in satisfaction and "Bruno" not in satisfaction and "Martin" not in satisfaction

    complaints = _csv(zipped, "reclamations.csv")
    assert complaints[1][0] == "R-2026-0007" and "Convocations envoyées à J-10." in complaints[1]

    [header, row] = _csv(zipped, "synthese.csv")
    summary = dict(zip(header, row, strict=True))
    assert summary["Stagiaires inscrits"] == "2"
    assert summary["Taux de présence (%)"] == "50"  # 2 of 4 half-days attended (late counts)
    assert summary["Heures dispensées"] == "7,0"
    assert summary["Satisfaction à chaud (sur 5)"] == "4,0"
    assert summary["Satisfaction à froid (sur 5)"] == "5,0"
    assert "ChatGPT au bureau" in zipped.read("synthese.html").decode()


def _staff(django_user_model, username, *codenames) -> Client:
    user = django_user_model.objects.create_user(username, f"{username}@thefrenchbot.fr", "x", is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="training_sessions", codename__in=codenames)
    )
    client = Client()
    client.force_login(user)
    return client


def test_the_period_archive_is_prepared_by_the_worker_and_e_mailed(
    django_user_model, django_capture_on_commit_callbacks
):
    inside = TrainingSessionFactory(training__slug="dans-la-periode")
    HalfDayFactory(session=inside, date=DAY)
    outside = TrainingSessionFactory(training__slug="hors-periode")
    HalfDayFactory(session=outside, date=DAY + datetime.timedelta(days=60))
    url = reverse("backoffice:period_archive")
    period = {"debut": "2026-03-01", "fin": "2026-03-31"}

    assert Client().get(url).status_code == 302  # to the login page
    assert _staff(django_user_model, "sans-droit").post(url, period).status_code == 403
    staff = _staff(django_user_model, "equipe", "view_trainingsession")
    assert "Préparer l’archive".replace("’", "'") in staff.get(url).content.decode().replace("’", "'")

    for bad in (
        {"debut": "12/03/2026", "fin": "2026-03-31"},
        {"debut": "2026-03-31", "fin": "2026-03-01"},
        {},
    ):
        response = staff.post(url, bad)
        assert response.status_code == 400
        assert "AAAA-MM-JJ" in response.content.decode() or "précède" in response.content.decode()
    assert not mail.outbox

    with django_capture_on_commit_callbacks(execute=True):
        response = staff.post(url, period)
    assert response.status_code == 200 and "en préparation" in response.content.decode()
    (message,) = mail.outbox
    link = next(line for line in message.body.splitlines() if "/equipe/qualiopi/archives/" in line).strip()
    path = link[link.index("/equipe/") :]
    assert Client().get(path).status_code == 302  # the link alone opens nothing
    download = staff.get(path)
    assert download.status_code == 200 and download["Content-Type"] == "application/zip"
    names = zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content))).namelist()
    assert any("dans-la-periode" in name for name in names)
    assert not any("hors-periode" in name for name in names)
    assert staff.get(path.replace(".zip", "x.zip")).status_code == 404

    # A week later the archive is gone.
    from django.utils import timezone

    assert archive.archives_stored_prune(now=timezone.now() + datetime.timedelta(days=8)) == 1
    assert staff.get(path).status_code == 404

    session_zip = staff.get(reverse("backoffice:session_archive", args=[outside.pk]))
    assert session_zip.status_code == 200
    assert any("hors-periode" in name for name in zipfile.ZipFile(io.BytesIO(session_zip.content)).namelist())


def test_the_period_archive_holds_the_e_learning_record_of_time_and_progress():
    from django.utils import timezone

    from frenchbot.courses.models import LessonCompletion
    from frenchbot.courses.tests.factories import LessonFactory, ModuleFactory

    enrolment = EnrolmentFactory(user=LearnerFactory(first_name="Zoé", last_name="Lambert"))
    lesson = LessonFactory(module=ModuleFactory(training=enrolment.training), minutes=12, title="Les prompts")
    LessonCompletion.objects.create(enrolment=enrolment, lesson=lesson)
    QuizAttemptFactory(enrolment=enrolment, score=60, passed=False)
    today = timezone.localdate()

    content = archive.archive_build_period(start=today - datetime.timedelta(days=1), end=today)
    archive_file = zipfile.ZipFile(io.BytesIO(content))
    folder = f"e-learning/{enrolment.training.slug}"
    header, row = _csv(archive_file, f"{folder}/suivi.csv")
    assert row[0] == "Zoé Lambert" and row[3:5] == ["1", "12"] and row[6] == "non"
    journal = _csv(archive_file, f"{folder}/journal.csv")
    assert [line[2] for line in journal[1:]] == ["Les prompts", journal[2][2]]
    assert "leçon terminée" in journal[1][3] and "60 %" in journal[2][3]

    older = archive.archive_build_period(
        start=today - datetime.timedelta(days=90), end=today - datetime.timedelta(days=30)
    )
    assert not any(name.startswith("e-learning/") for name in zipfile.ZipFile(io.BytesIO(older)).namelist())
