"""The e-mails a learner of a session receives, in French, plain text: the convocation (with the invitation for
the agenda, one event per day), the reminder and the cold survey. Each carries the personal link of their
session's page (positioning, signing, documents, surveys)."""

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from frenchbot.core.ics import ics_invitation, ics_mime_part, ics_site_address
from frenchbot.core.mail import mail_send

from .models import Registration, TrainingSession


def learner_url(registration: Registration) -> str:
    return settings.SITE_URL + reverse("sessions:learner", args=[registration.token])


def days(session: TrainingSession) -> list[dict]:
    """The session's days, each with its first start and last end and its half-days (for the e-mails, the
    invitation and the pages)."""
    by_date: dict = {}
    for half_day in session.half_days.all():
        by_date.setdefault(half_day.date, []).append(half_day)
    return [
        {
            "date": date,
            "start": min(h.start for h in items),
            "end": max(h.end for h in items),
            "half_days": items,
        }
        for date, items in sorted(by_date.items())
    ]


def session_ics(*, registration: Registration, method: str = "REQUEST") -> bytes:
    session = registration.session
    periods = [(day["start"], day["end"]) for day in days(session)]
    where = session.place if session.format == TrainingSession.Format.IN_PERSON else session.remote_link
    return ics_invitation(
        prodid="-//The French Bot//Sessions//FR",
        uid=f"session-{session.pk}-registration-{registration.pk}",
        start=periods[0][0],
        end=periods[0][1],
        more=tuple(periods[1:]),
        summary=_("Formation : %(title)s") % {"title": session.training.title},
        organizer=(ics_site_address(), settings.TRAINING_BODY_NAME),
        attendee=(registration.email, registration.name),
        method=method,
        description=_("Votre espace (programme, émargement, documents) : %(url)s")
        % {"url": learner_url(registration)},
        url=learner_url(registration),
        location=where,
    )


def _send(*, registration: Registration, subject: str, template: str, with_ics: bool = False, **extra) -> int:
    session = registration.session
    context = {
        "registration": registration,
        "session": session,
        "training": session.training,
        "days": days(session),
        "learner_url": learner_url(registration),
        "training_url": settings.SITE_URL + session.training.get_absolute_url(),
        "is_remote": session.format == TrainingSession.Format.REMOTE,
        "body_name": settings.TRAINING_BODY_NAME,
        "site_url": settings.SITE_URL,
        **extra,
    }
    attachments = (
        [ics_mime_part(session_ics(registration=registration), method="REQUEST")] if with_ics else []
    )
    body = render_to_string(template, context)
    return mail_send(to=[registration.email], subject=subject, body=body, attachments=attachments)


def send_convocation(*, registration: Registration) -> int:
    with translation.override("fr"):
        return _send(
            registration=registration,
            subject=_("Convocation : %(title)s") % {"title": registration.session.training.title},
            template="sessions/email/convocation.txt",
            with_ics=True,
        )


def send_reminder(*, registration: Registration) -> int:
    with translation.override("fr"):
        return _send(
            registration=registration,
            subject=_("Rappel : votre formation %(title)s commence bientôt")
            % {"title": registration.session.training.title},
            template="sessions/email/reminder.txt",
        )


def send_cold_survey(*, registration: Registration) -> int:
    with translation.override("fr"):
        return _send(
            registration=registration,
            subject=_("Trois mois après la formation %(title)s : votre avis")
            % {"title": registration.session.training.title},
            template="sessions/email/cold_survey.txt",
            survey_url=settings.SITE_URL + reverse("sessions:survey", args=[registration.token, "froid"]),
        )
