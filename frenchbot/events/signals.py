"""Receivers of model signals, connected in `EventsConfig.ready()`."""

from django.db import transaction

from frenchbot.core.pagecache import pagecache_invalidate


def public_pages_changed(sender, raw=False, **kwargs) -> None:
    """An event or a registration changed: the public pages that show events (the home page's cards, their
    seats left) are rendered afresh once the change is committed."""
    if raw:
        return
    transaction.on_commit(pagecache_invalidate)
