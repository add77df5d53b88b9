"""The personal data of Django's own models and of this app's log (the apps declare theirs in their own
`privacy.py`; `core` may import no app, so its models are declared here)."""

from django.conf import settings
from django.contrib.sessions.models import Session
from django.db.models import Q, TextField
from django.db.models.functions import Cast
from django.utils.translation import gettext_lazy as _
from django_tasks_db.models import DBTaskResult

from .models import PrivacyRequest
from .registry import Erasure, LegalBasis, PersonalData, Treatment, empty, not_personal, register
from .services import email_digest

RIGHTS = Treatment(
    key="privacy.requests",
    name=_("Vos demandes sur vos données"),
    purpose=_(
        "Répondre aux demandes d'accès, de rectification, d'effacement et de retrait de consentement, et en garder la preuve."
    ),
    legal_basis=LegalBasis.LEGAL_OBLIGATION,
    description=_(
        "Quand vous exercez un de vos droits, nous gardons la trace de la demande : sa date, le droit exercé, "
        "ce qui a été fait et une empreinte chiffrée de votre adresse e-mail, jamais l'adresse elle-même une fois "
        "la demande traitée. C'est la preuve que nous avons répondu, par exemple que vos données ont été effacées "
        "ou votre consentement retiré. Base légale : nos obligations au titre du RGPD."
    ),
    categories=(_("empreinte chiffrée de l'e-mail"), _("droit exercé, dates, résultat")),
    people=_("les personnes qui exercent leurs droits"),
    retention=_("cinq ans après la demande"),
    order=95,
)

SESSIONS = Treatment(
    key="core.sessions",
    name=_("Session de navigation"),
    purpose=_("Garder votre connexion et votre conversation avec le bot d'une page à l'autre."),
    legal_basis=LegalBasis.LEGITIMATE_INTEREST,
    description=_(
        "Le cookie de session relie vos pages entre elles : il garde votre connexion et votre conversation avec "
        "le bot. La session elle-même est conservée sur notre serveur deux semaines au plus."
    ),
    categories=(_("identifiant de session"),),
    people=_("les visiteurs"),
    retention=_("deux semaines au plus"),
    order=90,
)


class RequestData(PersonalData):
    model = PrivacyRequest
    treatment = RIGHTS
    fields = ("right", "channel", "status", "created_at", "completed_at", "summary", "email", "user")
    label = _("Vos demandes sur vos données")
    module_name = _("Navigation et demandes sur vos données")
    erasure = Erasure.KEEP
    erasure_text = _(
        "La trace de vos demandes est conservée, sans votre adresse en clair : c'est la preuve que nous y avons "
        "répondu."
    )
    erase_order = 1000

    def rows(self, subject):
        digests = [email_digest(email) for email in subject.emails]
        if not digests and subject.user_id is None:
            return empty(PrivacyRequest)
        query = PrivacyRequest.objects.filter(email_digest__in=digests)
        if subject.user_id is not None:
            query = query | PrivacyRequest.objects.filter(user_id=subject.user_id)
        return query.exclude(status=PrivacyRequest.Status.IN_PROGRESS)

    def export_row(self, row):
        return {
            str(_("droit")): row.get_right_display(),
            str(_("canal")): row.get_channel_display(),
            str(_("statut")): row.get_status_display(),
            str(_("le")): row.created_at.isoformat(),
            str(_("ce qui a été fait")): row.summary,
        }


class SessionData(PersonalData):
    model = Session
    treatment = SESSIONS
    fields = ("session_key", "expire_date")
    label = _("Vos sessions de navigation")
    erasure = Erasure.DELETE
    erasure_text = _("La session de ce navigateur est supprimée : vous serez déconnecté.")
    erase_order = 1000

    def rows(self, subject):
        if not subject.session_keys:
            return empty(Session)
        return Session.objects.filter(session_key__in=subject.session_keys)

    def export_row(self, row):
        return {str(_("expire le")): row.expire_date.isoformat()}


TASKS = Treatment(
    key="core.tasks",
    name=_("Envois en attente"),
    purpose=_(
        "Envoyer les e-mails et faire les travaux longs en dehors de votre visite, puis en garder la trace."
    ),
    legal_basis=LegalBasis.LEGITIMATE_INTEREST,
    description=_(
        "Les e-mails (confirmations, rappels, liens) partent d'une file d'attente : chaque envoi y est noté avec "
        "l'adresse à laquelle il part, puis la trace est effacée."
    ),
    categories=(_("adresse e-mail et nom du destinataire d'un envoi"),),
    people=_("les destinataires de nos e-mails"),
    retention=lambda: (
        _("%(days)s jours après l'envoi") % {"days": settings.RETENTION_TASK_RESULTS_DAYS}
        if settings.RETENTION_TASK_RESULTS_DAYS
        else _("sans limite de durée")
    ),
    order=92,
)


class TaskResultData(PersonalData):
    """The queue's record of the tasks already run whose arguments name the person (an e-mail sent to them). A
    task still waiting is left to run: it may be the cancellation an erasure has just asked for."""

    model = DBTaskResult
    treatment = TASKS
    fields = ("task_path", "finished_at")
    label = _("Les envois qui vous ont été faits")
    module_name = _("Navigation et demandes sur vos données")
    erasure = Erasure.DELETE
    erasure_text = _("La trace des e-mails qui vous ont été envoyés est supprimée.")
    erase_order = 1000

    def rows(self, subject):
        if not subject.emails:
            return empty(DBTaskResult)
        query = Q()
        for email in subject.emails:
            query |= Q(arguments__icontains=email)
        return (
            DBTaskResult.objects.annotate(arguments=Cast("args_kwargs", TextField()))
            .filter(query)
            .exclude(finished_at__isnull=True)
        )

    def export_row(self, row):
        return {str(_("envoi")): row.task_path.rsplit(".", 1)[-1], str(_("le")): row.finished_at.isoformat()}


register(RequestData())
register(SessionData())
register(TaskResultData())
not_personal("privacy.PrivacyRequest.created_by", "the staff member who entered a request received by post")
not_personal(
    "admin.LogEntry.user", "the staff member who changed something in the admin; staff accounts only"
)
not_personal("auth.Permission", "the name of a permission")
not_personal("auth.Group", "the name of a staff group")
not_personal("core.PeriodicJob", "the name of a periodic job")
not_personal("core.SharedVersion", "the name of a cache version")
