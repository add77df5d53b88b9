"""Certificates: issued when every required step is done, once; the PDF; the learner's page; the public check."""

import datetime
import decimal
import io
import re
import urllib.parse
from email.header import decode_header, make_header

import pypdf
import pytest
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from frenchbot.core.pdf import PdfError
from frenchbot.courses import certificates_pdf
from frenchbot.courses.certificates_pdf import (
    certificate_date_text,
    certificate_hours_text,
    certificate_pdf_bytes,
)
from frenchbot.courses.models import Certificate, Enrolment
from frenchbot.courses.selectors import certificates as certificate_selectors
from frenchbot.courses.selectors.certificates import certificate_get_by_code
from frenchbot.courses.services import certificates as certificate_services
from frenchbot.courses.services.certificates import certificate_issue_if_complete

from .factories import (
    CertificateFactory,
    EnrolmentFactory,
    ExerciseSubmissionFactory,
    LearnerFactory,
    LessonCompletionFactory,
    LessonFactory,
    ModuleFactory,
    PromptExerciseFactory,
    QuizAttemptFactory,
    QuizFactory,
    TrainingFactory,
)

pytestmark = pytest.mark.django_db

PASSWORD = "motdepasse-solide-42"


@pytest.fixture
def course():
    """A published training of two modules: a lesson, a quiz and an exercise, all required."""
    training = TrainingFactory(title="Prompter comme un pro", duration_hours=decimal.Decimal("7.5"))
    first, second = ModuleFactory(training=training), ModuleFactory(training=training)
    return {
        "training": training,
        "lesson": LessonFactory(module=first),
        "quiz": QuizFactory(module=first),
        "exercise": PromptExerciseFactory(module=second),
    }


@pytest.fixture
def enrolment(course):
    return EnrolmentFactory(
        training=course["training"],
        user__first_name="Élodie",
        user__last_name="Lefèvre",
        user__username="elodie",
    )


def _complete(enrolment, course, *, lesson=True, quiz=True, exercise=True):
    if lesson:
        LessonCompletionFactory(enrolment=enrolment, lesson=course["lesson"])
    if quiz:
        QuizAttemptFactory(enrolment=enrolment, quiz=course["quiz"], number=1)
    if exercise:
        ExerciseSubmissionFactory(enrolment=enrolment, exercise=course["exercise"])


