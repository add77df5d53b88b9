"""The trainings' personal data: found for the person only, exported readably, erased without touching anyone
else's, and the certificates still verifiable by their code, without a name, once the account is gone."""

import pytest
from django.utils import timezone

from frenchbot.courses.certificates_pdf import certificate_pdf_filename
from frenchbot.courses.models import (
    Certificate,
    Company,
    Enrolment,
    ExerciseSubmission,
    LessonCompletion,
    QuizAttempt,
    Seat,
)
from frenchbot.courses.privacy import CERTIFICATES, LEARNING
from frenchbot.courses.services.companies import seat_invite
from frenchbot.privacy import registry
from frenchbot.privacy.registry import Erasure, Subject
from frenchbot.privacy.testing import app_erase, app_mentions

from .factories import (
    CertificateFactory,
    CompanyFactory,
    EnrolmentFactory,
    ExerciseSubmissionFactory,
    LearnerFactory,
    LessonCompletionFactory,
    LessonFactory,
    ModuleFactory,
    PromptExerciseFactory,
    QuizAttemptFactory,
    QuizChoiceFactory,
    QuizFactory,
    QuizQuestionFactory,
    SeatFactory,
    TrainingFactory,
)

pytestmark = pytest.mark.django_db


def _erase(subject: Subject) -> None:
    app_erase("courses", subject)


def _mentions(app_label: str, needles) -> list[str]:
    return app_mentions(app_label, needles)


ELODIE_EMAILS = ("elodie.lefevre@exemple.fr", "elodie.perso@exemple.fr")


@pytest.fixture
def world():
    """Élodie (the person asking) and Bruno (someone else) follow the same training and hold a seat of the same
    company, managed by Sophie; Élodie also manages a company of her own and has an invitation not yet accepted,
    sent to another of her addresses."""
    training = TrainingFactory(title="Prompter comme un pro")
    module = ModuleFactory(training=training)
    lesson = LessonFactory(module=module)
    quiz = QuizFactory(module=module)
    question = QuizQuestionFactory(quiz=quiz, text="Que faut-il donner à l'IA d'abord ?")
    right = QuizChoiceFactory(question=question, text="Un rôle et un contexte", is_correct=True)
    QuizChoiceFactory(question=question, text="Rien du tout")
    exercise = PromptExerciseFactory(module=module, title="Répondre à un client")

    elodie = LearnerFactory(
        username="elodie", first_name="Élodie", last_name="Lefèvre", email=ELODIE_EMAILS[0]
    )
    bruno = LearnerFactory(
        username="bruno", first_name="Bruno", last_name="Garnier", email="bruno@exemple.fr"
    )
    sophie = LearnerFactory(username="sophie", first_name="Sophie", last_name="Roux", email="sophie@pme.fr")

    def learner_rows(user, prompt):
        enrolment = EnrolmentFactory(user=user, training=training)
        return {
            "enrolment": enrolment,
            "completion": LessonCompletionFactory(enrolment=enrolment, lesson=lesson),
            "attempt": QuizAttemptFactory(
                enrolment=enrolment, quiz=quiz, number=1, answers={str(question.pk): [right.pk]}
            ),
            "submission": ExerciseSubmissionFactory(
                enrolment=enrolment,
                exercise=exercise,
                prompt=prompt,
                results=[{"label": "Donne un rôle à l'IA", "met": True, "feedback": "Vous donnez un rôle."}],
                ai_feedback="- Rôle bien posé.",
            ),
            "certificate": CertificateFactory(enrolment=enrolment),
        }

    company = CompanyFactory(name="PME Roux", manager=sophie, seats=3)
    now = timezone.now()

    def seat_rows(user):
        seat = SeatFactory(company=company, email=user.email, user=user, accepted_at=now)
        enrolment = EnrolmentFactory(
            user=user, training=company.training, source=Enrolment.Source.SEAT, seat=seat
        )
        return seat, enrolment

    elodie_seat, elodie_seat_enrolment = seat_rows(elodie)
    bruno_seat, bruno_seat_enrolment = seat_rows(bruno)
    return {
        "elodie": elodie,
        "bruno": bruno,
        "sophie": sophie,
        "company": company,
        "question": question,
        "e": learner_rows(elodie, "Tu es un conseiller, Élodie Lefèvre te demande de répondre."),
        "b": learner_rows(bruno, "Tu es un juriste. Réponds au client."),
        "elodie_seat": elodie_seat,
        "elodie_seat_enrolment": elodie_seat_enrolment,
        "bruno_seat": bruno_seat,
        "bruno_seat_enrolment": bruno_seat_enrolment,
        "elodie_invitation": SeatFactory(
            company=CompanyFactory(name="Cabinet Martin"), email=ELODIE_EMAILS[1]
        ),
        "elodie_company": CompanyFactory(name="Atelier Bois Doré", manager=elodie),
    }


