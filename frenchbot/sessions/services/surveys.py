"""Satisfaction: the hot survey at the end of the session, the cold one three months later (sent by the
worker). One answer per learner and kind; the indicators read only averages."""

import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from ..errors import SessionError
from ..models import Registration, SurveyResponse

SURVEY_COMMENT_MAX_CHARS = 3000


def survey_open(*, registration: Registration, kind: str, now: datetime.datetime | None = None) -> bool:
    """The hot survey opens with the session's last half-day; the cold one once its e-mail was sent (or the
    delay has passed)."""
    now = now or timezone.now()
    last = registration.session.last_half_day
    if last is None:
        return False
    if kind == SurveyResponse.Kind.HOT:
        return now >= last.start
    return registration.cold_survey_sent_at is not None or now.date() >= last.date + datetime.timedelta(
        days=settings.SESSIONS_COLD_SURVEY_DAYS
    )


def survey_answered(*, registration: Registration, kind: str) -> bool:
    return SurveyResponse.objects.filter(registration=registration, kind=kind).exists()


def survey_submit(
    *,
    registration: Registration,
    kind: str,
    rating: int,
    objectives_met: int,
    would_recommend: bool,
    applied: int | None = None,
    comment: str = "",
    now: datetime.datetime | None = None,
) -> SurveyResponse:
    """Record the learner's answer to the hot or cold survey. Refused when it is not open yet, or already
    answered (SessionError "answered": a second answer would count twice)."""
    if kind not in SurveyResponse.Kind.values:
        raise SessionError(_("Ce questionnaire n'existe pas."), code="not_found")
    if not survey_open(registration=registration, kind=kind, now=now):
        raise SessionError(
            _("Ce questionnaire s'ouvre à la fin de la session.")
            if kind == SurveyResponse.Kind.HOT
            else _("Ce questionnaire s'ouvre trois mois après la session : vous le recevrez par e-mail."),
            code="not_open",
        )
    errors = {}
    for field, value in (("rating", rating), ("objectives_met", objectives_met)):
        if value not in (1, 2, 3, 4, 5):
            errors[field] = _("Choisissez une note de 1 à 5.")
    if kind == SurveyResponse.Kind.COLD and applied not in (1, 2, 3, 4, 5):
        errors["applied"] = _("Choisissez une note de 1 à 5.")
    if errors:
        raise SessionError(errors=errors)
    try:
        with transaction.atomic():
            if survey_answered(registration=registration, kind=kind):
                raise _answered_error()
            return SurveyResponse.objects.create(
                session=registration.session,
                registration=registration,
                kind=kind,
                rating=rating,
                objectives_met=objectives_met,
                would_recommend=would_recommend,
                applied=applied if kind == SurveyResponse.Kind.COLD else None,
                comment=comment.strip()[:SURVEY_COMMENT_MAX_CHARS],
            )
    except IntegrityError:
        raise _answered_error() from None


def _answered_error() -> SessionError:
    return SessionError(_("Vous avez déjà répondu à ce questionnaire : merci !"), code="answered")


def cold_surveys_due(*, today: datetime.date | None = None) -> list[int]:
    """Registrations (not cancelled) whose session's last half-day is SESSIONS_COLD_SURVEY_DAYS old or more,
    who attended at least one half-day, have not been sent the cold survey and have not answered it."""
    today = today or timezone.localdate()
    limit = today - datetime.timedelta(days=settings.SESSIONS_COLD_SURVEY_DAYS)
    return list(
        Registration.objects.filter(
            status=Registration.Status.REGISTERED,
            cold_survey_sent_at__isnull=True,
            session__cancelled_at__isnull=True,
            attendances__status__in=("present", "late"),
        )
        .annotate(last_day=Max("session__half_days__date"))
        .filter(last_day__lte=limit)
        .exclude(survey_responses__kind=SurveyResponse.Kind.COLD)
        .values_list("pk", flat=True)
        .distinct()
    )
