"""The learner's side of a session: registering (with the positioning questionnaire), their own page opened by
the personal link of the convocation, the questionnaire, the surveys, the invitation and the certificate of
completion. The personal link also marks this browser as that learner's, for the signing page."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from frenchbot.core.formguard import form_timestamp
from frenchbot.core.net import client_ip
from frenchbot.core.pdf import PdfError, PdfRenderLimited

from ..emails import days, session_ics
from ..errors import SessionError
from ..forms.learners import CONSENT_TEXT, PositioningForm, RegistrationForm, SurveyForm
from ..identity import learner_remember
from ..models import Registration, SurveyResponse, TrainingSession
from ..services import attendance as attendance_services
from ..services import registrations as services
from ..services import surveys

# The survey's kind in French addresses.
SURVEY_KINDS = {"chaud": SurveyResponse.Kind.HOT, "froid": SurveyResponse.Kind.COLD}


def _session_or_404(session_id: int) -> TrainingSession:
    session = (
        TrainingSession.objects.select_related("training", "trainer")
        .prefetch_related("half_days")
        .filter(pk=session_id, is_published=True, cancelled_at__isnull=True, training__is_published=True)
        .first()
    )
    if session is None:
        raise Http404(_("Cette session n'existe pas ou n'est plus proposée."))
    return session


def _registration_or_404(token: str) -> Registration:
    registration = (
        Registration.objects.select_related("session__training", "session__trainer")
        .prefetch_related("session__half_days")
        .filter(token=token)
        .first()
    )
    if registration is None or registration.status == Registration.Status.CANCELLED:
        raise Http404(_("Ce lien ne correspond à aucune inscription en cours."))
    return registration


def _errors_to_form(form, error: SessionError) -> None:
    for field, message in (error.errors or {error.field: error.message}).items():
        form.add_error(field if field in form.fields else None, message)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def register(request: HttpRequest, session_id: int) -> HttpResponse:
    session = _session_or_404(session_id)
    context = {"session": session, "days": days(session), "seats_left": services.seats_left(session)}
    if request.method != "POST":
        initial = {}
        if request.user.is_authenticated:
            initial = {"name": request.user.get_full_name(), "email": request.user.email}
        form = RegistrationForm(initial={**initial, "ts": form_timestamp()})
        return render(
            request, "sessions/register.html", {**context, "form": form, "consent_text": CONSENT_TEXT}
        )
    form = RegistrationForm(request.POST)
    status = 400
    if form.is_valid():
        data = form.cleaned_data
        try:
            registration = services.registration_create(
                session=session,
                name=data["name"],
                email=data["email"],
                company=data["company"],
                positioning=form.positioning_answers(),
                consent=data["consent"],
                consent_text=str(CONSENT_TEXT),
                user=request.user,
                ip=client_ip(request),
            )
        except SessionError as error:
            _errors_to_form(form, error)
            status = (
                429 if error.code == "rate_limited" else 409 if error.code in ("full", "duplicate") else 400
            )
        else:
            learner_remember(request, registration)
            return redirect(reverse("sessions:learner", args=[registration.token]) + "?nouveau=1")
    # A re-displayed form gets a fresh time stamp; everything the person typed stays.
    form.data = form.data.copy()
    form.data["ts"] = form_timestamp()
    return render(
        request,
        "sessions/register.html",
        {**context, "form": form, "consent_text": CONSENT_TEXT},
        status=status,
    )


@never_cache
@require_safe
def learner(request: HttpRequest, token: str) -> HttpResponse:
    registration = _registration_or_404(token)
    learner_remember(request, registration)
    session = registration.session
    now = timezone.now()
    attendances = {a.half_day_id: a for a in registration.attendances.all()}
    half_days = [
        {"half_day": half_day, "attendance": attendances.get(half_day.pk), "open": half_day.is_open(now)}
        for half_day in session.half_days.all()
    ]
    last = half_days[-1]["half_day"] if half_days else None
    ended = last is not None and now >= last.end
    surveys_state = [
        {
            "slug": slug,
            "kind": kind,
            "open": surveys.survey_open(registration=registration, kind=kind, now=now),
            "answered": surveys.survey_answered(registration=registration, kind=kind),
        }
        for slug, kind in SURVEY_KINDS.items()
    ]
    return render(
        request,
        "sessions/learner.html",
        {
            "registration": registration,
            "session": session,
            "days": days(session),
            "half_days": half_days,
            "surveys": surveys_state,
            "ended": ended,
            "hours": attendance_services.hours_attended(registration=registration) if ended else 0,
            "positioning_form": None if registration.positioning_at else PositioningForm(),
            "is_new": request.GET.get("nouveau") == "1",
        },
    )


@never_cache
@require_http_methods(["POST"])
def positioning(request: HttpRequest, token: str) -> HttpResponse:
    registration = _registration_or_404(token)
    form = PositioningForm(request.POST)
    if form.is_valid():
        try:
            services.positioning_submit(registration=registration, answers=form.positioning_answers())
        except SessionError as error:
            _errors_to_form(form, error)
        else:
            return redirect(reverse("sessions:learner", args=[token]) + "#positionnement")
    return render(
        request, "sessions/positioning.html", {"registration": registration, "form": form}, status=400
    )


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def survey(request: HttpRequest, token: str, kind: str) -> HttpResponse:
    registration = _registration_or_404(token)
    if kind not in SURVEY_KINDS:
        raise Http404(_("Ce questionnaire n'existe pas."))
    survey_kind = SURVEY_KINDS[kind]
    cold = survey_kind == SurveyResponse.Kind.COLD
    context = {"registration": registration, "session": registration.session, "cold": cold}
    if surveys.survey_answered(registration=registration, kind=survey_kind):
        return render(request, "sessions/survey.html", {**context, "answered": True})
    if not surveys.survey_open(registration=registration, kind=survey_kind):
        return render(request, "sessions/survey.html", {**context, "not_open": True})
    if request.method != "POST":
        return render(request, "sessions/survey.html", {**context, "form": SurveyForm(cold=cold)})
    form = SurveyForm(request.POST, cold=cold)
    if form.is_valid():
        data = form.cleaned_data
        try:
            surveys.survey_submit(
                registration=registration,
                kind=survey_kind,
                rating=data["rating"],
                objectives_met=data["objectives_met"],
                would_recommend=data["would_recommend"],
                applied=data.get("applied"),
                comment=data["comment"],
            )
        except SessionError as error:
            if error.code == "answered":
                return render(request, "sessions/survey.html", {**context, "answered": True})
            _errors_to_form(form, error)
        else:
            return render(request, "sessions/survey.html", {**context, "thanks": True})
    return render(request, "sessions/survey.html", {**context, "form": form}, status=400)


@require_safe
def convocation_ics(request: HttpRequest, token: str) -> HttpResponse:
    registration = _registration_or_404(token)
    response = HttpResponse(
        session_ics(registration=registration), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="formation.ics"'
    return response


@require_safe
def completion_pdf(request: HttpRequest, token: str) -> HttpResponse:
    from ..services.documents import completion_certificate_filename, completion_certificate_pdf_kept

    registration = _registration_or_404(token)
    last = registration.session.last_half_day
    if last is None or timezone.now() < last.end:
        raise Http404(_("Le certificat de réalisation est disponible à la fin de la session."))
    try:
        content = completion_certificate_pdf_kept(registration=registration, ip=client_ip(request))
    except (PdfError, PdfRenderLimited) as error:
        limited = isinstance(error, PdfRenderLimited)
        return render(
            request,
            "core/error.html",
            {
                "title": _("Document indisponible"),
                "message": _("Vous avez demandé beaucoup de documents : réessayez dans quelques minutes.")
                if limited
                else _("Le document n'a pas pu être produit. Réessayez dans quelques minutes."),
            },
            status=429 if limited else 503,
        )
    response = HttpResponse(content, content_type="application/pdf")
    filename = completion_certificate_filename(registration=registration)
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response