def _subject(world) -> Subject:
    return Subject(emails=ELODIE_EMAILS, user_id=world["elodie"].pk)


def _declaration(model):
    return registry.declaration_for(model._meta.label)


def test_the_rows_found_are_exactly_the_persons(world):
    subject = _subject(world)
    e = world["e"]
    expected = {
        Enrolment: {e["enrolment"].pk, world["elodie_seat_enrolment"].pk},
        LessonCompletion: {e["completion"].pk},
        QuizAttempt: {e["attempt"].pk},
        ExerciseSubmission: {e["submission"].pk},
        Certificate: {e["certificate"].pk},
        Seat: {world["elodie_seat"].pk, world["elodie_invitation"].pk},
        Company: {world["elodie_company"].pk},
    }
    for model, pks in expected.items():
        assert set(_declaration(model).rows(subject).values_list("pk", flat=True)) == pks, model
    # Without an account, only the seats given to the addresses are hers.
    by_email = Subject(emails=(ELODIE_EMAILS[1].upper(),))
    assert set(_declaration(Seat).rows(by_email).values_list("pk", flat=True)) == {
        world["elodie_invitation"].pk
    }
    assert not _declaration(Enrolment).rows(by_email).exists()


def test_the_rows_are_exported_in_words(world):
    e = world["e"]
    attempt = _declaration(QuizAttempt).export_row(e["attempt"])
    assert attempt["réponses"] == {"Que faut-il donner à l'IA d'abord ?": ["Un rôle et un contexte"]}
    assert attempt["score (%)"] == 100
    submission = _declaration(ExerciseSubmission).export_row(e["submission"])
    assert submission["prompt"].startswith("Tu es un conseiller")
    assert submission["grille d'évaluation"] == [
        {"critère": "Donne un rôle à l'IA", "rempli": True, "retour": "Vous donnez un rôle."}
    ]
    assert submission["retour de l'IA"] == "- Rôle bien posé."
    enrolment = _declaration(Enrolment).export_row(world["elodie_seat_enrolment"])
    assert enrolment["origine"] == "Place entreprise"
    assert enrolment["formation"] == str(world["company"].training)
    certificate = _declaration(Certificate).export_row(e["certificate"])
    assert certificate["nom du titulaire"] == "Élodie Lefèvre"
    assert certificate["formation"] == "Prompter comme un pro"
    seat = _declaration(Seat).export_row(world["elodie_seat"])
    assert seat["e-mail invité"] == ELODIE_EMAILS[0]
    company = _declaration(Company).export_row(world["elodie_company"])
    assert company["entreprise"] == "Atelier Bois Doré" and company["nombre de places"] == 3


def test_the_archive_holds_the_certificate_pdf(world):
    certificate = world["e"]["certificate"]
    [(name, content)] = _declaration(Certificate).files(certificate)
    assert name == f"formations/certificat-{certificate.code}.pdf"
    assert content.startswith(b"%PDF")
    certificate.revoked_at = timezone.now()
    assert _declaration(Certificate).files(certificate) == []


