"""Writes of analytics that people make (the raw events and rollups are written by the ingest and the worker)."""

from .models import ReportRecipient


def report_recipient_is(*, user) -> bool:
    """Whether `user` asked for the weekly e-mail report."""
    return ReportRecipient.objects.filter(user=user).exists()


def report_recipient_set(*, user, wanted: bool) -> bool:
    """Start (`wanted`) or stop sending the weekly report to `user`; returns True when something changed.

    Whether `user` may read the figures is checked again at each sending."""
    if wanted:
        _, created = ReportRecipient.objects.get_or_create(user=user)
        return created
    deleted, _ = ReportRecipient.objects.filter(user=user).delete()
    return bool(deleted)
