"""The trainings' personal data: what a learner does in a training (enrolments, progress, quiz answers, exercise
prompts), the seats a company gives and the companies a person manages, and the certificates, which stay
verifiable by their code after an erasure, without the holder's name."""

import logging

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from frenchbot.core.pdf import PdfError
from frenchbot.privacy.registry import (
    Erasure,
    LegalBasis,
    PersonalData,
    Subject,
    Treatment,
    by_user,
    empty,
    not_personal,
    register,
)

from .certificates_pdf import certificate_pdf_kept
from .models import (
    Certificate,
    Company,
    Enrolment,
    ExerciseSubmission,
    LessonCompletion,
    QuizAttempt,
    QuizQuestion,
    Seat,
)
from .services.companies import seat_release

logger = logging.getLogger(__name__)

LEARNING = Treatment(
    key="courses.learning",
    name=_("Formations"),
    purpose=_(
        "Vous faire suivre les formations auxquelles vous êtes inscrit, enregistrer votre progression et vous "
        "délivrer votre certificat."
    ),
    legal_basis=LegalBasis.CONTRACT,
    description=_(
        "Pour chaque formation, nous enregistrons votre inscription, votre progression, vos réponses aux quiz "
        "avec vos scores, et les prompts que vous écrivez dans les exercices avec le retour qui vous est fait. "
        "Ces données servent à vous faire suivre la formation et à vous délivrer votre certificat. Si votre "
        "entreprise vous a offert une place, la personne qui gère la formation pour elle voit votre nom, votre "
        "e-mail, votre progression en pourcentage et si vous avez obtenu le certificat, mais ni vos réponses ni "
        "vos prompts. Base légale : l'exécution de la formation que vous suivez."
    ),
    categories=(
        _("inscriptions aux formations et progression"),
        _("réponses aux quiz et scores"),
        _("prompts écrits dans les exercices, avec le retour et la réponse du modèle d'IA"),
        _("places offertes par une entreprise (adresse invitée) et comptes entreprise gérés"),
    ),
    people=_("les personnes inscrites aux formations et les responsables des comptes entreprise"),
    retention=_("tant que votre compte existe, ou jusqu'à votre demande d'effacement"),
    recipients=_(
        "l'équipe de The French Bot et, pour une place offerte par une entreprise, la personne qui gère la "
        "formation pour elle (nom, e-mail, progression en pourcentage, certificat obtenu)"
    ),
    # The prompts written in the exercises go to the configured model, which may be an external provider.
    ai_processing=True,
    order=50,
)

CERTIFICATES = Treatment(
    key="courses.certificates",
    name=_("Certificats"),
    purpose=_(
        "Attester la formation que vous avez suivie et permettre aux personnes à qui vous donnez son code de "
        "vérifier votre certificat."
    ),
    legal_basis=LegalBasis.CONTRACT,
    description=_(
        "Un certificat porte votre nom, l'intitulé de la formation, sa durée en heures, sa date de délivrance et "
        "un code de vérification. Toute personne qui connaît ce code peut afficher ces informations sur notre page "
        "publique de vérification, que les moteurs de recherche n'indexent pas : ne donnez le code qu'aux "
        "personnes à qui vous voulez prouver votre formation. Si vous faites effacer vos données, le certificat "
        "reste vérifiable par son code, mais sans votre nom : la page indique alors que le nom a été retiré à la "
        "demande du titulaire."
    ),
    categories=(
        _("nom du titulaire"),
        _("intitulé, durée et date de la formation"),
        _("code de vérification"),
    ),
    people=_("les personnes qui ont obtenu un certificat"),
    retention=_(
        "tant que le certificat doit pouvoir être vérifié ; votre nom en est retiré à votre demande d'effacement"
    ),
    recipients=_("l'équipe de The French Bot et toute personne à qui vous donnez le code de vérification"),
    order=55,
)


def _enrolments(subject: Subject):
    return by_user(Enrolment, "user", subject)


def _through_enrolments(model, subject: Subject):
    """The rows of `model` hanging from the person's enrolments (found by their account only)."""
    if subject.user_id is None:
        return empty(model)
    return model._default_manager.filter(enrolment__user_id=subject.user_id)


def _label(model, name: str) -> str:
    return str(model._meta.get_field(name).verbose_name)


