"""A guide's PDF: its body with the brand's styles, a cover page and a table of contents of its h2/h3 headings
(with page numbers), rendered by the project's WeasyPrint renderer and kept in the cache per version."""

import datetime

from django.conf import settings
from django.utils import timezone, translation

from frenchbot.core.pdf import pdf_kept, pdf_render

from .models import Guide
from .selectors.guides import guide_toc


def guide_pdf(*, guide: Guide) -> bytes:
    """The guide as an A4 PDF, in French. Raises frenchbot.core.pdf.PdfError when rendering fails."""
    with translation.override("fr"):
        return pdf_render(
            template_name="resources/guide_pdf.html",
            context={
                "guide": guide,
                "toc": guide_toc(guide),
                "site_url": settings.SITE_URL,
                "date": timezone.localdate(guide.updated_at or timezone.now()),
            },
        )


def guide_pdf_kept(*, guide: Guide, ip: str = "") -> bytes:
    """The guide's PDF rendered once per version of the guide (`updated_at` moves with every save) and kept;
    `ip` (a visitor's download) counts a render towards their limit. Raises PdfError or PdfRenderLimited."""
    updated = guide.updated_at or datetime.datetime.min
    return pdf_kept(
        kind="guide",
        parts=(str(guide.pk), updated.isoformat()),
        render=lambda: guide_pdf(guide=guide),
        ip=ip,
    )


def guide_pdf_filename(guide: Guide) -> str:
    return f"{guide.slug}.pdf"
