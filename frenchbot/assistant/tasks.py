"""The bot's background work, run by the task queue: its intents prepared after a first start, and the daily
retention of its conversations (run by the worker's scheduler)."""

import logging
import time
from datetime import timedelta

from django.conf import settings
from django.db.models import Max
from django.db.models.functions import Coalesce
from django.utils import timezone
from django_tasks import task

from .intents.classifier import intents_prepare
from .models import Conversation

logger = logging.getLogger(__name__)


@task()
def prepare_intents() -> int:
    """Embed the intent examples into the cache (queued by a first start), so no visitor waits for it."""
    started = time.monotonic()
    count = intents_prepare()
    logger.info(
        "Intentions du bot prêtes : %d exemples vectorisés en %.0f s.", count, time.monotonic() - started
    )
    return count


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
