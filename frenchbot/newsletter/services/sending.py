"""Sending a letter: the delivery rows, their claims by the workers, the outcome of each message, the periodic
recovery of interrupted sends, and the scheduled and test sends.

How a send goes. `issue_send_start` writes one Delivery row per confirmed subscriber of the letter's lists (the
unique constraint (issue, subscriber) makes a second start harmless) and queues one batch task. A batch task
claims up to NEWSLETTER_SEND_BATCH_SIZE pending rows in one short transaction (they become `sending`), sends
them over one SMTP connection, marks each row with one UPDATE as soon as the server has answered for it, and
goes on with the next batch (for about a minute, then it queues a new task) while rows remain pending. One task
at a time per letter keeps NEWSLETTER_SEND_RATE a rate for the whole send, however many workers run.

Interruptions. A worker killed mid-batch leaves its claimed rows in `sending`; the periodic job
(`issue_sends_tick`, every minute) puts rows claimed more than NEWSLETTER_SEND_RECLAIM_MINUTES ago back to
`pending` and restarts the chain of batches. Rows already marked `sent` are never claimed again.

At-least-once for one message, by choice. Between the server's « 250 accepted » and the UPDATE that marks the row
there is an unavoidable window (the two cannot be one atomic step): a worker killed exactly there leaves a row in
`sending` whose message did leave, and the recovery sends it again. The other choice, marking the row before
the SMTP conversation and never retrying a row so marked, would lose the message of every kill that lands during
the conversation, which lasts far longer than that window: it would lose letters silently and more often than
this design repeats one. So a killed worker costs at most one repeated message (the one in flight), and that copy
carries the same Message-ID as the first (rendering.delivery_message_id), which Gmail and several clients merge.
Every other row is sent exactly once, as the tests prove with a real worker killed halfway.
"""

import datetime
import logging
import smtplib

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import F, Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from frenchbot.core.ratelimit import rate_limit_hit

from ..errors import NewsletterError
from ..models import Delivery, Issue, MailingList, Subscriber, SubscriptionChange

logger = logging.getLogger(__name__)

_BULK_CHUNK = 1000
# DATA-stage refusals that speak of the mailbox (no such user, relaying denied, bad address): the address is
# dead. Other 5xx at DATA (content refused) are not the reader's fault and do not mark them bouncing.
_DATA_BOUNCE_CODES = {550, 551, 553}


def _reclaim_after() -> datetime.timedelta:
    """How old a claim must be to belong to a dead worker: the setting, but never less than twice the time a
    living worker may spend on one batch at the configured rate (a slow rate must not cause repeats)."""
    configured = datetime.timedelta(minutes=settings.NEWSLETTER_SEND_RECLAIM_MINUTES)
    rate = settings.NEWSLETTER_SEND_RATE
    if rate and rate > 0:
        return max(configured, datetime.timedelta(seconds=2 * settings.NEWSLETTER_SEND_BATCH_SIZE / rate))
    return configured


def _retry_after() -> datetime.timedelta:
    return datetime.timedelta(minutes=settings.NEWSLETTER_SEND_RETRY_MINUTES)


def _enqueue_batch(issue_id: int) -> None:
    from ..tasks import issue_send_batch

    issue_send_batch.enqueue(issue_id=issue_id)


def issue_recipients(*, issue: Issue):
    """The ids of the confirmed subscribers of any of the letter's lists (each once)."""
    return (
        Subscriber.objects.filter(status=Subscriber.Status.CONFIRMED, lists__in=issue.lists.all())
        .order_by("id")
        .values_list("id", flat=True)
        .distinct()
    )


# --- Starting, scheduling, testing ----------------------------------------------------------------------------


