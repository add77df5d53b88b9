"""The bot's background work, run by the task queue."""

import logging
import time

from django_tasks import task

from .intents.classifier import intents_prepare

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
