"""The session's PDFs as a reader sees them (text extracted): the attendance sheet, the certificate of
completion, the convention; and the team's downloads of them."""

import datetime
import io

import pypdf
import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from frenchbot.sessions.models import Attendance
from frenchbot.sessions.services import conventions, documents

from .factories import AttendanceFactory, HalfDayFactory, RegistrationFactory, TrainingSessionFactory

pytestmark = pytest.mark.django_db


def _pdf_text(content: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(content))
    # Extraction keeps non-breaking spaces; a reader sees them as spaces.
    return "\n".join(page.extract_text() for page in reader.pages).replace("\u00a0", " ")


@pytest.fixture(autouse=True)
def _training_body(settings):
    settings.TRAINING_BODY_NAME = "The French Bot SAS"
    settings.TRAINING_BODY_ADDRESS = "10 rue de la Paix, 75002 Paris"
    settings.TRAINING_BODY_NDA = "11755555575"
    settings.TRAINING_BODY_SIGNATORY = "Marie Curie, présidente"


@pytest.fixture
def attended():
    """A two-day session (three half-days of 3.5 hours): Alice present, then late, then absent; Bruno absent on
    the first half-day, with a drawn signature on the second; the first half-day countersigned."""
    session = TrainingSessionFactory(training__title="ChatGPT au bureau", trainer__first_name="Camille")
    day = datetime.date(2026, 3, 12)
    first = HalfDayFactory(
        session=session,
        date=day,
        countersigned_at=timezone.now(),
        countersign_name="Camille Formatrice",
    )
    second = HalfDayFactory(
        session=session, date=day, period="pm", starts_at=datetime.time(14), ends_at=datetime.time(17, 30)
    )
    third = HalfDayFactory(session=session, date=day + datetime.timedelta(days=1))
    alice = RegistrationFactory(session=session, name="Alice Martin", company="Boulangerie Dupont")
    bruno = RegistrationFactory(session=session, name="Bruno Petit")
    signed = timezone.make_aware(datetime.datetime(2026, 3, 12, 9, 5))
    AttendanceFactory(
        registration=alice, half_day=first, signed_at=signed, method="typed", signed_name="Alice Martin"
    )
    AttendanceFactory(
        registration=alice,
        half_day=second,
        status=Attendance.Status.LATE,
        signed_at=signed,
        method="typed",
        signed_name="Alice Martin",
    )
    AttendanceFactory(registration=alice, half_day=third, status=Attendance.Status.ABSENT)
    AttendanceFactory(registration=bruno, half_day=first, status=Attendance.Status.ABSENT)
    AttendanceFactory(
        registration=bruno,
        half_day=second,
        signed_at=signed,
        method="drawn",
        strokes=[[[10, 10], [40, 60], [80, 20], [120, 70], [160, 30]]],
    )
    return {"session": session, "alice": alice, "bruno": bruno}


def test_the_attendance_sheet_shows_each_signature_absence_and_the_countersignature(attended):
    text = _pdf_text(documents.attendance_sheet_pdf(session=attended["session"]))
    assert "Feuille d'émargement" in text
    assert "ChatGPT au bureau" in text
    assert "Alice Martin" in text and "Bruno Petit" in text and "Boulangerie Dupont" in text
    assert text.count("Absent") >= 2
    assert "En retard" in text
    assert "signé à 9 h 05" in text
    assert "Camille Formatrice" in text  # the countersignature
    assert "Non contre-signée" in text  # the other half-days
    assert "The French Bot SAS" in text and "11755555575" in text


def test_the_certificate_of_completion_counts_the_hours_attended(attended):
    text = _pdf_text(documents.completion_certificate_pdf(registration=attended["alice"]))
    assert "Certificat de réalisation" in text
    assert "The French Bot SAS" in text and "Marie Curie, présidente" in text
    assert "Alice Martin" in text and "Boulangerie Dupont" in text and "ChatGPT au bureau" in text
    assert "action de formation" in text
    # Present then late: two half-days of 3.5 hours; the absence does not count.
    assert "7 heures" in text
    assert "du 12 au 13 mars 2026" in text
    assert "Fait à Paris" in text

    assert documents.registration_hours_attended(registration=attended["bruno"]) == 3.5


def test_the_convention_pdf_names_the_parties_price_dates_and_then_the_signer(attended):
    session = attended["session"]
    convention = conventions.convention_create(
        session=session,
        company_name="Boulangerie Dupont",
        company_address="3 place du Marché\n69002 Lyon",
        company_siret="12345678900012",
        contact_name="Jeanne Dupont",
        contact_email="jeanne@boulangerie-dupont.fr",
        seats=2,
        price_text="2 400 € HT pour le groupe",
    )
    text = _pdf_text(documents.convention_pdf(convention=convention))
    assert convention.number in text
    assert "The French Bot SAS" in text and "Boulangerie Dupont" in text and "12345678900012" in text
    assert "2 400 € HT pour le groupe" in text
    assert "jeudi 12 mars 2026" in text and "vendredi 13 mars 2026" in text
    assert "10,5 heures" in text
    assert "Non signée" in text

    # Signing is closed once the session has started; this one is in the past, so stamp it as the service would.
    convention.signed_at = timezone.make_aware(datetime.datetime(2026, 3, 1, 10, 30))
    convention.signer_name, convention.signer_role = "Jeanne Dupont", "Gérante"
    convention.save()
    text = _pdf_text(documents.convention_pdf(convention=convention))
    assert "Signée par Jeanne Dupont, Gérante" in text and "1er mars 2026 à 10 h 30" in text
    assert "Non signée" not in text


def test_the_team_downloads_the_documents_with_the_permission_only(attended, django_user_model):
    session, alice = attended["session"], attended["alice"]
    sheet = reverse("backoffice:attendance_sheet", args=[session.pk])
    certificate = reverse("backoffice:completion_certificate", args=[session.pk, alice.pk])

    assert Client().get(sheet).status_code == 302  # to the login page
    user = django_user_model.objects.create_user("sans-droit", "sd@thefrenchbot.fr", "x", is_staff=True)
    staff = Client()
    staff.force_login(user)
    assert staff.get(sheet).status_code == 403
    assert staff.get(certificate).status_code == 403

    user.user_permissions.add(
        Permission.objects.get(content_type__app_label="training_sessions", codename="view_trainingsession")
    )
    response = staff.get(certificate)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "certificat-de-realisation-alice-martin.pdf" in response["Content-Disposition"]
    # A registration of another session is not found through this one.
    other = RegistrationFactory()
    assert (
        staff.get(reverse("backoffice:completion_certificate", args=[session.pk, other.pk])).status_code
        == 404
    )
