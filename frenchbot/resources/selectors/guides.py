"""Reads of guides and templates: the hub, a guide's page (with the teaser of a gated guide and its table of
contents), the uploaded file's name and type, and the « Ressources liées » of an article or a training."""

import mimetypes
import re
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import PurePosixPath

from django.db.models import Q, QuerySet
from django.utils.html import strip_tags

from ..models import GlossaryTerm, Guide, Prompt

# Office formats are not in every system's MIME table: say them here so a download never becomes a text file.
FILE_CONTENT_TYPES = {
    ".pdf": "application/pdf",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
_HEADING_RE = re.compile(r'<h([23]) id="([^"]+)">(.*?)</h\1>', re.S)


@dataclass(frozen=True)
class TocEntry:
    level: int
    anchor: str
    title: str


def guides_published() -> QuerySet[Guide]:
    """Published guides and templates, newest first, with their cover image."""
    return Guide.objects.filter(is_published=True).select_related("cover")


def guides_find(*, kinds: Collection[str] = (), words: Collection[str] = (), limit: int = 6) -> list[Guide]:
    """Published guides of one of `kinds` or whose title holds one of `words` (« charte »), newest first; none
    when both are empty (the caller lists every guide through `guides_published` instead)."""
    condition = Q(kind__in=list(kinds)) if kinds else Q(pk__in=[])
    for word in words:
        condition |= Q(title__icontains=word)
    return list(guides_published().filter(condition)[:limit])


def guide_get(*, slug: str, preview: bool = False) -> Guide | None:
    """The published guide at `slug`; with `preview` (staff), a draft too. None otherwise."""
    guides = Guide.objects.select_related("cover")
    if not preview:
        guides = guides.filter(is_published=True)
    return guides.filter(slug=slug).first()


def resources_counts() -> dict[str, int]:
    """How many published prompts and glossary terms the hub's two doors lead to."""
    return {
        "prompts": Prompt.objects.filter(is_published=True).count(),
        "terms": GlossaryTerm.objects.filter(is_published=True).count(),
    }


def guide_has_pdf(guide: Guide) -> bool:
    """A guide with a written body is offered as a PDF made from it."""
    return bool(guide.body.strip())


def guide_file_name(guide: Guide) -> str:
    """The uploaded file's own name (without its folder), or ""."""
    return PurePosixPath(guide.file.name).name if guide.file else ""


def guide_file_extension(guide: Guide) -> str:
    """« DOCX », « PDF », « XLSX »: the badge of the uploaded file, or ""."""
    return PurePosixPath(guide.file.name).suffix.lstrip(".").upper() if guide.file else ""


def guide_file_content_type(guide: Guide) -> str:
    suffix = PurePosixPath(guide.file.name).suffix.lower()
    return (
        FILE_CONTENT_TYPES.get(suffix)
        or mimetypes.guess_type(guide.file.name)[0]
        or "application/octet-stream"
    )


def guide_toc(guide: Guide) -> list[TocEntry]:
    """The h2 and h3 headings of the body, with their anchors, in order: the table of contents."""
    return [
        TocEntry(level=int(level), anchor=anchor, title=strip_tags(title).strip())
        for level, anchor, title in _HEADING_RE.findall(guide.body_html)
    ]


def guide_teaser_html(guide: Guide) -> str:
    """What a gated guide's page shows of the body: its introduction, up to the first heading (sanitised HTML
    already, being a prefix of `body_html` cut between two blocks)."""
    html = guide.body_html
    cut = html.find("<h2")
    return html if cut < 0 else html[:cut]


def resources_related(*, label: str, pk) -> tuple[list[Guide], list[Prompt]]:
    """The published guides and prompts that name the object `label` / `pk` among their related content:
    "blog.article" (their `articles`) or "courses.training" (their `trainings`); nothing for anything else."""
    field = {"blog.article": "articles", "courses.training": "trainings"}.get(label)
    if field is None or pk is None:
        return [], []
    guides = list(guides_published().filter(**{field: pk}).distinct()[:6])
    prompts = list(
        Prompt.objects.filter(is_published=True, **{field: pk}).select_related("use_case").distinct()[:6]
    )
    return guides, prompts
