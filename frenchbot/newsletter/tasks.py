"""Background work of the newsletter: the batches of a send, the test send, and the periodic job that starts
scheduled letters and resumes interrupted sends (settings.WORKER_PERIODIC_JOBS)."""

import datetime
import logging
import smtplib
import time

from django.conf import settings
from django.core.mail import get_connection
from django.utils import timezone
from django_tasks import task

from frenchbot.core.mail import mail_send

from . import rendering
from .models import Delivery, Issue, Subscriber
from .services import sending

# --- Sign-up -------------------------------------------------------------------------------------------------


@task()
def send_signup_email(subscriber_id: int, kind: str) -> int:
    """The confirmation link (`kind` "confirm") or the « vous êtes déjà inscrit » notice ("already") of a sign-up;
    0 when the address changed state meanwhile (confirmed before the e-mail left, unsubscribed…). The arguments
    name who and what, never the link, which is a credential made here."""
    from . import signup_emails

    subscriber = Subscriber.objects.filter(pk=subscriber_id).first()
    if subscriber is None:
        return 0
    if kind == "confirm" and subscriber.status == Subscriber.Status.PENDING:
        return signup_emails.send_confirmation(subscriber=subscriber)
    if kind == "already" and subscriber.status == Subscriber.Status.CONFIRMED:
        return signup_emails.send_already_subscribed(subscriber=subscriber)
    return 0


logger = logging.getLogger(__name__)

# Seconds an SMTP operation may take before the batch gives the message up as a temporary failure (a hung
# server must not hold rows in `sending` longer than NEWSLETTER_SEND_RECLAIM_MINUTES).
_SMTP_TIMEOUT = 60
# One task sends batches for about this long before handing over to a new task.
_TASK_SECONDS = 60


class _Pacer:
    """At most `rate` messages per second (0: no limit), spaced evenly."""

    def __init__(self, rate: float) -> None:
        self.interval = 1.0 / rate if rate and rate > 0 else 0.0
        self.next_at = time.monotonic()

    def wait(self) -> None:
        if not self.interval:
            return
        now = time.monotonic()
        if self.next_at > now:
            time.sleep(self.next_at - now)
        self.next_at = max(self.next_at, now) + self.interval


def _open(connection) -> None:
    # Opened here rather than by send_messages, which would close it after each message.
    if getattr(connection, "connection", None) is None:
        connection.open()


def _memberships(*, issue: Issue, subscriber_ids: list[int]) -> dict[int, list[str]]:
    """For each subscriber of the batch, the names of the letter's lists they are on (one query)."""
    lists = {mailing_list.pk: mailing_list for mailing_list in issue.lists.all()}
    names: dict[int, list] = {}
    through = Subscriber.lists.through.objects.filter(
        subscriber_id__in=subscriber_ids, mailinglist_id__in=list(lists)
    ).values_list("subscriber_id", "mailinglist_id")
    for subscriber_id, list_id in through:
        names.setdefault(subscriber_id, []).append(lists[list_id])
    return {
        key: [m.name for m in sorted(value, key=lambda m: (m.position, m.name))]
        for key, value in names.items()
    }


