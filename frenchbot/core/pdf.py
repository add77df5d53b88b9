"""PDF documents (audit reports, certificates) rendered by WeasyPrint from Django templates.

WeasyPrint fetches what a document links to; here it may only read the site's own static files (fonts,
images, CSS, found through the staticfiles finders, so it works before and after `collectstatic`) and inline
`data:` URLs. Anything else — a remote image in a lesson, a file URL forged in content — is refused: rendering
never touches the network or the disk beyond static files.

Rendering costs hundreds of milliseconds of CPU, so what pages serve is rendered once and kept in the cache
(`pdf_kept`), keyed by everything its content depends on; the renders a visitor can still cause are limited
per IP address, so that nobody pins a worker by asking for PDFs in a loop.
"""

import hashlib
import logging
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.cache import cache
from django.core.exceptions import SuspiciousFileOperation
from django.template.loader import render_to_string

from .ratelimit import rate_limit_hit

logger = logging.getLogger(__name__)


# The window of PDF_RENDER_RATE_LIMIT (renders caused by one IP address).
PDF_RENDER_RATE_WINDOW = 600
# Part of every key: bump it when a PDF template changes, so that no document kept from before is served.
PDF_LAYOUT_VERSION = "1"


class PdfError(Exception):
    """The document could not be rendered (WeasyPrint or its system libraries missing or failing)."""


class PdfRenderLimited(Exception):
    """This IP address caused too many renders lately; `retry_after` is in seconds."""

    retry_after = PDF_RENDER_RATE_WINDOW


def _static_path(url: str) -> Path | None:
    prefix = settings.STATIC_URL
    for base in (prefix, "static:"):
        if url.startswith(base):
            name = url[len(base) :].split("?")[0]
            try:
                found = finders.find(name)
            except SuspiciousFileOperation:  # « ../ »: outside every static folder
                return None
            if found:
                return Path(found)
            # In production `{% static %}` gives the collected file's hashed name (« logo.c34029b5e2b2.svg »),
            # which no finder knows: read it from STATIC_ROOT, and only from there.
            if settings.STATIC_ROOT:
                root = Path(settings.STATIC_ROOT).resolve()
                candidate = (root / name).resolve()
                if candidate.is_relative_to(root) and candidate.is_file():
                    return candidate
            return None
    return None


def _fetcher():
    import mimetypes

    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticOnlyFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            if url.startswith("data:"):
                return super().fetch(url, headers)
            path = _static_path(url)
            if path is None:
                raise ValueError(f"PDF rendering may not fetch {url[:80]!r}")
            content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(url, body=path.read_bytes(), headers={"Content-Type": content_type})

    return StaticOnlyFetcher(allowed_protocols={"data", "static", "http", "https"})


def pdf_render(*, template_name: str, context: dict) -> bytes:
    """Render `template_name` with `context` to PDF bytes. Static assets are referenced in the template as
    `{% static '...' %}` (their STATIC_URL path). Raises PdfError when rendering fails."""
    html = render_to_string(template_name, context)
    try:
        from weasyprint import HTML

        return HTML(string=html, base_url="static:", url_fetcher=_fetcher()).write_pdf()
    except Exception as error:  # WeasyPrint raises many kinds; a page must answer with a message, not a 500
        logger.exception("PDF rendering of %s failed", template_name)
        raise PdfError(str(error)) from error


def pdf_kept(*, kind: str, parts: tuple, render: Callable[[], bytes], ip: str = "") -> bytes:
    """The PDF of `kind` whose content depends only on `parts` (ids, update times, the words it states): served
    from the cache when rendered before, else rendered by `render()` and kept for PDF_CACHE_SECONDS.

    With `ip` (a visitor's request), a render counts towards PDF_RENDER_RATE_LIMIT for that address and raises
    PdfRenderLimited beyond it, without rendering; a kept copy is served whatever the count. Raises PdfError
    when rendering fails (nothing is kept then).
    """
    digest = hashlib.sha256(repr((PDF_LAYOUT_VERSION, settings.SITE_URL, *parts)).encode()).hexdigest()
    key = f"pdf:{kind}:{digest}"
    pdf = cache.get(key)
    if pdf is not None:
        return pdf
    if ip and rate_limit_hit(
        scope="pdf_render",
        key=ip,
        limit=settings.PDF_RENDER_RATE_LIMIT,
        window_seconds=PDF_RENDER_RATE_WINDOW,
    ):
        raise PdfRenderLimited()
    pdf = render()
    cache.set(key, pdf, timeout=settings.PDF_CACHE_SECONDS)
    return pdf
