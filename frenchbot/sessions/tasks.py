"""The sessions' background work: e-mails (convocations, reminders, cold surveys, complaint answers) and the
periodic jobs of WORKER_PERIODIC_JOBS."""

from django.utils import timezone
from django_tasks import task

from .models import Registration


def _registration(registration_id: int) -> Registration | None:
    return (
        Registration.objects.select_related("session__training")
        .filter(pk=registration_id, status=Registration.Status.REGISTERED)
        .first()
    )


@task()
def send_convocation(registration_id: int) -> int:
    """The convocation with the invitation; stamps `convocation_sent_at`."""
    from . import emails

    registration = _registration(registration_id)
    if registration is None:
        return 0
    sent = emails.send_convocation(registration=registration)
    Registration.objects.filter(pk=registration_id).update(convocation_sent_at=timezone.now())
    return sent


@task()
def reminders_send_due() -> int:
    """Queue the reminders due (SESSIONS_REMINDER_HOURS before the first half-day); returns how many."""
    from .services.registrations import reminders_due

    due = reminders_due()
    for registration_id in due:
        send_reminder.enqueue(registration_id=registration_id)
    return len(due)


@task()
def send_reminder(registration_id: int) -> int:
    from . import emails

    # Stamped first, in one UPDATE: a second run of the periodic job finds it stamped and sends nothing.
    claimed = Registration.objects.filter(pk=registration_id, reminder_sent_at__isnull=True).update(
        reminder_sent_at=timezone.now()
    )
    registration = _registration(registration_id)
    if not claimed or registration is None:
        return 0
    return emails.send_reminder(registration=registration)


@task()
def cold_surveys_send_due() -> int:
    """Queue the cold survey of every learner whose session ended SESSIONS_COLD_SURVEY_DAYS ago or more and who
    has neither received it nor answered it; returns how many."""
    from .services.surveys import cold_surveys_due

    due = cold_surveys_due()
    for registration_id in due:
        send_cold_survey.enqueue(registration_id=registration_id)
    return len(due)


@task()
def send_cold_survey(registration_id: int) -> int:
    from . import emails

    claimed = Registration.objects.filter(pk=registration_id, cold_survey_sent_at__isnull=True).update(
        cold_survey_sent_at=timezone.now()
    )
    registration = _registration(registration_id)
    if not claimed or registration is None:
        return 0
    return emails.send_cold_survey(registration=registration)


@task()
def indicators_compute() -> int:
    """Every published training's result indicators computed for today (dated on its page); returns how many."""
    from .services.indicators import indicators_snapshot_all

    return indicators_snapshot_all()


@task()
def send_convention(convention_id: int) -> int:
    """The signing link of a convention's version, to the company's contact; 0 when that version was signed or
    replaced meanwhile."""
    from .services.conventions import convention_email_send

    return convention_email_send(convention_id=convention_id)


# --- Complaints (« réclamations ») ------------------------------------------------------------------------
def _complaint(complaint_id: int):
    from .models import Complaint

    return Complaint.objects.select_related("training", "handled_by").filter(pk=complaint_id).first()


def _complaint_mail(
    *, complaint, to: list[str], subject: str, template: str, context: dict, reply_to=None
) -> int:
    from django.conf import settings
    from django.utils import translation

    from frenchbot.core.mail import mail_send_templated
    from frenchbot.core.text import single_line

    from .services.complaints import COMPLAINT_ANSWER_WORKING_DAYS

    with translation.override("fr"):
        # One line, then cut: the subject carries the person's own words.
        subject = single_line(
            str(subject) % {"reference": complaint.reference, "subject": complaint.subject}
        )[:200]
    return mail_send_templated(
        to=to,
        subject=subject,
        template=template,
        context={"complaint": complaint, "answer_days": COMPLAINT_ANSWER_WORKING_DAYS, **context},
        language="fr",
        reply_to=reply_to or [settings.CONTACT_EMAIL],
    )


@task()
def send_complaint_acknowledgement(complaint_id: int) -> int:
    """The person's acknowledgement: the reference, the delay of the answer, their text for the record."""
    from django.utils.translation import gettext_lazy as _

    complaint = _complaint(complaint_id)
    if complaint is None:
        return 0
    quoted = "\n".join(f"> {line}" if line else ">" for line in complaint.body.splitlines())
    return _complaint_mail(
        complaint=complaint,
        to=[complaint.email],
        subject=_("Votre réclamation %(reference)s est bien reçue"),
        template="sessions/email/complaint_received.txt",
        context={"quoted_body": quoted},
    )


@task()
def send_complaint_to_staff(complaint_id: int) -> int:
    """The team's notice of a new complaint with its back-office link; replying writes to the person."""
    from django.conf import settings
    from django.urls import reverse
    from django.utils.translation import gettext_lazy as _

    from frenchbot.core.mail import staff_notification_recipients

    complaint = _complaint(complaint_id)
    if complaint is None:
        return 0
    return _complaint_mail(
        complaint=complaint,
        to=staff_notification_recipients(),
        subject=_("Réclamation %(reference)s : %(subject)s"),
        template="sessions/email/complaint_staff.txt",
        context={
            "detail_url": settings.SITE_URL + reverse("backoffice:complaint_detail", args=[complaint.pk])
        },
        reply_to=[complaint.email],
    )


@task()
def send_complaint_answer(complaint_id: int) -> int:
    """The team's answer, as recorded (and dated) in the back-office; 0 when there is none."""
    from django.utils.translation import gettext_lazy as _

    complaint = _complaint(complaint_id)
    if complaint is None or not complaint.answer:
        return 0
    handler = complaint.handled_by
    return _complaint_mail(
        complaint=complaint,
        to=[complaint.email],
        subject=_("Réponse à votre réclamation %(reference)s"),
        template="sessions/email/complaint_answer.txt",
        context={"handler_name": handler.get_full_name() if handler else ""},
    )


@task()
def evidence_archive_prepare(start: str, end: str, user_id: int) -> str:
    """Build the evidence archive of the period (`start`, `end`: ISO dates) into the private storage and e-mail
    the staff member who asked the link to download it; archives older than a week go first. Returns the
    stored name."""
    import datetime

    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.urls import reverse
    from django.utils import translation
    from django.utils.translation import gettext as _

    from frenchbot.core.mail import mail_send_templated

    from .services import archive

    archive.archives_stored_prune()
    first, last = datetime.date.fromisoformat(start), datetime.date.fromisoformat(end)
    name = archive.archive_period_store(start=first, end=last)
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if user is not None and user.email:
        with translation.override("fr"):
            mail_send_templated(
                to=[user.email],
                subject=_("Preuves Qualiopi du %(start)s au %(end)s : l'archive est prête")
                % {"start": first.strftime("%d/%m/%Y"), "end": last.strftime("%d/%m/%Y")},
                template="sessions/email/evidence_archive.txt",
                context={
                    "url": settings.SITE_URL + reverse("backoffice:archive_download", args=[name]),
                    "start": first,
                    "end": last,
                    "keep_days": archive.ARCHIVE_KEEP_DAYS,
                },
            )
    return name
