"""The audit report sent by e-mail, the PDF attached."""

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from frenchbot.core.mail import mail_send

from .models import Audit
from .reports import audit_report_context, audit_report_filename, audit_report_pdf_kept


def send_audit_report(*, audit: Audit) -> int:
    """E-mail the report (PDF attached) to the address the person gave with their consent; 0 without one."""
    if not audit.email:
        return 0
    with translation.override("fr"):
        context = audit_report_context(audit=audit)
        context.update(
            {
                "result_url": settings.SITE_URL + reverse("audits:result", args=[audit.id]),
                "booking_url": settings.SITE_URL + reverse("booking:start") + f"?audit={audit.id}",
            }
        )
        body = render_to_string("audits/email/report.txt", context)
        subject = _("Votre rapport d'audit IA : %(overall)s/100") % {"overall": audit.overall}
    return mail_send(
        to=[audit.email],
        subject=subject,
        body=body,
        attachments=[
            (audit_report_filename(audit=audit), audit_report_pdf_kept(audit=audit), "application/pdf")
        ],
    )