def issue_send_start(*, issue: Issue, by=None, now: datetime.datetime | None = None) -> int:
    """Send `issue` now to the confirmed subscribers of its lists: writes their delivery rows and queues the
    first batch. Returns the number of recipients. Calling it again on a letter being sent adds only the
    subscribers confirmed since, and queues a batch; a letter already sent raises NewsletterError."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = Issue.objects.select_for_update().get(pk=issue.pk)
        if locked.status == Issue.Status.SENT:
            raise NewsletterError(_("Cette lettre a déjà été envoyée."), code="already_sent")
        if not locked.lists.exists():
            raise NewsletterError(
                _("Choisissez au moins une liste destinataire avant d'envoyer."),
                field="lists",
                code="no_lists",
            )
        chunk: list[Delivery] = []
        for subscriber_id in issue_recipients(issue=locked).iterator(chunk_size=2000):
            chunk.append(Delivery(issue_id=locked.pk, subscriber_id=subscriber_id))
            if len(chunk) >= _BULK_CHUNK:
                Delivery.objects.bulk_create(chunk, ignore_conflicts=True)
                chunk = []
        if chunk:
            Delivery.objects.bulk_create(chunk, ignore_conflicts=True)
        locked.status = Issue.Status.SENDING
        locked.sending_started_at = locked.sending_started_at or now
        if by is not None and locked.author_id is None:
            locked.author = by
        locked.save(update_fields=["status", "sending_started_at", "author", "updated_at"])
        total = Delivery.objects.filter(issue=locked).count()
        transaction.on_commit(lambda: _enqueue_batch(locked.pk))
    logger.info("Lettre %s : envoi commencé pour %d destinataires", locked.pk, total)
    issue.refresh_from_db()
    return total


def issue_schedule(
    *, issue: Issue, at: datetime.datetime, by=None, now: datetime.datetime | None = None
) -> Issue:
    """Send `issue` at `at` (an aware date-time in the future): the periodic job starts it when due."""
    now = now or timezone.now()
    if timezone.is_naive(at):
        raise NewsletterError(_("Indiquez une date avec son fuseau horaire."), field="at", code="naive")
    if at <= now:
        raise NewsletterError(_("Choisissez une date et une heure à venir."), field="at", code="past")
    with transaction.atomic():
        locked = Issue.objects.select_for_update().get(pk=issue.pk)
        if locked.status not in {Issue.Status.DRAFT, Issue.Status.SCHEDULED}:
            raise NewsletterError(
                _("Cette lettre est déjà partie : elle ne peut plus être programmée."), code="started"
            )
        if not locked.lists.exists():
            raise NewsletterError(
                _("Choisissez au moins une liste destinataire avant de programmer."),
                field="lists",
                code="no_lists",
            )
        locked.status = Issue.Status.SCHEDULED
        locked.scheduled_at = at
        if by is not None and locked.author_id is None:
            locked.author = by
        locked.save(update_fields=["status", "scheduled_at", "author", "updated_at"])
    issue.refresh_from_db()
    return issue


def issue_unschedule(*, issue: Issue) -> Issue:
    """Back to draft, if the scheduled send has not started."""
    updated = Issue.objects.filter(pk=issue.pk, status=Issue.Status.SCHEDULED).update(
        status=Issue.Status.DRAFT, scheduled_at=None, updated_at=timezone.now()
    )
    if not updated:
        raise NewsletterError(_("Cette lettre n'est pas programmée."), code="not_scheduled")
    issue.refresh_from_db()
    return issue


def issue_send_test(*, issue: Issue, to: str, by=None) -> None:
    """Queue the letter, marked « [TEST] », to `to` only (usually oneself); writes no delivery row. At most
    NEWSLETTER_TEST_SEND_RATE_LIMIT test sends per person per hour."""
    to = (to or "").strip().lower()
    try:
        validate_email(to)
    except ValidationError:
        raise NewsletterError(_("Saisissez une adresse e-mail valide."), field="to", code="invalid") from None
    key = str(by.pk) if by is not None and by.pk else to
    if rate_limit_hit(
        scope="newsletter-test-send",
        key=key,
        limit=settings.NEWSLETTER_TEST_SEND_RATE_LIMIT,
        window_seconds=3600,
    ):
        raise NewsletterError(_("Trop d'envois de test en une heure : réessayez plus tard."), code="rate")
    from ..tasks import issue_send_test_message

    transaction.on_commit(lambda: issue_send_test_message.enqueue(issue_id=issue.pk, to=to))


# --- What workers do with the rows -----------------------------------------------------------------------------


def deliveries_claim(*, issue_id: int, limit: int, now: datetime.datetime | None = None) -> list[int]:
    """Take up to `limit` pending rows of the letter for this worker: they become `sending`, and no other worker
    can take them. Returns their ids.

    PostgreSQL: the chosen rows are locked with SKIP LOCKED, so concurrent workers take different rows. SQLite
    (BEGIN IMMEDIATE): the transaction holds the write lock from its start, so claims run one after the other.
    The UPDATE re-checks `pending` either way."""
    now = now or timezone.now()
    with transaction.atomic():
        ids = list(
            Delivery.objects.filter(issue_id=issue_id, status=Delivery.Status.PENDING)
            .order_by("id")
            .select_for_update(skip_locked=True)
            .values_list("id", flat=True)[:limit]
        )
        if not ids:
            return []
        Delivery.objects.filter(id__in=ids, status=Delivery.Status.PENDING).update(
            status=Delivery.Status.SENDING, claimed_at=now, attempts=F("attempts") + 1
        )
        return list(
            Delivery.objects.filter(id__in=ids, status=Delivery.Status.SENDING, claimed_at=now)
            .order_by("id")
            .values_list("id", flat=True)
        )


def delivery_mark_sent(*, delivery_id: int, now: datetime.datetime | None = None) -> None:
    """The server accepted the message: one UPDATE, run right after its answer."""
    Delivery.objects.filter(pk=delivery_id, status=Delivery.Status.SENDING).update(
        status=Delivery.Status.SENT, sent_at=now or timezone.now(), error=""
    )


def delivery_mark_skipped(*, delivery_id: int) -> None:
    """The subscriber left (or bounced) after the send started: nothing is sent."""
    Delivery.objects.filter(pk=delivery_id, status=Delivery.Status.SENDING).update(
        status=Delivery.Status.SKIPPED
    )


def delivery_mark_failed(*, delivery_id: int, error: str, final: bool = False) -> None:
    """A temporary refusal (4xx, connection lost): tried again after NEWSLETTER_SEND_RETRY_MINUTES, up to
    NEWSLETTER_SEND_MAX_ATTEMPTS attempts in all; `final` gives up at once."""
    values = {"status": Delivery.Status.FAILED, "error": error[:300]}
    if final:
        values["attempts"] = max(settings.NEWSLETTER_SEND_MAX_ATTEMPTS, 1)
    Delivery.objects.filter(pk=delivery_id, status=Delivery.Status.SENDING).update(**values)


def delivery_bounce(*, delivery_id: int, reason: str, now: datetime.datetime | None = None) -> None:
    """The recipient's server refused the address for good (5xx): the row is `bounced`, the subscriber
    `bouncing` (never mailed again, by this send or any other), and each of their lists records the bounce
    with the letter that caused it."""
    now = now or timezone.now()
    reason = reason[:300]
    with transaction.atomic():
        delivery = Delivery.objects.select_related("subscriber").get(pk=delivery_id)
        Delivery.objects.filter(pk=delivery_id).update(status=Delivery.Status.BOUNCED, error=reason)
        changed = Subscriber.objects.filter(
            pk=delivery.subscriber_id, status__in=[Subscriber.Status.CONFIRMED, Subscriber.Status.PENDING]
        ).update(status=Subscriber.Status.BOUNCING, bounced_at=now, bounce_reason=reason, updated_at=now)
        if changed:
            SubscriptionChange.objects.bulk_create(
                SubscriptionChange(
                    subscriber_id=delivery.subscriber_id,
                    mailing_list=mailing_list,
                    kind=SubscriptionChange.Kind.BOUNCED,
                    at=now,
                    issue_id=delivery.issue_id,
                )
                for mailing_list in MailingList.objects.filter(subscribers=delivery.subscriber_id)
            )
    logger.info(
        "Lettre %s : adresse refusée définitivement (abonné %s)", delivery.issue_id, delivery.subscriber_id
    )


def smtp_outcome(error: Exception) -> tuple[str, str]:
    """What an SMTP error means for one recipient: ("bounce" | "retry" | "fail", the reason to keep)."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        code, message = next(iter(error.recipients.values()), (0, b""))
        reason = f"{code} {_decode(message)}".strip()
        return ("bounce" if 500 <= code < 600 else "retry"), reason
    if isinstance(error, smtplib.SMTPResponseException):
        code = error.smtp_code
        reason = f"{code} {_decode(error.smtp_error)}".strip()
        if 400 <= code < 500:
            return "retry", reason
        if isinstance(error, smtplib.SMTPDataError) and code in _DATA_BOUNCE_CODES:
            return "bounce", reason
        # Our sender refused, or the content: not this reader's fault, and retrying would change nothing.
        return "fail", reason
    # Connection lost, timeout, refused connection: the server may come back.
    return "retry", f"{type(error).__name__}: {error}"[:300]


