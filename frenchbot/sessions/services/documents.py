"""The documents of a session, in French, as PDF: the attendance sheet (« feuille d'émargement »), each learner's
« certificat de réalisation » and the « convention de formation ».

The attendance sheet and the certificate read the records as they are now (signatures, hours attended); the
convention reads only its own snapshot and signature, never live data: what a company signed stays what it
reads.
"""

import datetime
import decimal

import regex
from django.conf import settings
from django.db.models import Prefetch
from django.utils import timezone, translation
from django.utils.formats import time_format
from django.utils.text import slugify
from django.utils.translation import gettext as _

from frenchbot.core.dates import date_range_text
from frenchbot.core.pdf import pdf_kept, pdf_render
from frenchbot.courses.certificates_pdf import certificate_date_text, certificate_hours_text

from ..models import Attendance, Convention, HalfDay, Registration, TrainingSession
from .attendance import hours_attended

# Half-days per table of the attendance sheet: more would not fit across an A4 landscape page.
SHEET_COLUMNS = 4
# A learner with either status took part in the half-day: their hours count on the certificate.
ATTENDED = (Attendance.Status.PRESENT, Attendance.Status.LATE)


def training_body() -> dict[str, str]:
    """The training body as its documents name it (settings TRAINING_BODY_*)."""
    return {
        "name": settings.TRAINING_BODY_NAME,
        "address": settings.TRAINING_BODY_ADDRESS,
        "siret": settings.TRAINING_BODY_SIRET,
        "nda": settings.TRAINING_BODY_NDA,
        "qualiopi": settings.TRAINING_BODY_QUALIOPI,
        "signatory": settings.TRAINING_BODY_SIGNATORY,
    }


def _city(address: str) -> str:
    """The town of a French address (what follows its postcode), for « Fait à … »; empty when none is found."""
    match = regex.search(r"\b\d{5}\s+([^\n,]+)", address or "")
    return match.group(1).strip() if match else ""


def dates_text(days: list[datetime.date]) -> str:
    """« le 12 mars 2026 », « du 12 au 13 mars 2026 », « du 30 mars au 2 avril 2026 » in the active language."""
    return date_range_text(min(days), max(days)) if days else ""


def _moment_text(moment: datetime.datetime) -> str:
    """« 1er mars 2026 à 10 h 30 » (Paris time)."""
    local = timezone.localtime(moment)
    return _("%(date)s à %(time)s") % {
        "date": certificate_date_text(local.date()),
        "time": time_format(local),
    }


def _hours(value: float) -> decimal.Decimal:
    return decimal.Decimal(str(round(value, 2)))


def _person_name(user) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


# --- The attendance sheet -----------------------------------------------------------------------------------


def attendance_sheet_context(*, session: TrainingSession) -> dict:
    """What the attendance sheet shows: the session's facts, then one table per group of SHEET_COLUMNS half-days
    with a row per registered learner (their signature, late or absent) and the trainer's countersignature."""
    session = (
        TrainingSession.objects.select_related("training", "trainer")
        .prefetch_related(
            Prefetch("half_days", queryset=HalfDay.objects.order_by("date", "starts_at")),
        )
        .get(pk=session.pk)
    )
    half_days = list(session.half_days.all())
    learners = list(
        session.registrations.filter(status=Registration.Status.REGISTERED).order_by("name", "pk")
    )
    marks = {
        (attendance.registration_id, attendance.half_day_id): attendance
        for attendance in Attendance.objects.filter(half_day__session=session, registration__in=learners)
    }
    tables = []
    for start in range(0, len(half_days), SHEET_COLUMNS):
        columns = half_days[start : start + SHEET_COLUMNS]
        tables.append(
            {
                "half_days": columns,
                "rows": [
                    {
                        "registration": registration,
                        "cells": [marks.get((registration.pk, half_day.pk)) for half_day in columns],
                    }
                    for registration in learners
                ],
            }
        )
    return {
        "session": session,
        "training": session.training,
        "trainer_name": _person_name(session.trainer),
        "dates_text": dates_text([half_day.date for half_day in half_days]),
        "total_hours_text": certificate_hours_text(_hours(sum(half_day.hours for half_day in half_days))),
        "is_remote": session.format == TrainingSession.Format.REMOTE,
        "tables": tables,
        "learners": learners,
        "body": training_body(),
        "generated_at": timezone.localtime(),
    }


def attendance_sheet_pdf(*, session: TrainingSession) -> bytes:
    """The session's attendance sheet (A4 landscape), in French. Raises frenchbot.core.pdf.PdfError when
    rendering fails. Rendered each time: it changes with every signature, and only staff ask for it."""
    with translation.override("fr"):
        return pdf_render(
            template_name="sessions/attendance_sheet_pdf.html",
            context=attendance_sheet_context(session=session),
        )


def attendance_sheet_filename(*, session: TrainingSession) -> str:
    first = session.first_half_day
    day = f"-{first.date:%Y-%m-%d}" if first else ""
    return f"feuille-emargement-{session.training.slug}{day}.pdf"


