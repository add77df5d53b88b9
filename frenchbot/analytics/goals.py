"""The one way an app reports a goal of the visitor's journey. Apps import this module and nothing else of
analytics; analytics imports none of them.

    from frenchbot.analytics.goals import goal_record
    goal_record(name="audit_completed", subject=audit)

In a request the goal is tied to the visitor of the day (the visit it happened in gives its entry page and its
campaign); in the worker or for a step staff record (`by_visitor=False`) it has no visitor and takes the
attribution of the first goal about the same `subject`, or about the object it `follows`."""

import contextlib
import hashlib
import hmac
import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .context import current_visit
from .hashing import visitor_hash
from .models import Goal, GoalName

logger = logging.getLogger(__name__)


def subject_key(obj) -> str:
    """A keyed hash of a model instance ("app.Model:pk"): goals about the same object share it, and nobody
    without the secret key can tell which object it is."""
    if obj is None:
        return ""
    label = f"{obj._meta.label}:{obj.pk}"
    return hmac.new(settings.SECRET_KEY.encode(), label.encode(), hashlib.sha256).hexdigest()[:32]


def _visitor_number(*, visit, day, name: str) -> int | None:
    """The visitor number, or None when the day's salt cannot be read or made: the goal still counts, without
    attribution. Inside the caller's transaction the salt is made in a savepoint, so that a failure (another
    process made it at the same moment) does not abort what the visitor is doing."""
    guard = transaction.atomic() if transaction.get_connection().in_atomic_block else contextlib.nullcontext()
    try:
        with guard:
            return visitor_hash(ip=visit.ip, user_agent=visit.user_agent, day=day)
    except Exception:
        logger.exception("analytics: no visitor number for goal %s", name)
        return None


def goal_record(*, name: str, subject=None, follows=None, by_visitor: bool = True) -> None:
    """Record that goal `name` (a `GoalName`) was reached, once the current transaction commits.

    `by_visitor=True`: the visitor of the current request reached it; nothing is recorded when that visitor is
    staff or a robot, and no visitor number is kept when they ask not to be tracked (DNT, Sec-GPC).
    `by_visitor=False`: someone else recorded it (staff marking a call held, the worker e-mailing a report).
    Never raises but for an unknown name: a failure to count must not break what the visitor did."""
    # A misspelt name is a programming error: it fails in tests even where analytics is switched off.
    if name not in GoalName.values:
        raise ValueError(f"Unknown goal {name!r}")
    if not settings.ANALYTICS_ENABLED:
        return
    now = timezone.now()
    # The goal's day is the day of the salt its visitor number is made with (the two match around midnight).
    day = timezone.localdate(now)
    visitor = None
    if by_visitor:
        visit = current_visit()
        if visit is not None:
            if visit.excluded:
                return
            if not visit.opted_out:
                visitor = _visitor_number(visit=visit, day=day, name=name)
    row = Goal(
        at=now,
        day=day,
        name=name,
        visitor=visitor,
        subject=subject_key(subject),
        follows=subject_key(follows),
    )

    def write():
        try:
            row.save()
        except Exception:
            logger.exception("analytics: goal %s not recorded", name)

    transaction.on_commit(write)
