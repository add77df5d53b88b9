"""The visitor number: a keyed hash of the day's salt, the address and the user agent.

Neither the address nor the user agent is ever stored; the salt of a day is deleted once the day is over
(`salts_rotate`), so a number cannot be traced back to a browser, nor followed from one day to the next. The
same browser on the same network is one visitor within a day (Plausible's and Matomo's cookieless method)."""

import hashlib
import secrets
import threading

from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import Salt

_salts: dict = {}
_lock = threading.Lock()


def today():
    """The current day in TIME_ZONE (Europe/Paris): the day of the salt."""
    return timezone.localdate()


def salt_for(day) -> bytes:
    """The salt of `day`, made on its first use and shared by every process through the database.

    Inside a transaction it is made in a savepoint (a concurrent maker's IntegrityError must not abort the
    caller's transaction on PostgreSQL) and remembered only once committed: a salt whose row was rolled back
    would number this process's visitors with a secret no other process has."""
    value = _salts.get(day)
    if value is not None:
        return value
    with _lock:
        value = _salts.get(day)
        if value is not None:
            return value
        row = Salt.objects.filter(day=day).first()
        if row is None:
            try:
                with transaction.atomic():
                    row = Salt.objects.create(day=day, value=secrets.token_bytes(32))
            except IntegrityError:
                # Another process made it first.
                row = Salt.objects.get(day=day)
        value = bytes(row.value)
        if transaction.get_connection().in_atomic_block:
            transaction.on_commit(lambda: _remember(day, value))
        else:
            _remember(day, value)
    return value


def _remember(day, value: bytes) -> None:
    # Only the current day (and the day before, around midnight) is kept in memory.
    for old in [d for d in _salts if d < day]:
        del _salts[old]
    _salts[day] = value


def salt_ready(*, day) -> bool:
    """Whether this process holds the salt of `day` already: then `visitor_hash` needs no database (the ASGI
    layer hashes on the event loop only then)."""
    return day in _salts


def visitor_hash(*, ip: str, user_agent: str, day=None) -> int:
    """A signed 64-bit number standing for one browser on one network during `day` (default: today)."""
    day = day or today()
    digest = hashlib.blake2b(
        f"{ip}\x00{user_agent}".encode("utf-8", "replace"), key=salt_for(day), digest_size=8
    ).digest()
    return int.from_bytes(digest, "big", signed=True)


def salts_forget() -> None:
    """Empty this process's memory of salts (tests; `salts_rotate` after deleting old ones)."""
    with _lock:
        _salts.clear()