# --- The certificate of completion (« certificat de réalisation ») ------------------------------------------


def registration_hours_attended(*, registration: Registration) -> decimal.Decimal:
    """Hours of the half-days where the learner was present or late, rounded as the certificate prints them."""
    return _hours(hours_attended(registration=registration))


def completion_certificate_context(*, registration: Registration) -> dict:
    """What the « certificat de réalisation » states, after the official model: the training body and who signs
    for it, the learner and their employer, the action and its nature, its dates and the hours attended."""
    session = registration.session
    days = list(session.half_days.values_list("date", flat=True))
    body = training_body()
    hours = registration_hours_attended(registration=registration)
    company = registration.company or (
        registration.convention.company_name if registration.convention else ""
    )
    return {
        "registration": registration,
        "learner_name": registration.name,
        "company": company,
        "training_title": session.training.title,
        "dates_text": dates_text(days),
        "hours": hours,
        "hours_text": certificate_hours_text(hours),
        "issued_text": certificate_date_text(timezone.localdate()),
        "city": _city(body["address"]),
        "body": body,
    }


def completion_certificate_pdf(*, registration: Registration) -> bytes:
    """A learner's « certificat de réalisation » (A4), in French. Raises frenchbot.core.pdf.PdfError."""
    with translation.override("fr"):
        return pdf_render(
            template_name="sessions/completion_certificate_pdf.html",
            context=completion_certificate_context(registration=registration),
        )


def completion_certificate_pdf_kept(*, registration: Registration, ip: str = "") -> bytes:
    """The certificate rendered once and kept, keyed by everything it states; `ip` (a visitor's download) counts a
    render towards their limit. Raises PdfError, or PdfRenderLimited."""
    with translation.override("fr"):
        context = completion_certificate_context(registration=registration)
    parts = (
        str(registration.pk),
        context["learner_name"],
        context["company"],
        context["training_title"],
        context["dates_text"],
        str(context["hours"]),
        context["issued_text"],
        *context["body"].values(),
    )
    return pdf_kept(
        kind="completion-certificate",
        parts=parts,
        render=lambda: completion_certificate_pdf(registration=registration),
        ip=ip,
    )


def completion_certificate_filename(*, registration: Registration) -> str:
    name = slugify(registration.name) or f"stagiaire-{registration.pk}"
    return f"certificat-de-realisation-{name}.pdf"


# --- The convention ------------------------------------------------------------------------------------------


def _day(value: str) -> datetime.date:
    return datetime.date.fromisoformat(value)


def _time(value: str) -> datetime.time:
    return datetime.time.fromisoformat(value)


def convention_context(*, convention: Convention) -> dict:
    """What the convention says, read from its snapshot (with dates and times as objects for the templates) and
    its own signature: the page and the PDF show the same text."""
    snapshot = convention.snapshot or {}
    half_days = [
        {
            **half_day,
            "date": _day(half_day["date"]),
            "starts_at": _time(half_day["starts_at"]),
            "ends_at": _time(half_day["ends_at"]),
            "hours_text": certificate_hours_text(decimal.Decimal(str(half_day.get("hours", 0)))),
        }
        for half_day in snapshot.get("half_days", [])
    ]
    hours = decimal.Decimal(str(snapshot.get("total_hours", 0)))
    return {
        "convention": convention,
        "snapshot": snapshot,
        "training": snapshot.get("training", {}),
        "company": snapshot.get("company", {}),
        "body": snapshot.get("training_body", {}),
        "place": snapshot.get("place", {}),
        "half_days": half_days,
        "dates_text": dates_text([half_day["date"] for half_day in half_days]),
        "total_hours_text": certificate_hours_text(hours),
        "terms": snapshot.get("terms", ""),
        "signed_text": _moment_text(convention.signed_at) if convention.signed_at else "",
        "replaced_text": (
            certificate_date_text(timezone.localdate(convention.replaced_at))
            if convention.replaced_at
            else ""
        ),
    }


def convention_pdf(*, convention: Convention) -> bytes:
    """The convention (A4) with its signature block, in French. Raises frenchbot.core.pdf.PdfError."""
    with translation.override("fr"):
        return pdf_render(
            template_name="sessions/convention_pdf.html", context=convention_context(convention=convention)
        )


def convention_pdf_kept(*, convention: Convention, ip: str = "") -> bytes:
    """The convention's PDF rendered once and kept, keyed by its version and everything that changes on it (the
    signature, the replacement, a correction in the admin). Raises PdfError, or PdfRenderLimited."""
    parts = (
        str(convention.pk),
        convention.number,
        str(convention.version),
        convention.updated_at.isoformat(),
        convention.signed_at.isoformat() if convention.signed_at else "",
        convention.signer_name,
        convention.signer_role,
        convention.replaced_at.isoformat() if convention.replaced_at else "",
    )
    return pdf_kept(
        kind="convention", parts=parts, render=lambda: convention_pdf(convention=convention), ip=ip
    )


def convention_filename(*, convention: Convention) -> str:
    return f"convention-{convention.number}-v{convention.version}.pdf"
