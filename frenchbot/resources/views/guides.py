"""Public pages of guides and templates: the resources hub, a guide's page, its PDF and file, the request form
of a gated guide with its confirmation, and the download reached from the e-mail's signed link.

The hub and the pages of open guides are shared between anonymous visitors (`render_cached`); saving a guide
or a prompt retires the copies (`signals.py`). A gated guide's PDF and file are
served only through the e-mailed link, or to staff.
"""

import json
from functools import cached_property

from django.conf import settings
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from frenchbot.core.formguard import FORM_TS_PLACEHOLDER, form_timestamp
from frenchbot.core.net import client_ip
from frenchbot.core.pagecache import render_cached
from frenchbot.core.pdf import PdfError, PdfRenderLimited

from ..forms import GUIDE_CONSENT_TEXT, GuideRequestForm
from ..models import Guide
from ..pdf import guide_pdf_filename, guide_pdf_kept
from ..selectors import guides as selectors
from ..services import guides as services


def _is_staff(request: HttpRequest) -> bool:
    return request.user.is_authenticated and request.user.is_staff


def _guide_or_404(request: HttpRequest, slug: str) -> Guide:
    guide = selectors.guide_get(slug=slug, preview=_is_staff(request))
    if guide is None:
        raise Http404(_("Ce guide n'existe pas ou n'est plus proposé."))
    return guide


def _formats(guide: Guide) -> dict:
    return {
        "has_pdf": selectors.guide_has_pdf(guide),
        "file_extension": selectors.guide_file_extension(guide),
    }


class ResourcesIndexPage:
    """What the hub shows, read only when the template asks: its body is kept as a fragment, and a kept
    fragment runs no query."""

    @cached_property
    def guides(self) -> list[Guide]:
        guides = list(selectors.guides_published())
        for guide in guides:
            guide.formats = _formats(guide)
        return guides

    @cached_property
    def counts(self) -> dict[str, int]:
        return selectors.resources_counts()


@require_safe
def resources_index(request: HttpRequest) -> HttpResponse:
    """The hub: guides and templates as cards, and the doors to the prompt library and the glossary."""
    return render_cached(
        request, template="resources/index.html", context=lambda values: {"hub": ResourcesIndexPage()}
    )


def _structured_data(guide: Guide) -> str:
    """schema.org data of a guide's page, for search engines."""
    data = {
        "@context": "https://schema.org",
        # A template or a check-list is a document to fill in; a guide reads like an article.
        "@type": "Article" if guide.kind == Guide.Kind.GUIDE else "DigitalDocument",
        "name": guide.title,
        "headline": guide.title,
        "description": guide.seo_description or guide.summary,
        "url": settings.SITE_URL + guide.get_absolute_url(),
        "inLanguage": "fr",
        "isAccessibleForFree": True,
        "publisher": {"@type": "Organization", "name": settings.SITE_NAME, "url": settings.SITE_URL},
    }
    if guide.published_at:
        data["datePublished"] = guide.published_at.isoformat()
    if guide.updated_at:
        data["dateModified"] = guide.updated_at.isoformat()
    text = json.dumps(data, ensure_ascii=False)
    # Inside <script>, only "</" could end the element early: escape the characters HTML treats specially.
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return mark_safe(text)  # noqa: S308 - escaped above


class GuideBody:
    """The parts of a guide's page worked out from its text (table of contents, teaser, structured data), done
    only when the template asks: the page keeps them rendered as fragments."""

    def __init__(self, guide: Guide, *, full_access: bool):
        self.guide = guide
        self.full_access = full_access

    @cached_property
    def html(self) -> str:
        return self.guide.body_html if self.full_access else selectors.guide_teaser_html(self.guide)

    @cached_property
    def toc(self) -> list[selectors.TocEntry]:
        return selectors.guide_toc(self.guide)

    @cached_property
    def structured_data(self) -> str:
        return _structured_data(self.guide)


def _detail_context(request: HttpRequest, guide: Guide, *, form: GuideRequestForm | None, ts: str) -> dict:
    full_access = not guide.is_gated or _is_staff(request)
    if form is None and guide.is_gated:
        form = GuideRequestForm(initial={"ts": ts})
    return {
        "guide": guide,
        "is_draft": not guide.is_published,
        "full_access": full_access,
        "body": GuideBody(guide, full_access=full_access),
        "form": form,
        "consent_text": GUIDE_CONSENT_TEXT,
        "max_age_days": settings.RESOURCES_LINK_MAX_AGE_DAYS,
        **_formats(guide),
    }


@require_safe
def guide_detail(request: HttpRequest, slug: str) -> HttpResponse:
    guide = _guide_or_404(request, slug)
    if not guide.is_published or _is_staff(request):
        return render(
            request,
            "resources/guide_detail.html",
            _detail_context(request, guide, form=None, ts=form_timestamp()),
        )
    return render_cached(
        request,
        template="resources/guide_detail.html",
        context=lambda values: _detail_context(request, guide, form=None, ts=values[FORM_TS_PLACEHOLDER]),
    )


