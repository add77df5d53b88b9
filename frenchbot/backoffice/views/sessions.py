"""« Sessions »: the training sessions with their figures; a session's learners, positioning answers, half-days
and documents; and the trainer's signing screen of a half-day: the link and QR code learners open, the live list
of signatures, late and absent learners recorded, the countersignature that closes the half-day."""

from django.conf import settings
from django.contrib import messages
from django.db.models import Count, Max, Min, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from frenchbot.sessions.errors import SessionError
from frenchbot.sessions.forms.learners import SignatureForm
from frenchbot.sessions.models import Attendance, HalfDay, Registration, TrainingSession
from frenchbot.sessions.services.attendance import (
    attendance_record as attendance_record_service,
)
from frenchbot.sessions.services.attendance import (
    half_day_countersign as half_day_countersign_service,
)
from frenchbot.sessions.services.attendance import half_day_roll

from ..permissions import staff_permission_required

VIEW = "training_sessions.view_trainingsession"
RUN = "training_sessions.run_session"


def _session_or_404(session_id: int) -> TrainingSession:
    session = (
        TrainingSession.objects.select_related("training", "trainer")
        .prefetch_related("half_days")
        .filter(pk=session_id)
        .first()
    )
    if session is None:
        raise Http404(_("Cette session n'existe pas."))
    return session


def _half_day_or_404(session_id: int, half_day_id: int) -> HalfDay:
    half_day = (
        HalfDay.objects.select_related("session__training")
        .filter(pk=half_day_id, session_id=session_id)
        .first()
    )
    if half_day is None:
        raise Http404(_("Cette demi-journée n'existe pas."))
    return half_day


@staff_permission_required(VIEW)
@require_safe
def session_list(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    sessions = (
        TrainingSession.objects.select_related("training", "trainer")
        .annotate(
            first_day=Min("half_days__date"),
            last_day=Max("half_days__date"),
            learners=Count(
                "registrations",
                filter=Q(registrations__status=Registration.Status.REGISTERED),
                distinct=True,
            ),
        )
        .order_by("first_day")
    )
    upcoming = [s for s in sessions if s.last_day is None or s.last_day >= today]
    past = [s for s in sessions if s.last_day is not None and s.last_day < today][::-1]
    return render(request, "backoffice/sessions.html", {"upcoming": upcoming, "past": past, "today": today})


@staff_permission_required(VIEW)
@require_safe
def session_detail(request: HttpRequest, session_id: int) -> HttpResponse:
    session = _session_or_404(session_id)
    registrations = list(session.registrations.exclude(status=Registration.Status.CANCELLED).order_by("name"))
    half_days = list(session.half_days.all())
    marks = {
        (a.registration_id, a.half_day_id): a for a in Attendance.objects.filter(half_day__session=session)
    }
    grid = [
        {"registration": registration, "cells": [marks.get((registration.pk, h.pk)) for h in half_days]}
        for registration in registrations
    ]
    return render(
        request,
        "backoffice/session_detail.html",
        {
            "session": session,
            "registrations": registrations,
            "half_days": half_days,
            "grid": grid,
            "conventions": session.conventions.order_by("number", "-version"),
            "now": timezone.now(),
        },
    )


def _signing_url(half_day: HalfDay) -> str:
    return settings.SITE_URL + reverse("sessions:sign", args=[half_day.token])


def _signing_page(request: HttpRequest, half_day: HalfDay, *, form=None, status: int = 200) -> HttpResponse:
    return render(
        request,
        "backoffice/half_day_signing.html",
        {
            "half_day": half_day,
            "session": half_day.session,
            "signing_url": _signing_url(half_day),
            "roll": half_day_roll(half_day=half_day),
            "statuses": Attendance.Status.choices,
            "form": form or SignatureForm(initial={"method": Attendance.Method.DRAWN}),
            "open": half_day.is_open(),
        },
        status=status,
    )


@staff_permission_required(RUN)
@never_cache
@require_safe
def half_day_signing(request: HttpRequest, session_id: int, half_day_id: int) -> HttpResponse:
    return _signing_page(request, _half_day_or_404(session_id, half_day_id))


@staff_permission_required(RUN)
@never_cache
@require_safe
def half_day_state(request: HttpRequest, session_id: int, half_day_id: int) -> HttpResponse:
    """The live list alone, for the screen's periodic refresh (htmx)."""
    half_day = _half_day_or_404(session_id, half_day_id)
    return render(
        request,
        "backoffice/_half_day_roll.html",
        {
            "half_day": half_day,
            "session": half_day.session,
            "roll": half_day_roll(half_day=half_day),
            "statuses": Attendance.Status.choices,
        },
    )


@staff_permission_required(RUN)
@require_safe
def half_day_qr(request: HttpRequest, session_id: int, half_day_id: int) -> HttpResponse:
    import io

    import segno

    half_day = _half_day_or_404(session_id, half_day_id)
    out = io.BytesIO()
    segno.make(_signing_url(half_day), error="m").save(
        out, kind="svg", dark="#14213d", light="#ffffff", border=2, scale=8, xmldecl=False, omitsize=True
    )
    response = HttpResponse(out.getvalue(), content_type="image/svg+xml")
    response["Cache-Control"] = "private, no-store"
    return response


def _back(half_day: HalfDay) -> HttpResponse:
    return redirect("backoffice:half_day_signing", session_id=half_day.session_id, half_day_id=half_day.pk)


@staff_permission_required(RUN)
@require_POST
def attendance_record(request: HttpRequest, session_id: int, half_day_id: int) -> HttpResponse:
    half_day = _half_day_or_404(session_id, half_day_id)
    registration = half_day.session.registrations.filter(pk=request.POST.get("registration") or 0).first()
    if registration is None:
        messages.error(request, _("Ce stagiaire n'est pas inscrit à cette session."))
        return _back(half_day)
    try:
        attendance_record_service(
            half_day=half_day,
            registration=registration,
            status=request.POST.get("status", ""),
            by=request.user,
            note=request.POST.get("note", ""),
        )
    except SessionError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Présence de %(name)s enregistrée.") % {"name": registration.name})
    return _back(half_day)


@staff_permission_required(RUN)
@require_POST
def half_day_countersign(request: HttpRequest, session_id: int, half_day_id: int) -> HttpResponse:
    half_day = _half_day_or_404(session_id, half_day_id)
    form = SignatureForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            half_day_countersign_service(
                half_day=half_day,
                by=request.user,
                method=data["method"],
                signed_name=data["signed_name"],
                strokes_raw=data["strokes"],
            )
        except SessionError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, _("Demi-journée contre-signée : la feuille est close."))
            return _back(half_day)
    return _signing_page(request, half_day, form=form, status=400)
