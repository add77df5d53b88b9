"""The satisfaction survey after an event, reached from the follow-up e-mail's signed link (no account)."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from frenchbot.core.net import client_ip
from frenchbot.core.ratelimit import rate_limit_hit

from ..errors import EventError, EventLinkError
from ..forms import SurveyForm
from ..services.followup import SURVEY_COMMENT_MAX_LENGTH, survey_allowed, survey_submit
from ..services.registrations import event_when_text, registration_from_token


def _link_error(request: HttpRequest, error: EventLinkError) -> HttpResponse:
    return render(
        request,
        "events/link_invalid.html",
        {"message": error.message},
        status=410 if error.expired else 400,
    )


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def survey(request: HttpRequest, token: str) -> HttpResponse:
    try:
        registration = registration_from_token(token=token, action="survey")
    except EventLinkError as error:
        return _link_error(request, error)
    event = registration.event
    context = {"registration": registration, "event": event, "when": event_when_text(event)}
    if not survey_allowed(registration=registration):
        return render(request, "events/survey_closed.html", context, status=403)
    answer = getattr(registration, "survey", None)
    if request.method != "POST" and request.GET.get("merci") == "1" and answer is not None:
        return render(request, "events/survey_thanks.html", {**context, "answer": answer})
    status = 200
    if request.method == "POST":
        form = SurveyForm(request.POST)
        if not form.is_valid():
            status = 400
        elif rate_limit_hit(
            scope="events_survey",
            key=client_ip(request),
            limit=settings.EVENTS_REGISTRATION_RATE_LIMIT,
            window_seconds=settings.EVENTS_REGISTRATION_RATE_WINDOW,
        ):
            form.add_error(
                None,
                _(
                    "Vous avez envoyé beaucoup de réponses en peu de temps. Patientez un peu puis renvoyez celle-ci : votre texte est conservé."
                ),
            )
            status = 429
        else:
            try:
                survey_submit(
                    registration=registration,
                    rating=form.cleaned_data["rating"],
                    comment=form.cleaned_data["comment"],
                )
            except EventError as error:
                form.add_error(error.field if error.field in form.fields else None, error.message)
                status = 400
            else:
                return redirect(request.path + "?merci=1")
    else:
        initial = {"rating": str(answer.rating), "comment": answer.comment} if answer else None
        form = SurveyForm(initial=initial)
    context.update({"form": form, "answer": answer, "comment_max": SURVEY_COMMENT_MAX_LENGTH})
    return render(request, "events/survey.html", context, status=status)
