"""The visitor's audit pages: choose a track → answer (plain HTML form, no JavaScript needed) → result."""

import re

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from frenchbot.analytics.goals import goal_record
from frenchbot.core.net import client_ip
from frenchbot.core.pdf import PdfError, PdfRenderLimited

from . import reports, selectors, services
from .forms import CONSENT_TEXT, ContactForm

ANSWER_FIELD = re.compile(r"^q(\d{1,12})$")


@require_safe
def start(request: HttpRequest) -> HttpResponse:
    items = [
        {"questionnaire": q, "url": reverse("audits:questionnaire", args=[selectors.track_slug(q.track)])}
        for q in selectors.questionnaires_active()
    ]
    return render(request, "audits/start.html", {"items": items})


def _question_items(questionnaire, *, selected: dict[int, str], errors: dict) -> list[dict]:
    items = []
    for question in questionnaire.questions.prefetch_related("options").order_by("order", "id"):
        if not question.options.all():
            continue  # still being written in the admin: nothing to choose, and not required
        items.append(
            {
                "question": question,
                "options": list(question.options.all()),
                "selected": selected.get(question.id, ""),
                "error": errors.get(question.id, ""),
            }
        )
    return items


def _prefetch(request: HttpRequest) -> bool:
    # Browsers fetching a link ahead of a click say so; nobody has seen that page yet.
    purpose = request.headers.get("Sec-Purpose") or request.headers.get("Purpose") or ""
    return "prefetch" in purpose.lower() or request.headers.get("X-Moz", "").lower() == "prefetch"


@require_http_methods(["GET", "HEAD", "POST"])
def questionnaire(request: HttpRequest, slug: str) -> HttpResponse:
    questionnaire = selectors.questionnaire_for_slug(slug=slug)
    if questionnaire is None:
        raise Http404(_("Ce questionnaire n'existe pas ou n'est plus proposé."))
    if request.method == "GET" and not _prefetch(request):
        # « Audit commencé » = the questions shown to a visitor. The questionnaire is one form sent at once:
        # no audit row exists before it is sent, and without a cookie a visit cannot be told to count once,
        # so each display counts, a reload too.
        # This page is never a shared cached copy (it is rendered here at every request), so every display
        # reaches this line; staff and robots are left out by `goal_record`, a form sent back with errors
        # (POST) is not a new start.
        goal_record(name="audit_started")
    status = 200
    selected: dict[int, str] = {}
    errors: dict = {}
    message = ""
    form = ContactForm()
    if request.method == "POST":
        form = ContactForm(request.POST)
        # Every `q<id>` the browser sent, known question or not: a forged one must be refused, not ignored.
        answers = {
            int(match.group(1)): request.POST.getlist(key)
            for key in request.POST
            if (match := ANSWER_FIELD.match(key))
        }
        selected = {qid: values[0] for qid, values in answers.items() if len(values) == 1}
        if not form.is_valid():
            status = 422
            message = _(
                "Votre questionnaire n'est pas encore enregistré : corrigez l'adresse e-mail ci-dessous."
            )
        elif services.audit_rate_limited(ip=client_ip(request)):
            status = 429
            message = _(
                "Vous avez envoyé beaucoup de questionnaires en peu de temps. Patientez quelques minutes puis "
                "renvoyez celui-ci : vos réponses sont conservées."
            )
        else:
            try:
                audit = services.audit_submit(
                    questionnaire=questionnaire,
                    answers=answers,
                    email=form.cleaned_data["email"],
                    consent=form.cleaned_data["consent"],
                    consent_text=str(CONSENT_TEXT),
                    ip=client_ip(request),
                )
            except services.AuditError as error:
                status = 422
                message = error.message
                errors = error.errors
                for field in ("email", "consent"):
                    if field in errors:
                        form.add_error(field, errors[field])
            else:
                return redirect("audits:result", audit_id=audit.id)
    context = {
        "questionnaire": questionnaire,
        "items": _question_items(questionnaire, selected=selected, errors=errors),
        "form": form,
        "message": message,
        "general_error": errors.get("__all__", ""),
        "consent_text": CONSENT_TEXT,
    }
    return render(request, "audits/questionnaire.html", context, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
def result(request: HttpRequest, audit_id) -> HttpResponse:
    audit = selectors.audit_get(audit_id=audit_id)
    if audit is None:
        raise Http404(_("Ce rapport d'audit n'existe pas."))
    status = 200
    form = ContactForm()
    saved = request.GET.get("enregistre") == "1"
    if request.method == "POST":
        form = ContactForm(request.POST)
        if form.is_valid():
            if services.audit_rate_limited(ip=client_ip(request)):
                form.add_error(None, _("Trop de demandes en peu de temps : patientez quelques minutes."))
                status = 429
            else:
                try:
                    services.audit_attach_email(
                        audit=audit,
                        email=form.cleaned_data["email"],
                        consent=form.cleaned_data["consent"],
                        consent_text=str(CONSENT_TEXT),
                        ip=client_ip(request),
                    )
                except services.AuditError as error:
                    form.add_error(error.field or "email", error.message)
                    status = 422
                else:
                    return redirect(reverse("audits:result", args=[audit.id]) + "?enregistre=1#contact")
        else:
            status = 422
    context = reports.audit_report_context(audit=audit)
    context.update(
        {
            "form": form,
            "saved": saved,
            "consent_text": CONSENT_TEXT,
            "booking_url": reverse("booking:start") + f"?audit={audit.id}",
            "pdf_url": reverse("audits:report_pdf", args=[audit.id]),
            "ai_pending": reports.ai_pending(audit=audit),
            "restart_url": reverse("audits:questionnaire", args=[selectors.track_slug(audit.track)]),
        }
    )
    return render(request, "audits/result.html", context, status=status)


@require_safe
def report_pdf(request: HttpRequest, audit_id) -> HttpResponse:
    audit = selectors.audit_get(audit_id=audit_id)
    if audit is None:
        raise Http404(_("Ce rapport d'audit n'existe pas."))
    try:
        pdf = reports.audit_report_pdf_kept(audit=audit, ip=client_ip(request))
    except PdfRenderLimited as limited:
        response = render(
            request,
            "core/error.html",
            {
                "title": _("Trop de téléchargements"),
                "message": _(
                    "Trop de téléchargements de PDF en peu de temps : patientez quelques minutes puis "
                    "réessayez. Votre rapport reste consultable en ligne."
                ),
                "back_url": reverse("audits:result", args=[audit.id]),
                "back_label": _("Revenir à mon rapport"),
            },
            status=429,
        )
        response["Retry-After"] = str(limited.retry_after)
        return response
    except PdfError:
        return render(
            request,
            "core/error.html",
            {
                "title": _("PDF momentanément indisponible"),
                "message": _(
                    "Nous n'avons pas pu préparer le PDF de votre rapport. Votre rapport reste consultable en ligne ; "
                    "réessayez dans quelques minutes."
                ),
                "back_url": reverse("audits:result", args=[audit.id]),
                "back_label": _("Revenir à mon rapport"),
            },
            status=503,
        )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{reports.audit_report_filename(audit=audit)}"'
    response["X-Robots-Tag"] = "noindex"
    return response