def _client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _pdf_text(pdf: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return "\n".join(page.extract_text() for page in reader.pages)


# --------------------------------------------------------------------------------------------- issuing


def test_issued_only_once_every_required_step_is_done(course, enrolment):
    _complete(enrolment, course, exercise=False)
    assert certificate_issue_if_complete(enrolment=enrolment) is None
    assert not Certificate.objects.exists()

    ExerciseSubmissionFactory(enrolment=enrolment, exercise=course["exercise"])
    certificate = certificate_issue_if_complete(enrolment=enrolment)

    assert certificate is not None
    assert certificate.enrolment == enrolment
    assert certificate.learner_name == "Élodie Lefèvre"
    assert certificate.training_title == "Prompter comme un pro"
    assert certificate.hours == decimal.Decimal("7.5")
    assert certificate.issued_on == timezone.localdate()
    assert re.fullmatch(r"[A-Z2-9]{10}", certificate.code)
    enrolment.refresh_from_db()
    assert enrolment.completed_at is not None


@pytest.mark.parametrize("missing", ["lesson", "quiz", "exercise"])
def test_each_kind_of_required_step_blocks(course, enrolment, missing):
    _complete(enrolment, course, **{missing: False})
    assert certificate_issue_if_complete(enrolment=enrolment) is None


def test_a_failed_quiz_or_exercise_does_not_count(course, enrolment):
    _complete(enrolment, course, quiz=False, exercise=False)
    QuizAttemptFactory(enrolment=enrolment, quiz=course["quiz"], number=1, score=40, passed=False)
    ExerciseSubmissionFactory(enrolment=enrolment, exercise=course["exercise"], passed=False)
    assert certificate_issue_if_complete(enrolment=enrolment) is None

    QuizAttemptFactory(enrolment=enrolment, quiz=course["quiz"], number=2, score=90, passed=True)
    ExerciseSubmissionFactory(enrolment=enrolment, exercise=course["exercise"], passed=True)
    assert certificate_issue_if_complete(enrolment=enrolment) is not None


def test_optional_and_unpublished_steps_do_not_block(course, enrolment):
    module = course["lesson"].module
    LessonFactory(module=module, is_required=False)
    QuizFactory(module=module, is_required=False)
    PromptExerciseFactory(module=module, is_required=False)
    LessonFactory(module=module, is_published=False)
    _complete(enrolment, course)
    assert certificate_issue_if_complete(enrolment=enrolment) is not None


def test_steps_of_another_enrolment_do_not_count(course, enrolment):
    other = EnrolmentFactory(training=course["training"])
    _complete(other, course)
    assert certificate_issue_if_complete(enrolment=enrolment) is None


def test_a_training_without_steps_issues_nothing():
    enrolment = EnrolmentFactory()
    assert certificate_issue_if_complete(enrolment=enrolment) is None


def test_an_inactive_enrolment_gets_no_new_certificate(course, enrolment):
    _complete(enrolment, course)
    Enrolment.objects.filter(pk=enrolment.pk).update(is_active=False)
    enrolment.refresh_from_db()
    assert certificate_issue_if_complete(enrolment=enrolment) is None


def test_issuing_again_returns_the_same_certificate_with_one_query(
    course, enrolment, django_assert_num_queries
):
    _complete(enrolment, course)
    first = certificate_issue_if_complete(enrolment=enrolment)
    with django_assert_num_queries(1):
        again = certificate_issue_if_complete(enrolment=enrolment)
    assert again == first
    assert again.code == first.code
    assert Certificate.objects.filter(enrolment=enrolment).count() == 1


def test_a_concurrent_issue_returns_the_certificate_already_issued(course, enrolment, monkeypatch):
    """Two requests pass the "no certificate yet" check together; the second insert hits the one-to-one."""
    _complete(enrolment, course)
    real_progress = certificate_services.enrolment_progress
    concurrent = {}

    def progress_then_other_request_issues(**kwargs):
        progress = real_progress(**kwargs)
        concurrent["certificate"] = CertificateFactory(enrolment=enrolment, code="CONCURRENT")
        return progress

    monkeypatch.setattr(certificate_services, "enrolment_progress", progress_then_other_request_issues)
    certificate = certificate_issue_if_complete(enrolment=enrolment)

    assert certificate == concurrent["certificate"]
    assert certificate.code == "CONCURRENT"
    assert Certificate.objects.count() == 1


def test_a_taken_code_is_drawn_again(course, enrolment, monkeypatch):
    CertificateFactory(code="TAKEN23456")
    draws = iter(["TAKEN23456", "FRESH23456"])
    monkeypatch.setattr(certificate_services, "code_generate", lambda: next(draws))
    _complete(enrolment, course)
    assert certificate_issue_if_complete(enrolment=enrolment).code == "FRESH23456"


def test_the_certificate_is_a_snapshot(course, enrolment, client):
    _complete(enrolment, course)
    certificate = certificate_issue_if_complete(enrolment=enrolment)
    training = course["training"]
    training.title = "Un tout autre titre"
    training.duration_hours = decimal.Decimal("3")
    training.save()
    user = enrolment.user
    user.first_name, user.last_name = "Quelqu'un", "D'autre"
    user.save()

    certificate.refresh_from_db()
    assert (certificate.learner_name, certificate.training_title, certificate.hours) == (
        "Élodie Lefèvre",
        "Prompter comme un pro",
        decimal.Decimal("7.5"),
    )
    page = client.get(certificate.get_absolute_url()).content.decode()
    assert "Prompter comme un pro" in page and "Un tout autre titre" not in page
    assert "Élodie Lefèvre" in page and "D&#x27;autre" not in page


def test_issued_on_is_the_day_in_paris(course, enrolment, monkeypatch):
    # 23:30 in London on 27 November is already 28 November in Paris.
    late = datetime.datetime(2026, 11, 27, 23, 30, tzinfo=datetime.UTC)
    monkeypatch.setattr(timezone, "now", lambda: late)
    _complete(enrolment, course)
    certificate = certificate_issue_if_complete(enrolment=enrolment)
    assert certificate.issued_on == datetime.date(2026, 11, 28)


def test_a_learner_without_a_name_gets_the_local_part_of_the_address(course):
    user = LearnerFactory(first_name="", last_name="", email="c.martin@exemple.fr")
    enrolment = EnrolmentFactory(training=course["training"], user=user)
    _complete(enrolment, course)
    certificate = certificate_issue_if_complete(enrolment=enrolment)
    assert certificate.learner_name == "c.martin"
    assert certificate_selectors.certificate_name_is_from_email(certificate=certificate)


def test_a_code_is_found_however_it_is_typed():
    certificate = CertificateFactory(code="ABCD23EFGH")
    for typed in ["ABCD23EFGH", " abcd23efgh ", "ABCD-23EF-GH", "abcd 23ef gh", "ABCD\u201123EF\u00a0GH"]:
        assert certificate_get_by_code(code=typed) == certificate, typed
    for typed in ["", "   ", "ABCD23EFG", "ABCD23EFGH1", "<script>", "A" * 500]:
        assert certificate_get_by_code(code=typed) is None, typed


@pytest.mark.parametrize(
    ("hours", "text"),
    [("7", "7 heures"), ("7.0", "7 heures"), ("7.5", "7,5 heures"), ("1", "1 heure"), ("1.5", "1,5 heure"),
     ("0.5", "0,5 heure"), ("21", "21 heures")],
)  # fmt: skip
def test_hours_are_written_the_french_way(hours, text):
    assert certificate_hours_text(decimal.Decimal(hours)) == text


def test_dates_are_written_the_french_way():
    assert certificate_date_text(datetime.date(2026, 11, 28)) == "28 novembre 2026"
    assert certificate_date_text(datetime.date(2026, 12, 1)) == "1er décembre 2026"


# ------------------------------------------------------------------------------------------------- PDF


def test_the_pdf_states_everything_a_certificate_must(settings):
    settings.SITE_URL = "https://www.thefrenchbot.fr"
    training = TrainingFactory(title="ChatGPT au bureau : les bases", duration_hours=decimal.Decimal("7.5"))
    certificate = CertificateFactory(
        enrolment=EnrolmentFactory(training=training),
        learner_name="Élodie Lefèvre",
        issued_on=datetime.date(2026, 11, 28),
    )
    pdf = certificate_pdf_bytes(certificate=certificate)

    assert pdf.startswith(b"%PDF")
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (float(box.width), float(box.height)) == pytest.approx((841.89, 595.28), abs=1)  # A4 landscape
    text = _pdf_text(pdf)
    for expected in [
        "Élodie Lefèvre",
        "a suivi avec succès la formation",
        "ChatGPT au bureau : les bases",
        "7,5 heures",
        "28 novembre 2026",
        certificate.code,
        f"https://www.thefrenchbot.fr/certificats/{certificate.code}/",
    ]:
        assert expected in text, expected
    # The Inter font is embedded (not a fallback), and the QR code is drawn as vector paths: hundreds of
    # modules, far more than the few rectangles of the layout.
    fonts = reader.pages[0]["/Resources"]["/Font"]
    assert any("Inter" in str(font.get_object()["/BaseFont"]) for font in fonts.values())
    content = reader.pages[0].get_contents().get_data()
    assert len(re.findall(rb"\bl\b", content)) > 200


def test_the_pdf_keeps_whole_hours_whole():
    certificate = CertificateFactory(hours=decimal.Decimal("7.0"), issued_on=datetime.date(2027, 3, 1))
    text = _pdf_text(certificate_pdf_bytes(certificate=certificate))
    assert "7 heures" in text and "7,0" not in text
    assert "1er mars 2027" in text


def _qr_modules(data_uri: str) -> set[tuple[int, int]]:
    """The dark modules (row, column) drawn by the SVG path of a segno QR code, border removed."""
    svg = urllib.parse.unquote(data_uri.split(",", 1)[1])
    path = re.search(r"class=.qrline.[^>]*\sd=.([^'\"]+)", svg).group(1)
    x = y = 0.0
    dark = set()
    for command, a, b in re.findall(r"([Mmh])\s*(-?[\d.]+)(?:\s+(-?[\d.]+))?", path):
        if command == "M":
            x, y = float(a), float(b)
        elif command == "m":
            x, y = x + float(a), y + float(b)
        else:
            dark |= {(int(y) - 2, int(x) - 2 + i) for i in range(int(float(a)))}
            x += float(a)
    return dark


def test_the_qr_code_encodes_the_verification_url():
    # segno cannot read a QR code back: the modules drawn are compared with those of the URL's QR code.
    import segno

    url = "https://www.thefrenchbot.fr/certificats/ABCD23EFGH/"
    data_uri = certificates_pdf.certificate_qr_data_uri(url=url)
    assert data_uri.startswith("data:image/svg+xml")

    def expected(text):
        matrix = segno.make(text, error="m").matrix
        return {(r, c) for r, row in enumerate(matrix) for c, value in enumerate(row) if value}

    assert _qr_modules(data_uri) == expected(url)
    assert _qr_modules(data_uri) != expected(url.replace("ABCD23EFGH", "ABCD23EFGJ"))


# ---------------------------------------------------------------------------------- the learner's page


def test_the_page_and_the_pdf_need_a_login(course):
    slug = course["training"].slug
    for name in ("courses:certificate", "courses:certificate_pdf"):
        response = Client().get(reverse(name, args=[slug]))
        assert response.status_code == 302
        assert reverse("account_login") in response["Location"]


def test_the_learner_sees_their_certificate(course, enrolment):
    _complete(enrolment, course)
    certificate = certificate_issue_if_complete(enrolment=enrolment)
    response = _client_for(enrolment.user).get(reverse("courses:certificate", args=[course["training"].slug]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Félicitations" in page
    assert "Élodie Lefèvre" in page and "7,5 heures" in page and certificate.code in page
    assert reverse("courses:certificate_pdf", args=[course["training"].slug]) in page
    assert f"http://127.0.0.1:8000/certificats/{certificate.code}/" in page
    assert 'content="noindex' in page


def test_the_page_issues_a_certificate_due_but_missing(course, enrolment):
    """Steps done before certificates existed (or a missed hook): opening the page catches up."""
    _complete(enrolment, course)
    assert not Certificate.objects.exists()
    response = _client_for(enrolment.user).get(reverse("courses:certificate", args=[course["training"].slug]))
    assert response.status_code == 200
    assert Certificate.objects.filter(enrolment=enrolment).count() == 1


def test_the_page_says_what_remains_before_the_certificate(course, enrolment):
    _complete(enrolment, course, exercise=False)
    response = _client_for(enrolment.user).get(reverse("courses:certificate", args=[course["training"].slug]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Encore 1 étape obligatoire" in page
    assert "2 sur 3" in page
    assert not Certificate.objects.exists()


def test_the_page_tells_a_nameless_learner_how_to_fix_the_name(course):
    user = LearnerFactory(first_name="", last_name="", email="c.martin@exemple.fr")
    enrolment = EnrolmentFactory(training=course["training"], user=user)
    _complete(enrolment, course)
    certificate_issue_if_complete(enrolment=enrolment)
    response = _client_for(user).get(reverse("courses:certificate", args=[course["training"].slug]))
    page = response.content.decode()
    assert "Votre profil n'indiquait pas encore votre nom" in page


def test_the_learner_downloads_the_pdf(course, enrolment):
    _complete(enrolment, course)
    certificate_issue_if_complete(enrolment=enrolment)
    slug = course["training"].slug
    response = _client_for(enrolment.user).get(reverse("courses:certificate_pdf", args=[slug]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="certificat-{slug}.pdf"'
    assert "Élodie Lefèvre" in _pdf_text(response.content)


def test_nobody_else_gets_the_certificate(course, enrolment):
    _complete(enrolment, course)
    certificate_issue_if_complete(enrolment=enrolment)
    slug = course["training"].slug
    stranger = LearnerFactory()
    classmate = EnrolmentFactory(training=course["training"]).user  # enrolled, but not finished
    for user in (stranger, classmate):
        client = _client_for(user)
        assert client.get(reverse("courses:certificate_pdf", args=[slug])).status_code == 404
    assert _client_for(stranger).get(reverse("courses:certificate", args=[slug])).status_code == 404
    page = _client_for(classmate).get(reverse("courses:certificate", args=[slug])).content.decode()
    assert "Élodie" not in page


def test_a_certificate_in_another_training_is_not_served_under_this_slug(course, enrolment):
    _complete(enrolment, course)
    certificate_issue_if_complete(enrolment=enrolment)
    other = TrainingFactory()
    response = _client_for(enrolment.user).get(reverse("courses:certificate_pdf", args=[other.slug]))
    assert response.status_code == 404


def test_a_pdf_failure_answers_503_in_french(course, enrolment, monkeypatch):
    _complete(enrolment, course)
    certificate_issue_if_complete(enrolment=enrolment)

    def broken(**kwargs):
        raise PdfError("cairo missing")

    monkeypatch.setattr(certificates_pdf, "pdf_render", broken)
    response = _client_for(enrolment.user).get(
        reverse("courses:certificate_pdf", args=[course["training"].slug])
    )
    assert response.status_code == 503
    assert "PDF momentanément indisponible" in response.content.decode()


def test_a_revoked_certificate_is_not_downloaded(course, enrolment):
    _complete(enrolment, course)
    certificate = certificate_issue_if_complete(enrolment=enrolment)
    Certificate.objects.filter(pk=certificate.pk).update(revoked_at=timezone.now())
    client = _client_for(enrolment.user)
    slug = course["training"].slug
    assert client.get(reverse("courses:certificate_pdf", args=[slug])).status_code == 410
    page = client.get(reverse("courses:certificate", args=[slug])).content.decode()
    assert "révoqué" in page
    assert reverse("courses:certificate_pdf", args=[slug]) not in page


def test_the_pages_refuse_writes(course, enrolment):
    _complete(enrolment, course)
    certificate = certificate_issue_if_complete(enrolment=enrolment)
    client = _client_for(enrolment.user)
    assert client.post(reverse("courses:certificate", args=[course["training"].slug])).status_code == 405
    assert client.post(certificate.get_absolute_url()).status_code == 405


# ------------------------------------------------------------------------------ the public verification


def test_the_verification_page_shows_the_certificate_and_nothing_more(client):
    user = LearnerFactory(first_name="Élodie", last_name="Lefèvre", email="elodie.lefevre@exemple.fr")
    certificate = CertificateFactory(
        enrolment=EnrolmentFactory(user=user, training=TrainingFactory(title="Prompter comme un pro")),
        hours=decimal.Decimal("7.5"),
        issued_on=datetime.date(2026, 11, 28),
    )
    response = client.get(f"/certificats/{certificate.code}/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Ce certificat est authentique et valable." in page
    for expected in ["Élodie Lefèvre", "Prompter comme un pro", "7,5 heures", "28 novembre 2026"]:
        assert expected in page, expected
    assert "elodie.lefevre" not in page and "@exemple.fr" not in page
    assert '<meta name="robots" content="noindex">' in page
    assert response["X-Robots-Tag"] == "noindex"


def test_an_unknown_code_answers_404_in_french_with_a_form(client):
    response = client.get("/certificats/ZZZZ22ZZZZ/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "Aucun certificat ne porte le code" in page and "ZZZZ22ZZZZ" in page
    assert 'name="code"' in page
    assert '<meta name="robots" content="noindex">' in page


def test_a_revoked_certificate_says_so(client):
    certificate = CertificateFactory(revoked_at=timezone.now())
    page = client.get(f"/certificats/{certificate.code}/").content.decode()
    assert "révoqué" in page
    assert "Ce certificat est authentique et valable." not in page
    assert certificate.learner_name not in page


def test_the_form_redirects_to_the_canonical_address(client):
    certificate = CertificateFactory(code="ABCD23EFGH")
    response = client.get("/certificats/ZZZZ22ZZZZ/", {"code": " abcd-23ef gh "})
    assert response.status_code == 302
    assert response["Location"] == "/certificats/ABCD23EFGH/"
    assert client.get(response["Location"]).context["certificate"] == certificate
    # A code typed straight into the address bar is tidied the same way.
    response = client.get("/certificats/abcd-23ef-gh/")
    assert response.status_code == 302 and response["Location"] == "/certificats/ABCD23EFGH/"


@pytest.mark.parametrize(("typed", "message"), [("", "Saisissez le code"), ("é&!", "pas le bon format")])
def test_the_form_explains_a_bad_code(client, typed, message):
    response = client.get("/certificats/ZZZZ22ZZZZ/", {"code": typed})
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page
    assert 'aria-invalid="true"' in page


def test_the_verification_is_rate_limited_per_address(client, settings):
    settings.COURSES_CERTIFICATE_VERIFY_RATE_LIMIT = 3
    certificate = CertificateFactory()
    for _ in range(3):
        assert client.get("/certificats/ZZZZ22ZZZZ/", REMOTE_ADDR="203.0.113.7").status_code == 404
    # Over the limit, even a valid code is not looked up.
    response = client.get(f"/certificats/{certificate.code}/", REMOTE_ADDR="203.0.113.7")
    assert response.status_code == 429
    assert "Patientez" in response.content.decode()
    assert response["Retry-After"]
    assert client.get(f"/certificats/{certificate.code}/", REMOTE_ADDR="203.0.113.8").status_code == 200


def test_revoking_and_reinstating(client):
    certificate = CertificateFactory()
    url = certificate.get_absolute_url()
    certificate_services.certificate_revoke(certificate=certificate)
    first = Certificate.objects.get(pk=certificate.pk).revoked_at
    assert first is not None
    certificate_services.certificate_revoke(certificate=certificate)
    assert Certificate.objects.get(pk=certificate.pk).revoked_at == first
    assert "a été révoqué le" in client.get(url).content.decode()

    certificate_services.certificate_reinstate(certificate=certificate)
    assert Certificate.objects.get(pk=certificate.pk).revoked_at is None
    assert "Ce certificat est authentique et valable." in client.get(url).content.decode()


# ------------------------------------------------------------------------------------------------ e-mail


def _subject(message) -> str:
    return str(make_header(decode_header(message["Subject"])))


def _body(message) -> str:
    part = next(p for p in message.walk() if p.get_content_type() == "text/plain")
    return part.get_payload(decode=True).decode()


def test_the_learner_receives_the_certificate_by_email(
    smtp_server, course, enrolment, django_capture_on_commit_callbacks
):
    _complete(enrolment, course, exercise=False)
    with django_capture_on_commit_callbacks(execute=True):
        assert certificate_issue_if_complete(enrolment=enrolment) is None
    assert smtp_server == []

    ExerciseSubmissionFactory(enrolment=enrolment, exercise=course["exercise"])
    with django_capture_on_commit_callbacks(execute=True):
        certificate = certificate_issue_if_complete(enrolment=enrolment)
    with django_capture_on_commit_callbacks(execute=True):
        certificate_issue_if_complete(enrolment=enrolment)  # again: no second e-mail

    assert len(smtp_server) == 1
    message = smtp_server[0]
    assert message["To"] == enrolment.user.email
    assert _subject(message) == "Votre certificat\u00a0: Prompter comme un pro"
    body = _body(message)
    assert "Bonjour Élodie Lefèvre" in body
    assert f"/certificats/{certificate.code}/" in body
    assert "7,5 heures" in body
    attachments = [p for p in message.walk() if p.get_content_type() == "application/pdf"]
    assert len(attachments) == 1
    assert attachments[0].get_filename() == f"certificat-{course['training'].slug}.pdf"
    assert "Élodie Lefèvre" in _pdf_text(attachments[0].get_payload(decode=True))


def test_the_email_goes_without_the_pdf_when_it_cannot_be_rendered(
    smtp_server, course, enrolment, django_capture_on_commit_callbacks, monkeypatch
):
    def broken(**kwargs):
        raise PdfError("cairo missing")

    monkeypatch.setattr(certificates_pdf, "pdf_render", broken)
    _complete(enrolment, course)
    with django_capture_on_commit_callbacks(execute=True):
        certificate_issue_if_complete(enrolment=enrolment)
    assert len(smtp_server) == 1
    assert not [p for p in smtp_server[0].walk() if p.get_content_type() == "application/pdf"]
    body = _body(smtp_server[0])
    assert f"/formations/{course['training'].slug}/certificat/" in body


def test_no_email_when_the_issuing_transaction_fails(course, enrolment, django_capture_on_commit_callbacks):
    _complete(enrolment, course)
    with (
        django_capture_on_commit_callbacks() as callbacks,
        pytest.raises(IntegrityError),
        transaction.atomic(),
    ):
        certificate_issue_if_complete(enrolment=enrolment)
        raise IntegrityError("a later write of the same request failed")
    assert callbacks == []
    assert not Certificate.objects.exists()


def _count_renders(monkeypatch) -> list[str]:
    calls: list[str] = []
    real = certificates_pdf.pdf_render

    def counting(**kwargs):
        calls.append(kwargs["template_name"])
        return real(**kwargs)

    monkeypatch.setattr(certificates_pdf, "pdf_render", counting)
    return calls


def test_the_pdf_is_rendered_once_then_served_as_kept(course, enrolment, monkeypatch):
    renders = _count_renders(monkeypatch)
    _complete(enrolment, course)
    certificate = certificate_issue_if_complete(enrolment=enrolment)
    client = _client_for(enrolment.user)
    url = reverse("courses:certificate_pdf", args=[course["training"].slug])
    first, second = client.get(url), client.get(url)
    assert first.status_code == second.status_code == 200
    assert second.content == first.content
    assert len(renders) == 1
    # Staff correct the name on the certificate (in the admin): the download says the new one.
    certificate.learner_name = "Élodie Lefèvre-Martin"
    certificate.save()
    assert "Lefèvre-Martin" in _pdf_text(client.get(url).content)
    assert len(renders) == 2


def test_a_burst_of_certificate_renders_is_refused_in_french(course, enrolment, settings, monkeypatch):
    settings.PDF_RENDER_RATE_LIMIT = 1
    renders = _count_renders(monkeypatch)
    _complete(enrolment, course)
    certificate = certificate_issue_if_complete(enrolment=enrolment)
    client = _client_for(enrolment.user)
    url = reverse("courses:certificate_pdf", args=[course["training"].slug])
    assert client.get(url).status_code == 200
    certificate.learner_name = "Autre nom"
    certificate.save()
    refused = client.get(url)
    assert refused.status_code == 429
    assert "Trop de téléchargements" in refused.content.decode()
    assert len(renders) == 1