def send_batch(*, issue_id: int) -> dict[str, int]:
    """Claim one batch of the letter's rows and send it over one SMTP connection. Returns counts per outcome."""
    counts = {"sent": 0, "skipped": 0, "bounced": 0, "failed": 0}
    issue = Issue.objects.filter(pk=issue_id, status=Issue.Status.SENDING).prefetch_related("lists").first()
    if issue is None:
        return counts
    ids = sending.deliveries_claim(issue_id=issue_id, limit=settings.NEWSLETTER_SEND_BATCH_SIZE)
    if not ids:
        return counts
    deliveries = list(Delivery.objects.filter(id__in=ids).select_related("subscriber").order_by("id"))
    memberships = _memberships(issue=issue, subscriber_ids=[d.subscriber_id for d in deliveries])
    content = rendering.issue_content(issue=issue)
    pacer = _Pacer(settings.NEWSLETTER_SEND_RATE)
    connection = get_connection(timeout=_SMTP_TIMEOUT)
    try:
        for delivery in deliveries:
            # Read again right before sending: an unsubscribe (or a bounce from another letter) since the rows
            # were written takes effect at once.
            status = (
                Subscriber.objects.filter(pk=delivery.subscriber_id).values_list("status", flat=True).first()
            )
            if status != Subscriber.Status.CONFIRMED:
                sending.delivery_mark_skipped(delivery_id=delivery.pk)
                counts["skipped"] += 1
                continue
            message = rendering.issue_email(
                issue=issue,
                subscriber=delivery.subscriber,
                content=content,
                list_names=memberships.get(delivery.subscriber_id, []),
            )
            pacer.wait()
            try:
                _open(connection)
                mail_send(
                    to=[message.to],
                    subject=message.subject,
                    body=message.text,
                    html=message.html,
                    headers=message.headers,
                    from_email=settings.NEWSLETTER_FROM_EMAIL,
                    connection=connection,
                )
            except (smtplib.SMTPException, OSError) as error:
                outcome, reason = sending.smtp_outcome(error)
                if outcome == "bounce":
                    sending.delivery_bounce(delivery_id=delivery.pk, reason=reason)
                    counts["bounced"] += 1
                else:
                    sending.delivery_mark_failed(
                        delivery_id=delivery.pk, error=reason, final=outcome == "fail"
                    )
                    counts["failed"] += 1
                if not isinstance(error, smtplib.SMTPResponseException | smtplib.SMTPRecipientsRefused):
                    # The session is broken: the next message opens a new one.
                    connection.close()
                continue
            sending.delivery_mark_sent(delivery_id=delivery.pk, now=timezone.now())
            counts["sent"] += 1
    finally:
        connection.close()
    return counts


@task()
def issue_send_batch(issue_id: int) -> dict[str, int]:
    """Batches of a send for up to _TASK_SECONDS, then the next task (so that a worker also runs other tasks
    during a long send, and the immediate backend does not nest one call per batch); the last one marks the
    letter sent."""
    totals = {"sent": 0, "skipped": 0, "bounced": 0, "failed": 0}
    deadline = time.monotonic() + _TASK_SECONDS
    while True:
        counts = send_batch(issue_id=issue_id)
        for key, value in counts.items():
            totals[key] += value
        pending = Delivery.objects.filter(issue_id=issue_id, status=Delivery.Status.PENDING).exists()
        if not pending or not any(counts.values()) or time.monotonic() >= deadline:
            break
    logger.info("Lettre %s : lots envoyés %s", issue_id, totals)
    if pending:
        issue_send_batch.enqueue(issue_id=issue_id)
    else:
        sending.issue_send_finish_if_done(issue_id=issue_id)
    return totals


@task()
def issue_send_test_message(issue_id: int, to: str) -> int:
    """The letter marked « [TEST] » to one address; the footer's links are those of the subscriber with that
    address if there is one (so that they can be tried), else links that lead nowhere."""
    issue = Issue.objects.filter(pk=issue_id).prefetch_related("lists").first()
    if issue is None:
        return 0
    subscriber = Subscriber.objects.filter(email=to.lower()).first() or Subscriber(email=to)
    message = rendering.issue_email(issue=issue, subscriber=subscriber, test=True)
    return mail_send(
        to=[to],
        subject=message.subject,
        body=message.text,
        html=message.html,
        headers=message.headers,
        from_email=settings.NEWSLETTER_FROM_EMAIL,
    )


@task()
def newsletter_send_tick() -> dict[str, int]:
    """Every minute (WORKER_PERIODIC_JOBS): scheduled letters, interrupted sends, retries."""
    return sending.issue_sends_tick()


# --- Retention ---------------------------------------------------------------------------------------------


@task()
def pending_subscribers_prune() -> int:
    """Delete the sign-ups never confirmed within RETENTION_NEWSLETTER_PENDING_DAYS (0 keeps them): an address
    typed into a form that its owner never confirmed is nobody's consent (the privacy policy says 30 days)."""
    days = settings.RETENTION_NEWSLETTER_PENDING_DAYS
    if days <= 0:
        return 0
    cutoff = timezone.now() - datetime.timedelta(days=days)
    _total, per_model = Subscriber.objects.filter(
        status=Subscriber.Status.PENDING, confirmed_at__isnull=True, created_at__lt=cutoff
    ).delete()
    return per_model.get(Subscriber._meta.label, 0)
