"""PDF documents (audit reports, certificates) rendered by WeasyPrint from Django templates.

WeasyPrint fetches what a document links to; here it may only read the site's own static files (fonts,
images, CSS, found through the staticfiles finders, so it works before and after `collectstatic`) and inline
`data:` URLs. Anything else — a remote image in a lesson, a file URL forged in content — is refused: rendering
never touches the network or the disk beyond static files.
"""

import logging
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)


class PdfError(Exception):
    """The document could not be rendered (WeasyPrint or its system libraries missing or failing)."""


def _static_path(url: str) -> Path | None:
    prefix = settings.STATIC_URL
    for base in (prefix, "static:"):
        if url.startswith(base):
            found = finders.find(url[len(base) :].split("?")[0])
            return Path(found) if found else None
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
