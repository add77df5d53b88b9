"""The company's convention, reached from the link e-mailed to its contact (no account needed): read it, sign it,
download it as a PDF. Without the link's token there is nothing to see."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from frenchbot.core.net import client_ip
from frenchbot.core.pdf import PdfError, PdfRenderLimited

from ..errors import SessionError
from ..forms.conventions import ACCEPT_TEXT, ConventionSignForm
from ..models import Convention
from ..services import conventions as services
from ..services import documents, form_rate_limit


def _convention_or_404(token: str) -> Convention:
    convention = services.convention_get_by_token(token=token)
    if convention is None:
        raise Http404(
            _("Cette convention n'existe pas, ou son lien a changé : utilisez celui du dernier e-mail reçu.")
        )
    return convention


def _private(response: HttpResponse) -> HttpResponse:
    # The address carries the signing token: kept out of search engines and shared caches (other sites never see
    # it: SECURE_REFERRER_POLICY is « same-origin »).
    response["X-Robots-Tag"] = "noindex"
    response["Cache-Control"] = "private, no-store"
    return response


def _render(request: HttpRequest, convention: Convention, *, form=None, status: int = 200) -> HttpResponse:
    refusal = services.convention_sign_refusal(convention=convention)
    context = documents.convention_context(convention=convention)
    context.update(
        {
            "form": form or ConventionSignForm(),
            "can_sign": not refusal,
            "refusal": refusal,
            "accept_text": ACCEPT_TEXT,
            "pdf_url": reverse("sessions:convention_pdf", args=[convention.token]),
            "just_signed": request.GET.get("signee") == "1" and bool(convention.signed_at),
        }
    )
    return _private(render(request, "sessions/convention.html", context, status=status))


@require_http_methods(["GET", "HEAD", "POST"])
def convention(request: HttpRequest, token: str) -> HttpResponse:
    convention = _convention_or_404(token)
    if request.method != "POST":
        return _render(request, convention)
    form = ConventionSignForm(request.POST)
    try:
        form_rate_limit(ip=client_ip(request), scope="convention")
    except SessionError as error:
        form.is_valid()
        form.add_error(None, error.message)
        return _render(request, convention, form=form, status=429)
    if not form.is_valid():
        return _render(request, convention, form=form, status=400)
    data = form.cleaned_data
    try:
        services.convention_sign(
            convention=convention,
            signer_name=data["signer_name"],
            signer_role=data["signer_role"],
            accepted=data["accepted"],
        )
    except SessionError as error:
        form.add_error(error.field if error.field in form.fields else None, error.message)
        convention.refresh_from_db()
        return _render(request, convention, form=form, status=409 if error.code == "conflict" else 400)
    return redirect(reverse("sessions:convention", args=[convention.token]) + "?signee=1")


@require_safe
def convention_pdf(request: HttpRequest, token: str) -> HttpResponse:
    convention = _convention_or_404(token)
    back_url = reverse("sessions:convention", args=[convention.token])
    try:
        pdf = documents.convention_pdf_kept(convention=convention, ip=client_ip(request))
    except PdfRenderLimited as limited:
        response = render(
            request,
            "core/error.html",
            {
                "title": _("Trop de téléchargements"),
                "message": _(
                    "Trop de téléchargements de PDF en peu de temps : patientez quelques minutes puis réessayez. "
                    "La convention reste consultable en ligne."
                ),
                "back_url": back_url,
                "back_label": _("Revenir à la convention"),
            },
            status=429,
        )
        response["Retry-After"] = str(limited.retry_after)
        return _private(response)
    except PdfError:
        return _private(
            render(
                request,
                "core/error.html",
                {
                    "title": _("PDF momentanément indisponible"),
                    "message": _(
                        "Nous n'avons pas pu préparer le PDF de la convention. Elle reste consultable en ligne ; "
                        "réessayez dans quelques minutes."
                    ),
                    "back_url": back_url,
                    "back_label": _("Revenir à la convention"),
                },
                status=503,
            )
        )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="{documents.convention_filename(convention=convention)}"'
    )
    return _private(response)
