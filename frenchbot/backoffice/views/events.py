"""« Événements »: every event with its counts; an event's registrants, their CSV export, attendance marked once
the event has started, the replay and survey sent afterwards, and the survey's results."""

from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST, require_safe

from frenchbot.core.csvexport import csv_response
from frenchbot.core.errors import DomainError
from frenchbot.events import stats
from frenchbot.events.models import Event, Registration
from frenchbot.events.services import followup

from ..permissions import staff_permission_required


def _event_or_404(event_id: int) -> Event:
    event = stats.event_with_figures(event_id=event_id)
    if event is None:
        raise Http404(_("Cet événement n'existe pas."))
    return event


def _bad_request(request: HttpRequest, message: str) -> HttpResponse:
    return render(
        request,
        "core/error.html",
        {"title": _("Nous n'avons pas compris cette demande"), "message": message},
        status=400,
    )


@staff_permission_required("events.view_registration")
@require_safe
def event_list(request: HttpRequest) -> HttpResponse:
    upcoming, past = stats.events_with_figures()
    return render(request, "backoffice/events.html", {"upcoming": upcoming, "past": past})


@staff_permission_required("events.view_registration")
@require_safe
def event_detail(request: HttpRequest, event_id: int) -> HttpResponse:
    event = _event_or_404(event_id)
    now = timezone.now()
    return render(
        request,
        "backoffice/event_detail.html",
        {
            "event": event,
            "registrants": stats.event_registrants(event=event),
            "survey": stats.event_survey_results(event=event),
            "started": event.starts_at <= now,
            "ended": event.ends_at <= now,
        },
    )


@staff_permission_required("events.view_registration")
@require_safe
def event_export(request: HttpRequest, event_id: int) -> StreamingHttpResponse:
    event = _event_or_404(event_id)
    return csv_response(
        rows=stats.registrant_csv_rows(event=event),
        filename=f"inscrits-{event.slug}-{timezone.localdate():%Y-%m-%d}.csv",
    )


@staff_permission_required("events.change_registration")
@require_POST
def event_attendance(request: HttpRequest, event_id: int) -> HttpResponse:
    """« Présent »: one checkbox per confirmed registrant; the unticked ones are marked absent. Only the rows whose
    mark changes go to the service, so that saving twice records nothing twice."""
    event = _event_or_404(event_id)
    if event.starts_at > timezone.now():
        return _bad_request(request, _("La présence se note une fois l'événement commencé."))
    try:
        present = {int(value) for value in request.POST.getlist("present")}
    except ValueError:
        return _bad_request(request, _("La liste des présents envoyée est mal formée."))
    confirmed = list(Registration.objects.filter(event=event, status=Registration.Status.CONFIRMED))
    if not present <= {registration.pk for registration in confirmed}:
        return _bad_request(
            request, _("Une des personnes cochées n'est pas inscrite (confirmée) à cet événement.")
        )
    changed = 0
    try:
        with transaction.atomic():
            for registration in confirmed:
                attended = registration.pk in present
                if registration.attended is not attended:
                    followup.registration_attendance_mark(
                        registration=registration, attended=attended, by=request.user
                    )
                    changed += 1
    except DomainError as error:
        messages.error(request, error.message)
    else:
        if changed:
            message = ngettext(
                "Présence enregistrée : %(present)d personne présente sur %(total)d inscrites.",
                "Présence enregistrée : %(present)d personnes présentes sur %(total)d inscrites.",
                len(present),
            ) % {"present": len(present), "total": len(confirmed)}
        else:
            message = _("Présence enregistrée : rien n'a changé.")
        messages.success(request, message)
    return redirect("backoffice:event_detail", event_id=event.pk)


@staff_permission_required("events.change_event")
@require_POST
def event_followup(request: HttpRequest, event_id: int) -> HttpResponse:
    """« Envoyer le replay et le questionnaire » to the registrants marked present (once per event: the service
    answers 0 when it was already sent)."""
    event = _event_or_404(event_id)
    try:
        queued = followup.event_followup_send(event=event)
    except DomainError as error:
        if error.code == "not_ended":
            # The page offers no button before the end: a forged request, refused in the service's words.
            return _bad_request(request, error.message)
        messages.error(request, error.message)
    else:
        if queued:
            messages.success(
                request,
                ngettext(
                    "Le replay et le questionnaire partent vers %(count)d participant.",
                    "Le replay et le questionnaire partent vers %(count)d participants.",
                    queued,
                )
                % {"count": queued},
            )
        else:
            messages.info(
                request, _("Rien à envoyer : le suivi a déjà été envoyé ou personne n'est noté présent.")
            )
    return redirect("backoffice:event_detail", event_id=event.pk)