def test_erasure_leaves_nothing_of_the_person_and_everything_of_the_others(world):
    b, company = world["b"], world["company"]
    before = {model: model.objects.count() for model in (LessonCompletion, QuizAttempt, ExerciseSubmission)}
    _erase(_subject(world))

    elodie = world["elodie"]
    assert not Enrolment.objects.filter(user=elodie).exists()
    assert before[LessonCompletion] - LessonCompletion.objects.count() == 1
    assert before[QuizAttempt] - QuizAttempt.objects.count() == 1
    assert before[ExerciseSubmission] - ExerciseSubmission.objects.count() == 1
    assert not Seat.objects.filter(user=elodie).exists()
    assert _mentions("courses", [*ELODIE_EMAILS, "Élodie", "Lefèvre"]) == []
    # Her seat went back to the company, whose other learner keeps his.
    assert list(Seat.objects.filter(company=company)) == [world["bruno_seat"]]
    # Her company keeps its seats and its name (a business's), without her as manager.
    own = Company.objects.get(pk=world["elodie_company"].pk)
    assert (own.manager_id, own.seats) == (None, 3)
    # The certificate stays, without the name and without the enrolment.
    certificate = Certificate.objects.get(pk=world["e"]["certificate"].pk)
    assert (certificate.learner_name, certificate.enrolment_id) == ("", None)
    assert certificate.training_title == "Prompter comme un pro"

    # Bruno's rows are untouched.
    for key in ("enrolment", "completion", "attempt", "submission"):
        assert type(b[key]).objects.filter(pk=b[key].pk).exists(), key
    theirs = Certificate.objects.get(pk=b["certificate"].pk)
    assert theirs.learner_name == "Bruno Garnier" and theirs.enrolment_id == b["enrolment"].pk
    assert Enrolment.objects.get(pk=world["bruno_seat_enrolment"].pk).is_active
    assert Company.objects.get(pk=company.pk).manager == world["sophie"]

    # The account can go afterwards (the accounts app erases it last): nothing of courses holds it back.
    elodie.delete()
    assert Certificate.objects.filter(pk=certificate.pk).exists()


def test_the_certificate_still_verifies_publicly_once_the_account_is_deleted(world, client):
    certificate = world["e"]["certificate"]
    _erase(_subject(world))
    world["elodie"].delete()

    response = client.get(f"/certificats/{certificate.code}/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Ce certificat est authentique et valable." in page
    assert certificate.code in page and "Prompter comme un pro" in page
    assert "nom retiré à la demande du titulaire" in page
    assert "Élodie" not in page and "Lefèvre" not in page


def test_deleting_an_account_keeps_its_certificates_verifiable(world, client):
    # Without an erasure (the account deleted from the admin): the certificate is no longer tied to anyone
    # but still proves the training, and its file name comes from what it states.
    certificate = world["b"]["certificate"]
    world["bruno"].delete()
    certificate.refresh_from_db()
    assert certificate.enrolment_id is None
    assert certificate_pdf_filename(certificate=certificate) == "certificat-prompter-comme-un-pro.pdf"
    assert client.get(f"/certificats/{certificate.code}/").status_code == 200


def test_a_corrected_name_is_printed_on_the_certificate(world):
    declaration = _declaration(Certificate)
    rows = declaration.rows(_subject(world))
    assert declaration.rectify(rows, name="Élodie Lefèvre-Martin", email=None) == 1
    assert Certificate.objects.get(pk=world["e"]["certificate"].pk).learner_name == "Élodie Lefèvre-Martin"
    assert Certificate.objects.get(pk=world["b"]["certificate"].pk).learner_name == "Bruno Garnier"


def test_a_company_without_manager_is_managed_by_the_team(
    world, django_capture_on_commit_callbacks, mailoutbox
):
    _erase(_subject(world))
    company = Company.objects.get(pk=world["elodie_company"].pk)
    staff = LearnerFactory(username="equipe", is_staff=True)
    with django_capture_on_commit_callbacks(execute=True):
        seat_invite(company=company, email="nouvelle@pme.fr", invited_by=staff)
    [message] = mailoutbox
    assert message.to == ["nouvelle@pme.fr"]
    assert "The French Bot vous invite, pour Atelier Bois Doré" in message.body


def test_the_treatments_say_what_the_policy_says_in_both_languages():
    from django.utils import translation

    assert LEARNING.ai_processing and LEARNING.order == 50 and CERTIFICATES.order == 55
    assert str(LEARNING.name) == "Formations"
    assert "vos réponses aux quiz avec vos scores" in str(LEARNING.description)
    assert "reste vérifiable par son code, mais sans votre nom" in str(CERTIFICATES.description)
    with translation.override("en"):
        # Translated, not left in French.
        assert "quiz" in str(LEARNING.description) and "vos réponses" not in str(LEARNING.description)
        assert str(CERTIFICATES.description).startswith("A certificate")
    assert _declaration(Certificate).erasure == Erasure.KEEP
