"""The audit's personal data: the answers a person gave, their report and, when they left it with their consent,
their e-mail.

An audit made without an e-mail ties to nobody: only the address finds a person's audits. Deleting an audit sets
`Booking.audit` to nothing (SET_NULL): a booking that carried the report stays, without it.
"""

import functools
import logging

from django.utils import formats, timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as gettext_now
from django.utils.translation import gettext_lazy as _

from frenchbot.privacy.registry import (
    Consent,
    ConsentSource,
    Erasure,
    LegalBasis,
    PersonalData,
    Treatment,
    by_emails,
    register,
    register_consents,
)

from .models import Audit, Option, Question
from .services import audit_consent_withdraw

logger = logging.getLogger(__name__)

AUDIT = Treatment(
    key="audits.audit",
    name=_("Audit IA offert"),
    purpose=_(
        "Évaluer votre usage de l'IA, vous remettre votre rapport et, si vous l'acceptez, en reparler."
    ),
    legal_basis=LegalBasis.CONSENT,
    description=_(
        "Vos réponses au questionnaire, vos scores et votre rapport sont enregistrés sans votre nom ni votre "
        "e-mail. Le résultat s'affiche à une adresse difficile à deviner : toute personne à qui vous la "
        "transmettez peut le consulter. Si vous indiquez votre e-mail et cochez la case de consentement, "
        "nous vous envoyons le rapport par e-mail et l'audit est ajouté à votre fiche de prospect, pour que "
        "nous puissions vous recontacter à son sujet ; votre consentement est conservé comme pour le "
        "formulaire de contact. Base légale : votre consentement."
    ),
    categories=(
        _("réponses au questionnaire, scores et rapport"),
        _("e-mail, si vous l'indiquez"),
        _("preuve du consentement (texte accepté, date)"),
        _("analyse rédigée par l'IA, si un modèle est configuré"),
    ),
    people=_("les personnes qui font l'audit"),
    retention=_(
        "tant que le suivi de votre audit et la relation qui s'ensuit le justifient, ou jusqu'à votre demande "
        "d'effacement ; sans e-mail, l'audit ne se rattache à personne"
    ),
    ai_processing=True,
    order=20,
)


class AuditData(PersonalData):
    model = Audit
    treatment = AUDIT
    fields = ("email", "consent_text", "consent_at", "answers", "scores", "report", "ai_text", "created_at")
    label = _("Vos audits IA")
    erasure = Erasure.DELETE
    erasure_text = _("Vos réponses à l'audit et votre rapport sont supprimés.")
    email_fields = ("email",)

    def rows(self, subject):
        return by_emails(Audit, "email", subject)

    def export_row(self, row):
        from .reports import audit_report_context

        context = audit_report_context(audit=row)
        return {
            str(_("date")): row.created_at.isoformat(),
            str(_("parcours")): str(row.get_track_display()),
            str(_("vos réponses")): _answers(row),
            str(_("score global")): context["overall"],
            str(_("niveau")): str(context["level_label"]),
            str(_("scores par dimension")): {str(d["label"]): d["score"] for d in context["dimensions"]},
            str(_("opportunités proposées")): [o["task"] for o in context["opportunities"]],
            str(_("analyse rédigée par l'IA")): row.ai_text,
            str(_("e-mail")): row.email,
            str(_("texte du consentement")): row.consent_text,
            str(_("consentement donné le")): row.consent_at.isoformat() if row.consent_at else None,
        }

    def files(self, row):
        from frenchbot.core.pdf import PdfError

        from .reports import audit_report_pdf

        try:
            pdf = audit_report_pdf(audit=row)
        except PdfError:
            # The archive still says everything the report says (export_row): a PDF that fails loses nothing.
            logger.warning("Audit report left out of a personal data archive: the PDF could not be rendered")
            return []
        day = timezone.localtime(row.created_at).date()
        # The date names it; the start of the id keeps two reports of one day apart in the archive.
        return [(f"audit/rapport-{day:%Y-%m-%d}-{row.pk.hex[:8]}.pdf", pdf)]


def _answers(audit: Audit) -> list[dict[str, str]]:
    """The answers as the person read them: question → chosen option (stored as ids)."""
    chosen = {int(question): int(option) for question, option in audit.answers.items()}
    questions = Question.objects.filter(pk__in=chosen).order_by("order", "id")
    options = dict(Option.objects.filter(pk__in=chosen.values()).values_list("pk", "text"))
    return [
        {str(_("question")): question.text, str(_("réponse")): options.get(chosen[question.pk], "")}
        for question in questions
    ]


class AuditConsents(ConsentSource):
    """The consent given with an audit's e-mail: to receive the report and be contacted about it."""

    treatment = AUDIT

    def consents(self, subject):
        audits = by_emails(Audit, "email", subject).filter(consent_at__isnull=False).order_by("created_at")
        return [
            Consent(
                # Not the id itself: it is the key to the result page, and consent keys travel in forms.
                key="audit:" + salted_hmac("privacy.audit-consent", str(audit.pk)).hexdigest()[:20],
                label=gettext_now("Suivi de votre audit IA du %(date)s") % {"date": _day(audit.created_at)},
                given_at=audit.consent_at,
                withdraw=functools.partial(audit_consent_withdraw, audit=audit),
            )
            for audit in audits
        ]


def _day(moment) -> str:
    return formats.date_format(timezone.localtime(moment), "DATE_FORMAT")


register(AuditData())
register_consents(AuditConsents())