class EnrolmentData(PersonalData):
    model = Enrolment
    treatment = LEARNING
    fields = ("user", "training", "source", "is_active", "created_at", "completed_at")
    label = _("Vos inscriptions aux formations")
    erasure = Erasure.DELETE
    erasure_text = _(
        "Vos inscriptions aux formations et votre progression sont supprimées : vous n'avez plus accès à ces "
        "formations."
    )
    # After the rows found through the enrolments (attempts, submissions, certificates).
    erase_order = 50

    def rows(self, subject):
        return _enrolments(subject).select_related("training", "user")

    def export_row(self, row):
        return {
            gettext("compte"): row.user.get_username(),
            gettext("formation"): str(row.training),
            _label(Enrolment, "source"): row.get_source_display(),
            _label(Enrolment, "is_active"): row.is_active,
            gettext("inscrit le"): row.created_at.isoformat(),
            _label(Enrolment, "completed_at"): row.completed_at.isoformat() if row.completed_at else None,
        }


class LessonCompletionData(PersonalData):
    # No field that looks personal, but the person's progress: exported with the rest, and deleted with its
    # enrolment (CASCADE) in any case.
    model = LessonCompletion
    treatment = LEARNING
    fields = ("lesson", "completed_at")
    label = _("Les leçons que vous avez terminées")
    erasure = Erasure.DELETE
    erasure_text = _("Votre progression dans les leçons est supprimée.")
    erase_order = 10

    def rows(self, subject):
        return _through_enrolments(LessonCompletion, subject).select_related("lesson")

    def export_row(self, row):
        return {
            gettext("leçon"): str(row.lesson),
            gettext("terminée le"): row.completed_at.isoformat(),
        }


class QuizAttemptData(PersonalData):
    model = QuizAttempt
    treatment = LEARNING
    fields = ("quiz", "number", "answers", "score", "passed", "created_at")
    label = _("Vos réponses aux quiz")
    erasure = Erasure.DELETE
    erasure_text = _("Vos réponses aux quiz et vos scores sont supprimés.")
    erase_order = 10

    def rows(self, subject):
        return _through_enrolments(QuizAttempt, subject).select_related("quiz")

    def export_row(self, row):
        # The answers are stored as ids (question → choices): said with the questions' and choices' words.
        questions = {
            question.pk: question
            for question in QuizQuestion.objects.filter(quiz_id=row.quiz_id).prefetch_related("choices")
        }
        answers = {}
        for key, choice_ids in (row.answers or {}).items():
            question = questions.get(int(key)) if str(key).isdigit() else None
            if question is None:
                answers[gettext("question supprimée n° %(id)s") % {"id": key}] = choice_ids
                continue
            chosen = set(choice_ids or ())
            answers[question.text] = [choice.text for choice in question.choices.all() if choice.pk in chosen]
        return {
            gettext("quiz"): str(row.quiz),
            _label(QuizAttempt, "number"): row.number,
            gettext("réponses"): answers,
            _label(QuizAttempt, "score"): row.score,
            _label(QuizAttempt, "passed"): row.passed,
            gettext("date"): row.created_at.isoformat(),
        }


class ExerciseSubmissionData(PersonalData):
    model = ExerciseSubmission
    treatment = LEARNING
    fields = ("exercise", "prompt", "passed", "ai_feedback", "ai_output", "ai_model", "created_at")
    label = _("Vos prompts écrits dans les exercices")
    erasure = Erasure.DELETE
    erasure_text = _(
        "Les prompts que vous avez écrits dans les exercices sont supprimés, avec les retours qui vous ont été faits."
    )
    erase_order = 10

    def rows(self, subject):
        return _through_enrolments(ExerciseSubmission, subject).select_related("exercise")

    def export_row(self, row):
        return {
            gettext("exercice"): str(row.exercise),
            _label(ExerciseSubmission, "prompt"): row.prompt,
            gettext("grille d'évaluation"): [
                {
                    gettext("critère"): result.get("label", ""),
                    gettext("rempli"): result.get("met"),
                    gettext("retour"): result.get("feedback", ""),
                }
                for result in (row.results or [])
                if isinstance(result, dict)
            ],
            _label(ExerciseSubmission, "passed"): row.passed,
            _label(ExerciseSubmission, "ai_feedback"): row.ai_feedback,
            _label(ExerciseSubmission, "ai_output"): row.ai_output,
            _label(ExerciseSubmission, "ai_model"): row.ai_model,
            gettext("date"): row.created_at.isoformat(),
        }


