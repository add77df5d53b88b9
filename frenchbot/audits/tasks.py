"""Background work of the audit: the model's section and the report by e-mail, never in a request."""

from django.utils import timezone
from django_tasks import task

from frenchbot.analytics.goals import goal_record

from .models import Audit


@task()
def audit_finish(audit_id: str, send_email: bool = True) -> int:
    """Write the AI section when a model is configured, then e-mail the report once (PDF attached).

    Returns the number of e-mails sent. The report is sent even when the model fails: it is complete without.
    """
    from . import emails, reports

    audit = Audit.objects.filter(pk=audit_id).first()
    if audit is None:
        return 0
    reports.audit_ai_section_write(audit=audit)
    if not send_email or not audit.email or audit.report_sent_at is not None:
        return 0
    # Claimed before sending: a task run twice (a retried worker) sends one e-mail, not two.
    claimed = Audit.objects.filter(pk=audit.pk, report_sent_at__isnull=True).update(
        report_sent_at=timezone.now()
    )
    if not claimed:
        return 0
    audit.refresh_from_db()
    try:
        sent = emails.send_audit_report(audit=audit)
    except Exception:
        # Not sent: free the claim so that a retry (or `frenchbot` re-running the task) can send it.
        Audit.objects.filter(pk=audit.pk).update(report_sent_at=None)
        raise
    if sent:
        # The worker sends it, not the visitor: the goal takes the attribution of the audit's.
        goal_record(name="report_sent", subject=audit, by_visitor=False)
    return sent
