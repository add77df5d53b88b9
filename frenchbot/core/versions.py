"""Version numbers shared by every process of every node, kept in the database.

A cache would do on one machine, but with several nodes and no Redis (or a Redis that restarted, or evicted
the key) a node would keep serving what it loaded before a change. The database is shared by construction,
and the bump commits with the change it announces, so no reader can see the new version before the new data.
"""

from django.db import IntegrityError, transaction
from django.db.models import F

from .models import SharedVersion


def shared_version(name: str) -> int:
    """The current version of `name` (1 before its first bump): one indexed read of one row."""
    return SharedVersion.objects.filter(name=name).values_list("value", flat=True).first() or 1


def shared_version_bump(name: str) -> None:
    """Move `name` on, atomically (inside the caller's transaction when there is one)."""
    if SharedVersion.objects.filter(name=name).update(value=F("value") + 1):
        return
    try:
        with transaction.atomic():
            SharedVersion.objects.create(name=name, value=2)
    except IntegrityError:  # created meanwhile by another process: move it on
        SharedVersion.objects.filter(name=name).update(value=F("value") + 1)