class CertificateData(PersonalData):
    model = Certificate
    treatment = CERTIFICATES
    fields = ("learner_name", "training_title", "hours", "issued_on", "code", "revoked_at")
    label = _("Vos certificats")
    # Kept: whoever the holder gave the code to must still be able to check it. Only the name goes, and the
    # enrolment it hangs from is cut when deleted (SET_NULL), so the certificate no longer leads to anyone.
    erasure = Erasure.KEEP
    kept_because = _("un certificat doit rester vérifiable par les personnes à qui vous avez donné son code")
    erasure_text = _("Vos certificats restent vérifiables par leur code, sans votre nom.")
    # A corrected name is printed on the certificate (its PDF is rendered again, keyed by the name).
    name_fields = ("learner_name",)
    # Before the enrolments, through which the person's certificates are found.
    erase_order = 20

    def rows(self, subject):
        return _through_enrolments(Certificate, subject)

    def erase(self, rows) -> int:
        return rows.update(learner_name="", updated_at=timezone.now())

    def files(self, row):
        # A revoked certificate cannot be downloaded from the site either: its PDF would prove nothing.
        if row.revoked_at is not None:
            return []
        try:
            pdf = certificate_pdf_kept(certificate=row)
        except PdfError:
            logger.warning("privacy: the PDF of certificate %s could not be rendered for an export", row.code)
            return []
        return [(f"formations/certificat-{row.code}.pdf", pdf)]


class SeatData(PersonalData):
    model = Seat
    treatment = LEARNING
    fields = ("company", "email", "user", "accepted_at", "created_at")
    label = _("Vos places offertes par une entreprise")
    # Freed the way the company's manager frees one (`seat_release`): the row goes, the company may give the
    # place to someone else, and the learner's access through it ends.
    erasure = Erasure.DELETE
    erasure_text = _(
        "Votre place dans le compte de votre entreprise est libérée : l'entreprise peut la donner à une autre "
        "personne."
    )
    erase_order = 30

    def rows(self, subject):
        query = Q()
        for email in subject.emails:
            query |= Q(email__iexact=email)
        if subject.user_id is not None:
            query |= Q(user_id=subject.user_id)
        if not query:
            return empty(Seat)
        return Seat.objects.filter(query).select_related("company__training", "user")

    def erase(self, rows) -> int:
        return sum(seat_release(seat_id=seat_id) for seat_id in list(rows.values_list("pk", flat=True)))

    def export_row(self, row):
        return {
            gettext("entreprise"): row.company.name,
            gettext("formation"): str(row.company.training),
            _label(Seat, "email"): row.email,
            gettext("compte"): row.user.get_username() if row.user_id else None,
            gettext("invitée le"): row.created_at.isoformat(),
            _label(Seat, "accepted_at"): row.accepted_at.isoformat() if row.accepted_at else None,
        }


class CompanyData(PersonalData):
    model = Company
    treatment = LEARNING
    fields = ("manager",)
    label = _("Les comptes entreprise que vous gérez")
    # The company keeps what it bought (its seats and their learners); only its link to the person is cut.
    erasure = Erasure.ANONYMISE
    erasure_text = _(
        "Les comptes entreprise que vous gérez restent à votre entreprise, avec leurs places ; vous n'en êtes "
        "plus le responsable."
    )
    erase_order = 60

    def rows(self, subject):
        return by_user(Company, "manager", subject).select_related("training", "manager")

    def export_row(self, row):
        return {
            _label(Company, "name"): row.name,
            _label(Company, "training"): str(row.training),
            _label(Company, "seats"): row.seats,
            _label(Company, "manager"): str(row.manager) if row.manager_id else None,
        }


register(EnrolmentData())
register(LessonCompletionData())
register(QuizAttemptData())
register(ExerciseSubmissionData())
register(CertificateData())
register(SeatData())
register(CompanyData())
not_personal(
    "courses.LessonImage.name", "the slug a lesson's Markdown cites one of its images by, written by staff"
)
not_personal("courses.Company.name", "the client business's name; the company keeps what it bought")
not_personal(
    "courses.Training.accessibility_contact",
    "the training body's disability contact, a work address published on the training's page",
)