def _decode(message) -> str:
    if isinstance(message, bytes):
        return message.decode("utf-8", "replace")
    return str(message)


def issue_send_finish_if_done(*, issue_id: int, now: datetime.datetime | None = None) -> bool:
    """Mark the letter sent once no row is pending, being sent, or failed with attempts left. True when it
    became `sent` by this call."""
    now = now or timezone.now()
    open_rows = Delivery.objects.filter(issue_id=issue_id).filter(
        Q(status__in=[Delivery.Status.PENDING, Delivery.Status.SENDING])
        | Q(status=Delivery.Status.FAILED, attempts__lt=settings.NEWSLETTER_SEND_MAX_ATTEMPTS)
    )
    if open_rows.exists():
        return False
    done = bool(
        Issue.objects.filter(pk=issue_id, status=Issue.Status.SENDING).update(
            status=Issue.Status.SENT, sent_at=now, updated_at=now
        )
    )
    if done:
        logger.info("Lettre %s : envoi terminé", issue_id)
    return done


def issue_sends_tick(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """The periodic job (every minute): start the scheduled letters that are due, put back rows abandoned by a
    dead worker and temporary failures whose delay has passed, restart the batches of letters nobody works on,
    and mark finished letters sent. Returns counts of what it did."""
    now = now or timezone.now()
    counts = {"started": 0, "reclaimed": 0, "retried": 0, "resumed": 0, "finished": 0}
    for issue in Issue.objects.filter(status=Issue.Status.SCHEDULED, scheduled_at__lte=now):
        try:
            issue_send_start(issue=issue, now=now)
        except NewsletterError as error:
            logger.warning("Lettre %s programmée, non envoyée : %s", issue.pk, error.message)
            continue
        counts["started"] += 1

    max_attempts = settings.NEWSLETTER_SEND_MAX_ATTEMPTS
    touched: set[int] = set()
    stale = Delivery.objects.filter(
        status=Delivery.Status.SENDING,
        claimed_at__lt=now - _reclaim_after(),
        issue__status=Issue.Status.SENDING,
    )
    touched.update(stale.values_list("issue_id", flat=True).distinct())
    # A row that killed its worker this many times gives up rather than looping for ever.
    stale.filter(attempts__gte=max_attempts).update(
        status=Delivery.Status.FAILED, error=_("Envoi interrompu à plusieurs reprises.")
    )
    counts["reclaimed"] = stale.filter(attempts__lt=max_attempts).update(status=Delivery.Status.PENDING)
    retry = Delivery.objects.filter(
        status=Delivery.Status.FAILED,
        attempts__lt=max_attempts,
        claimed_at__lt=now - _retry_after(),
        issue__status=Issue.Status.SENDING,
    )
    touched.update(retry.values_list("issue_id", flat=True).distinct())
    counts["retried"] = retry.update(status=Delivery.Status.PENDING)

    for issue in Issue.objects.filter(status=Issue.Status.SENDING).annotate(
        last_claim=Max("deliveries__claimed_at")
    ):
        has_pending = Delivery.objects.filter(issue=issue, status=Delivery.Status.PENDING).exists()
        if has_pending:
            last_activity = max(filter(None, [issue.last_claim, issue.sending_started_at]), default=None)
            idle = last_activity is None or last_activity < now - _reclaim_after()
            if issue.pk in touched or idle:
                _enqueue_batch(issue.pk)
                counts["resumed"] += 1
        elif issue_send_finish_if_done(issue_id=issue.pk, now=now):
            counts["finished"] += 1
    return counts
