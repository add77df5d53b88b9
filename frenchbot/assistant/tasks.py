"""Retention of the bot's conversations, run daily by the worker's scheduler."""

import logging
from datetime import timedelta

from django.conf import settings
from django.db.models import Max
from django.db.models.functions import Coalesce
from django.utils import timezone
from django_tasks import task

from .models import Conversation

logger = logging.getLogger(__name__)


@task()
def conversations_prune() -> int:
    """Remove conversations whose last message is older than RETENTION_CONVERSATIONS_DAYS (0 keeps them),
    with their messages and feedback: the privacy policy keeps them twelve months to improve the bot."""
    days = settings.RETENTION_CONVERSATIONS_DAYS
    if not days:
        return 0
    cutoff = timezone.now() - timedelta(days=days)
    stale = (
        Conversation.objects.annotate(last_activity=Coalesce(Max("messages__created_at"), "created_at"))
        .filter(last_activity__lt=cutoff)
        .values_list("pk", flat=True)
    )
    removed = 0
    # In batches: one statement with thousands of ids exceeds SQLite's variable limit.
    while batch := list(stale[:500]):
        Conversation.objects.filter(pk__in=batch).delete()
        removed += len(batch)
    logger.info("Rétention : %d conversations du bot supprimées (plus de %d jours)", removed, days)
    return removed
