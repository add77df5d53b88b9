"""Reads of the free AI audit."""

from .models import Audit, Questionnaire, Track

# French URL segment of each track.
TRACK_SLUGS = {"particulier": Track.INDIVIDUAL, "entreprise": Track.BUSINESS}


def questionnaires_active() -> list[Questionnaire]:
    return list(Questionnaire.objects.filter(is_active=True).order_by("track"))


def questionnaire_for_slug(*, slug: str) -> Questionnaire | None:
    """The active questionnaire behind a URL segment (`particulier`, `entreprise`), else None."""
    track = TRACK_SLUGS.get(slug)
    if track is None:
        return None
    return Questionnaire.objects.filter(track=track, is_active=True).first()


def track_slug(track: str) -> str:
    return next(slug for slug, value in TRACK_SLUGS.items() if value == track)


def audit_get(*, audit_id) -> Audit | None:
    return Audit.objects.select_related("questionnaire").filter(id=audit_id).first()
