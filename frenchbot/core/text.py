"""Text utilities shared by every app: safe Markdown, French normalisation, reading time."""

import math
import re
import unicodedata

import nh3
from markdown_it import MarkdownIt

# Markdown is written by staff, but a compromised or careless account must not be able to inject script:
# raw HTML is disabled in the parser and the output is sanitised again with an allow-list.
_md = (
    MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    .enable("table")
    .enable("strikethrough")
)

_ALLOWED_TAGS = {
    "p", "br", "hr", "h2", "h3", "h4", "h5", "h6", "strong", "em", "del", "s", "code", "pre", "blockquote",
    "ul", "ol", "li", "a", "img", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
_ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "h2": {"id"},
    "h3": {"id"},
    "h4": {"id"},
    "th": {"style"},
    "td": {"style"},
    "ol": {"start"},
    "code": {"class"},
}
_URL_SCHEMES = {"http", "https", "mailto"}


def slugify_heading(text: str) -> str:
    """A stable, readable anchor for a heading: accents folded, lowercase, hyphens."""
    folded = fold(text)
    return re.sub(r"[^a-z0-9]+", "-", folded).strip("-") or "section"


def _add_heading_ids(tokens) -> None:
    seen: dict[str, int] = {}
    for index, token in enumerate(tokens):
        if token.type == "heading_open" and token.tag in {"h2", "h3", "h4"}:
            inline = tokens[index + 1]
            anchor = slugify_heading(inline.content)
            count = seen.get(anchor, 0)
            seen[anchor] = count + 1
            token.attrSet("id", anchor if count == 0 else f"{anchor}-{count + 1}")


def render_markdown(source: str) -> str:
    """Markdown to sanitised HTML. Headings get anchors; top-level `#` is demoted (the page owns the h1)."""
    tokens = _md.parse(source or "")
    for token in tokens:
        if token.type in {"heading_open", "heading_close"} and token.tag == "h1":
            token.tag = "h2"
    _add_heading_ids(tokens)
    html = _md.renderer.render(tokens, _md.options, {})
    return sanitize_html(html)


def sanitize_html(html: str) -> str:
    return nh3.clean(
        html,
        tags=_ALLOWED_TAGS,
        attributes=_ALLOWED_ATTRIBUTES,
        url_schemes=_URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )


_WORD_RE = re.compile(r"\w+", re.UNICODE)


def word_count(text: str) -> int:
    return len(_WORD_RE.findall(text or ""))


def reading_time_minutes(text: str, *, words_per_minute: int = 230) -> int:
    """Minutes to read a text at an average adult's French reading speed, never less than one."""
    return max(1, math.ceil(word_count(text) / words_per_minute))


_LINK_RE = re.compile(r"(https?://|www\.)\S+", re.IGNORECASE)


def count_links(text: str) -> int:
    return len(_LINK_RE.findall(text or ""))


def fold(text: str) -> str:
    """Lowercase without accents: « Élève » → « eleve ». Used for anchors and comparisons."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def plain_text_excerpt(markdown_source: str, *, length: int = 200) -> str:
    """A plain-text beginning of a Markdown text, cut on a word, for meta descriptions and feeds."""
    text = re.sub(r"<[^>]+>", " ", render_markdown(markdown_source))
    text = re.sub(r"\s+", " ", text).strip()
    if len(text) <= length:
        return text
    cut = text[:length].rsplit(" ", 1)[0]
    return cut.rstrip(",;:.") + "…"
