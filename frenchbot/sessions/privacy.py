"""The sessions' personal data: who registered, their positioning answers, their signatures, their satisfaction
answers, the complaints, and the company contacts of the conventions.

A certified training body must keep the proof of each training it delivered (attendance sheets, certificates of
completion) for the funders' and the certification's audits: an erasure therefore deletes a registration to a
session still to come, but keeps the name and signatures of a session that took place, and clears what the proof
does not need (the positioning answers, the satisfaction comments, the complaint's text)."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from frenchbot.privacy.registry import (
    Erasure,
    LegalBasis,
    PersonalData,
    Treatment,
    by_emails,
    empty,
    not_personal,
    register,
)

from .models import Attendance, Complaint, Convention, Registration, SurveyResponse

SESSIONS = Treatment(
    key="sessions.training",
    name=_("Sessions de formation"),
    purpose=_(
        "Organiser les sessions de formation auxquelles vous êtes inscrit(e) et garder les preuves de la "
        "formation exigées par les financeurs et la certification Qualiopi."
    ),
    legal_basis=LegalBasis.CONTRACT,
    description=(
        _(
            "Pour une session, nous enregistrons votre nom, votre e-mail, votre entreprise et vos réponses au "
            "questionnaire de positionnement, lues par le formateur. Vous recevez une convocation et un rappel. "
            "À chaque demi-journée, vous signez la feuille d'émargement (votre nom tapé ou votre signature "
            "dessinée, avec l'heure) ; le formateur la contre-signe. À la fin, vous recevez un certificat de "
            "réalisation, et vous répondez si vous le souhaitez à deux questionnaires de satisfaction (à la "
            "fin, puis trois mois après) : nos indicateurs publics n'en montrent que des moyennes."
        ),
        _(
            "Base légale : l'exécution du contrat de formation, et l'obligation de conserver les preuves de la "
            "formation (feuilles d'émargement, certificats de réalisation) pour les contrôles des financeurs "
            "et de la certification Qualiopi. Si vous demandez l'effacement, une inscription à une session à "
            "venir est supprimée ; pour une session passée, votre nom et vos signatures restent sur la feuille "
            "d'émargement, vos réponses au positionnement et vos commentaires sont effacés."
        ),
    ),
    categories=(
        _("identité (nom, entreprise)"),
        _("e-mail"),
        _("réponses au questionnaire de positionnement"),
        _("signatures et heures d'émargement"),
        _("avis de satisfaction"),
    ),
    people=_("les stagiaires des sessions de formation"),
    retention=_(
        "le temps de la session, puis les preuves de la formation (émargement, certificat) pendant six ans pour "
        "les contrôles des financeurs"
    ),
    order=57,
)

COMPLAINTS = Treatment(
    key="sessions.complaints",
    name=_("Réclamations"),
    purpose=_("Répondre aux réclamations et en tirer des actions d'amélioration."),
    legal_basis=LegalBasis.LEGITIMATE_INTEREST,
    description=_(
        "Quand vous faites une réclamation, nous enregistrons votre nom, votre e-mail, votre entreprise et "
        "votre message, puis notre réponse et l'action d'amélioration décidée. Si vous demandez "
        "l'effacement, votre nom, votre e-mail et votre message sont effacés ; la réponse et l'action restent, "
        "sans rien qui mène à vous. Base légale : notre intérêt légitime à améliorer nos formations."
    ),
    categories=(_("identité (nom, entreprise)"), _("e-mail"), _("texte de la réclamation")),
    people=_("les personnes qui font une réclamation"),
    retention=_("trois ans après la réponse, puis le nom, l'e-mail et le message sont effacés"),
    order=58,
)


def _registrations(subject):
    if subject.user_id is None:
        return by_emails(Registration, "email", subject)
    return by_emails(Registration, "email", subject) | Registration.objects.filter(user_id=subject.user_id)


def _started(registration_ids) -> set[int]:
    now = timezone.now()
    started = set()
    for registration in Registration.objects.filter(pk__in=registration_ids).prefetch_related(
        "session__half_days"
    ):
        half_days = list(registration.session.half_days.all())
        if half_days and min(h.start for h in half_days) <= now:
            started.add(registration.pk)
    return started


class RegistrationData(PersonalData):
    model = Registration
    treatment = SESSIONS
    fields = (
        "session",
        "user",
        "name",
        "email",
        "company",
        "status",
        "positioning",
        "positioning_at",
        "consent_text",
        "created_at",
    )
    label = _("Vos inscriptions aux sessions")
    module_name = _("Sessions de formation")
    erasure = Erasure.KEEP
    erasure_text = _(
        "Une inscription à une session à venir est supprimée. Pour une session passée, votre nom reste sur la "
        "feuille d'émargement (preuve exigée par les financeurs) ; vos réponses au positionnement sont effacées."
    )
    name_fields = ("name",)
    email_fields = ("email",)
    erase_order = 40

    def rows(self, subject):
        return _registrations(subject).select_related("session__training")

    def erase(self, rows):
        ids = list(rows.values_list("pk", flat=True))
        started = _started(ids)
        Registration.objects.filter(pk__in=[pk for pk in ids if pk not in started]).delete()
        Registration.objects.filter(pk__in=started).update(positioning={}, consent_text="", user=None)
        return len(ids)


class AttendanceData(PersonalData):
    model = Attendance
    treatment = SESSIONS
    fields = ("half_day", "status", "signed_at", "method", "signed_name", "strokes", "note")
    label = _("Vos signatures d'émargement")
    erasure = Erasure.KEEP
    erasure_text = _(
        "Vos signatures restent sur la feuille d'émargement : c'est la preuve de votre présence."
    )
    name_fields = ("signed_name",)
    # Before the registrations, whose lookup they depend on.
    erase_order = 30

    def rows(self, subject):
        registrations = _registrations(subject)
        if not registrations.exists():
            return empty(Attendance)
        return Attendance.objects.filter(registration__in=registrations).select_related("half_day")


class SurveyResponseData(PersonalData):
    model = SurveyResponse
    treatment = SESSIONS
    fields = (
        "session",
        "kind",
        "rating",
        "objectives_met",
        "would_recommend",
        "applied",
        "comment",
        "created_at",
    )
    label = _("Vos avis de satisfaction")
    erasure = Erasure.ANONYMISE
    erasure_text = _(
        "Vos notes restent dans les moyennes, sans lien avec vous ; vos commentaires sont effacés."
    )
    erase_order = 30

    def rows(self, subject):
        registrations = _registrations(subject)
        if not registrations.exists():
            return empty(SurveyResponse)
        return SurveyResponse.objects.filter(registration__in=registrations).select_related("session")

    def erase(self, rows):
        return rows.update(registration=None, comment="")


class ComplaintData(PersonalData):
    model = Complaint
    treatment = COMPLAINTS
    fields = (
        "reference",
        "name",
        "email",
        "company",
        "role",
        "subject",
        "body",
        "status",
        "answer",
        "created_at",
    )
    label = _("Vos réclamations")
    erasure = Erasure.ANONYMISE
    erasure_text = _(
        "Votre nom, votre e-mail et votre message sont effacés ; notre réponse et l'action restent."
    )
    name_fields = ("name",)
    email_fields = ("email",)
    erase_order = 40

    def rows(self, subject):
        return by_emails(Complaint, "email", subject)

    def erase(self, rows):
        return rows.update(name="", email="", company="", body="")


class ConventionData(PersonalData):
    model = Convention
    treatment = SESSIONS
    fields = (
        "number",
        "version",
        "company_name",
        "contact_name",
        "contact_email",
        "signer_name",
        "signer_role",
        "signed_at",
    )
    label = _("Les conventions de formation où vous êtes l'interlocuteur")
    erasure = Erasure.KEEP
    erasure_text = _(
        "Les conventions signées sont des contrats de votre entreprise : elles sont conservées telles quelles."
    )
    name_fields = ("contact_name",)
    email_fields = ("contact_email",)

    def rows(self, subject):
        return by_emails(Convention, "contact_email", subject)


for declaration in (RegistrationData, AttendanceData, SurveyResponseData, ComplaintData, ConventionData):
    register(declaration())

not_personal("training_sessions.TrainingSession.company_name", "the client business of an intra session")
not_personal("training_sessions.TrainingSession.trainer", "a staff member, named as the session's trainer")
not_personal("training_sessions.HalfDay.countersigned_by", "the staff member who countersigned the half-day")
not_personal("training_sessions.HalfDay.countersign_name", "the trainer's (staff) name as countersignature")
not_personal("training_sessions.Attendance.recorded_by", "the staff member who recorded the attendance")
not_personal("training_sessions.Complaint.handled_by", "the staff member who handled the complaint")
