"""The learner's certificate (page and PDF) and the public verification page at /certificats/<code>/."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from frenchbot.core.net import client_ip
from frenchbot.core.pdf import PdfError, PdfRenderLimited
from frenchbot.core.ratelimit import rate_limit_hit

from ..certificates_pdf import certificate_context, certificate_pdf_filename, certificate_pdf_kept
from ..selectors.certificates import (
    certificate_code_is_wellformed,
    certificate_code_normalize,
    certificate_get_by_code,
    certificate_get_for_learner,
    certificate_name_is_from_email,
)
from ..selectors.progress import enrolment_get, enrolment_progress
from ..selectors.trainings import training_get_published
from ..services.certificates import certificate_issue_if_complete

# The window of COURSES_CERTIFICATE_VERIFY_RATE_LIMIT (lookups of the public page per IP address): plenty for an
# employer checking a few certificates, far too few to walk through codes.
VERIFY_RATE_WINDOW = 600
# A code typed into the form is echoed back at most this long.
_ECHO_MAX = 40


def _error(request: HttpRequest, *, status: int, title: str, message: str, slug: str) -> HttpResponse:
    context = {
        "title": title,
        "message": message,
        "back_url": reverse("courses:certificate", args=[slug]),
        "back_label": _("Revenir à mon certificat"),
    }
    return render(request, "core/error.html", context, status=status)


@login_required
@require_safe
def certificate_page(request: HttpRequest, slug: str) -> HttpResponse:
    """The learner's certificate in `slug`; while steps remain, what is left. 404 for anyone not enrolled."""
    certificate = certificate_get_for_learner(user=request.user, training_slug=slug)
    if certificate is None:
        training = training_get_published(slug=slug)
        enrolment = enrolment_get(user=request.user, training=training) if training else None
        if enrolment is None:
            raise Http404(_("Vous n'avez pas de certificat pour cette formation."))
        # Steps completed before certificates existed, or a missed hook: issuing is idempotent, so the page
        # catches up rather than telling a learner who finished that they have not.
        certificate = certificate_issue_if_complete(enrolment=enrolment)
        if certificate is None:
            progress = enrolment_progress(enrolment=enrolment)
            context = {
                "training": training,
                "progress": progress,
                "remaining": progress.required_total - progress.required_done,
            }
            return render(request, "courses/certificate.html", context)
    context = certificate_context(certificate=certificate)
    context.update(
        {
            "training": certificate.enrolment.training,
            "pdf_url": reverse("courses:certificate_pdf", args=[slug]),
            "name_from_email": certificate_name_is_from_email(certificate=certificate),
        }
    )
    response = render(request, "courses/certificate.html", context)
    response["X-Robots-Tag"] = "noindex"
    return response


@login_required
@require_safe
def certificate_pdf(request: HttpRequest, slug: str) -> HttpResponse:
    """The learner's own certificate as a PDF download; 404 for anyone else's."""
    certificate = certificate_get_for_learner(user=request.user, training_slug=slug)
    if certificate is None:
        raise Http404(_("Vous n'avez pas de certificat pour cette formation."))
    if certificate.revoked_at:
        return _error(
            request,
            status=410,
            title=_("Certificat révoqué"),
            message=_(
                "Ce certificat a été révoqué : il ne peut plus être téléchargé. Écrivez-nous si vous pensez "
                "qu'il s'agit d'une erreur."
            ),
            slug=slug,
        )
    try:
        pdf = certificate_pdf_kept(certificate=certificate, ip=client_ip(request))
    except PdfRenderLimited as limited:
        response = _error(
            request,
            status=429,
            title=_("Trop de téléchargements"),
            message=_(
                "Trop de téléchargements de PDF en peu de temps : patientez quelques minutes puis réessayez. "
                "Votre certificat reste valable et vérifiable en ligne."
            ),
            slug=slug,
        )
        response["Retry-After"] = str(limited.retry_after)
        return response
    except PdfError:
        return _error(
            request,
            status=503,
            title=_("PDF momentanément indisponible"),
            message=_(
                "Nous n'avons pas pu préparer le PDF de votre certificat. Il reste valable et vérifiable en "
                "ligne ; réessayez dans quelques minutes."
            ),
            slug=slug,
        )
    response = HttpResponse(pdf, content_type="application/pdf")
    filename = certificate_pdf_filename(certificate=certificate)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Robots-Tag"] = "noindex"
    response["Cache-Control"] = "private, no-store"
    return response


def _verify_render(request: HttpRequest, context: dict, *, status: int = 200) -> HttpResponse:
    response = render(request, "courses/certificate_verify.html", context, status=status)
    response["X-Robots-Tag"] = "noindex"
    return response


@require_safe
@never_cache
def certificate_verify(request: HttpRequest, code: str) -> HttpResponse:
    """Public: is the certificate with this code valid, and whose is it. Also takes `?code=` from its form
    and redirects to the canonical address; rate-limited per IP address so that codes cannot be walked."""
    if "code" in request.GET:
        typed = request.GET.get("code", "")
        normalized = certificate_code_normalize(typed)
        if not certificate_code_is_wellformed(normalized):
            message = (
                _("Saisissez le code de vérification inscrit sur le certificat.")
                if not normalized
                else _("Ce code n'a pas le bon format : il ne contient que des lettres et des chiffres.")
            )
            return _verify_render(
                request, {"state": "form", "form_error": message, "typed": typed[:_ECHO_MAX]}, status=400
            )
        return redirect("certificate_verify", code=normalized)

    normalized = certificate_code_normalize(code)
    if normalized != code and certificate_code_is_wellformed(normalized):
        return redirect("certificate_verify", code=normalized)

    if rate_limit_hit(
        scope="certificate_verify",
        key=client_ip(request),
        limit=settings.COURSES_CERTIFICATE_VERIFY_RATE_LIMIT,
        window_seconds=VERIFY_RATE_WINDOW,
    ):
        response = _verify_render(request, {"state": "limited", "typed": code[:_ECHO_MAX]}, status=429)
        response["Retry-After"] = str(VERIFY_RATE_WINDOW)
        return response

    certificate = certificate_get_by_code(code=normalized)
    if certificate is None:
        return _verify_render(request, {"state": "unknown", "typed": code[:_ECHO_MAX]}, status=404)
    context = certificate_context(certificate=certificate)
    context["state"] = "revoked" if certificate.revoked_at else "valid"
    return _verify_render(request, context)
