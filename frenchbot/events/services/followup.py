"""After an event: attendance marked by staff, the replay and the satisfaction survey sent to attendees."""

from ..models import Event


def event_followup_send(*, event: Event) -> int:
    """Queue, once per event, the replay link and the satisfaction survey to every registrant marked present;
    returns how many were queued (0 when already sent)."""
    raise NotImplementedError  # written by the follow-up part