def _render_request_form(
    request: HttpRequest, guide: Guide, form: GuideRequestForm, *, status: int
) -> HttpResponse:
    # A re-displayed form gets a fresh time stamp; everything the person typed stays.
    form.data = form.data.copy()
    form.data["ts"] = form_timestamp()
    context = _detail_context(request, guide, form=form, ts="")
    return render(request, "resources/guide_request.html", context, status=status)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def guide_request(request: HttpRequest, slug: str) -> HttpResponse:
    """GET: the request form of a gated guide (where its PDF and file addresses send visitors), or, with
    `?demande=<token>`, the confirmation of a request just sent. POST: record the request."""
    guide = _guide_or_404(request, slug)
    if not guide.is_gated:
        return redirect(guide.get_absolute_url())
    if request.method != "POST":
        done = request.GET.get("demande")
        if done:
            guide_request = services.guide_request_from_done_token(token=done)
            if guide_request is not None and guide_request.guide_id == guide.pk:
                return render(
                    request,
                    "resources/guide_request_done.html",
                    {
                        "guide": guide,
                        "guide_request": guide_request,
                        "max_age_days": settings.RESOURCES_LINK_MAX_AGE_DAYS,
                    },
                )
        form = GuideRequestForm(initial={"ts": form_timestamp()})
        return render(
            request, "resources/guide_request.html", _detail_context(request, guide, form=form, ts="")
        )
    form = GuideRequestForm(request.POST)
    if not form.is_valid():
        return _render_request_form(request, guide, form, status=400)
    data = form.cleaned_data
    try:
        guide_request = services.guide_request_create(
            guide=guide,
            email=data["email"],
            name=data["name"],
            consent=data["consent"],
            consent_text=str(GUIDE_CONSENT_TEXT),
            ip=client_ip(request),
        )
    except services.GuideError as error:
        field = error.field if error.field in form.fields else None
        form.add_error(field, error.message)
        return _render_request_form(request, guide, form, status=429 if error.code == "rate_limited" else 400)
    token = services.guide_request_done_token(guide_request=guide_request)
    return redirect(reverse("resources:guide_request", args=[guide.slug]) + f"?demande={token}")


def _pdf_response(request: HttpRequest, guide: Guide) -> HttpResponse:
    if not selectors.guide_has_pdf(guide):
        raise Http404(_("Ce guide n'existe pas en PDF."))
    try:
        pdf = guide_pdf_kept(guide=guide, ip=client_ip(request))
    except PdfRenderLimited as limited:
        response = _error(
            request,
            guide,
            title=_("Trop de téléchargements"),
            message=_(
                "Trop de téléchargements de PDF en peu de temps : patientez quelques minutes puis réessayez. "
                "Le guide reste consultable en ligne."
            ),
            status=429,
        )
        response["Retry-After"] = str(limited.retry_after)
        return response
    except PdfError:
        return _error(
            request,
            guide,
            title=_("PDF momentanément indisponible"),
            message=_("Nous n'avons pas pu préparer le PDF de ce guide. Réessayez dans quelques minutes."),
            status=503,
        )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{guide_pdf_filename(guide)}"'
    return response


def _file_response(guide: Guide) -> HttpResponse:
    if not guide.file:
        raise Http404(_("Ce guide n'a pas de fichier joint."))
    try:
        handle = guide.file.storage.open(guide.file.name, "rb")
    except (FileNotFoundError, OSError):
        raise Http404(_("Ce fichier n'est plus disponible.")) from None
    return FileResponse(
        handle,
        as_attachment=True,
        filename=selectors.guide_file_name(guide),
        content_type=selectors.guide_file_content_type(guide),
    )


def _error(request: HttpRequest, guide: Guide, *, title: str, message: str, status: int) -> HttpResponse:
    return render(
        request,
        "core/error.html",
        {
            "title": title,
            "message": message,
            "back_url": guide.get_absolute_url(),
            "back_label": _("Revenir au guide"),
        },
        status=status,
    )


def _gate(request: HttpRequest, guide: Guide) -> HttpResponse | None:
    """A gated guide's PDF and file go out only through the e-mailed link: a visitor who comes to their address
    is sent to the request form instead (staff may check them)."""
    if guide.is_gated and not _is_staff(request):
        return redirect("resources:guide_request", slug=guide.slug)
    return None


@require_safe
def guide_pdf(request: HttpRequest, slug: str) -> HttpResponse:
    guide = _guide_or_404(request, slug)
    return _gate(request, guide) or _pdf_response(request, guide)


@require_safe
def guide_file(request: HttpRequest, slug: str) -> HttpResponse:
    guide = _guide_or_404(request, slug)
    return _gate(request, guide) or _file_response(guide)


@never_cache
@require_safe
def guide_download(request: HttpRequest, token: str) -> HttpResponse:
    """The e-mail's link: the guide's PDF (or its file with `?fichier=1`, or when it has no written body)."""
    try:
        guide_request = services.guide_request_from_token(token=token)
    except services.GuideLinkError as error:
        return render(
            request,
            "resources/link_invalid.html",
            {"message": error.message},
            status=410 if error.expired else 400,
        )
    guide = guide_request.guide
    wants_file = request.GET.get("fichier") == "1" or not selectors.guide_has_pdf(guide)
    response = _file_response(guide) if wants_file else _pdf_response(request, guide)
    # A HEAD (a mail client checking the link) is not a download.
    if response.status_code == 200 and request.method == "GET":
        services.guide_request_mark_downloaded(guide_request=guide_request)
    return response
