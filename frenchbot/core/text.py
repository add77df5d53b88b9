"""Text utilities shared by every app: safe Markdown, French normalisation, reading time."""

import math
import re
import unicodedata

import nh3
from django.utils.html import escape
from markdown_it import MarkdownIt
from pygments import highlight as _pygments_highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import get_lexer_by_name
from pygments.token import STANDARD_TYPES
from pygments.util import ClassNotFound

# Code blocks are highlighted here, at render time, so that pages carry no client-side highlighter: Pygments
# writes `<span class="k">` tokens (the site stylesheet colours them), never inline styles.
_CODE_FORMATTER = HtmlFormatter(nowrap=True)
_CODE_CLASSES = frozenset(cls for cls in STANDARD_TYPES.values() if cls)


def highlight_code(code: str, language: str) -> str:
    """A fenced block as `<pre class="highlight"><code class="language-x">` with Pygments token spans, or ""
    when the language is absent or unknown to Pygments (the block then stays plain, escaped text)."""
    language = (language or "").strip().lower()
    if not language:
        return ""
    try:
        # Lexers are only looked up by name: guessing could pick an exotic lexer for ordinary text.
        lexer = get_lexer_by_name(language, stripnl=False, ensurenl=False)
    except ClassNotFound:
        return ""
    spans = _pygments_highlight(code, lexer, _CODE_FORMATTER)
    return f'<pre class="highlight"><code class="language-{escape(language)}">{spans}</code></pre>'


def _highlight(content: str, language: str, _attrs: str) -> str:
    return highlight_code(content, language)


# Markdown is written by staff, but a compromised or careless account must not be able to inject script:
# raw HTML is disabled in the parser and the output is sanitised again with an allow-list.
_md = (
    MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False, "highlight": _highlight})
    .enable("table")
    .enable("strikethrough")
)

_ALLOWED_TAGS = {
    "p", "br", "hr", "h2", "h3", "h4", "h5", "h6", "strong", "em", "del", "s", "code", "pre", "blockquote",
    "ul", "ol", "li", "a", "img", "table", "thead", "tbody", "tr", "th", "td", "span",
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
# Classes are allowed only where highlighting puts them, and only the values it writes.
_ALLOWED_CLASSES = {"span": set(_CODE_CLASSES), "pre": {"highlight"}}
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
        allowed_classes=_ALLOWED_CLASSES,
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


# --- Plain text and French typography ------------------------------------------------------------------

# Line breaks of every kind (what str.splitlines() splits on) and tabs; not the non-breaking spaces of French.
_BREAKS_RE = re.compile(r"[\r\n\t\v\f\x1c-\x1e\x85\u2028\u2029]+")


def single_line(value: str) -> str:
    """`value` on one line: every line break or tab becomes a space, runs of spaces one space.

    What goes into an e-mail header must be one line: a name ending in "\\r\\nBcc: ..." would otherwise add
    a header (Django refuses such a header outright, which would lose the e-mail instead)."""
    text = _BREAKS_RE.sub(" ", (value or "").replace("\x00", ""))
    return re.sub(r" {2,}", " ", text).strip()


NBSP = "\u00a0"
_TYPOGRAPHY_RULES = [
    (re.compile(r"[ \u00a0\u202f]+([:;!?»])"), NBSP + r"\1"),
    (re.compile(r"«[ \u00a0\u202f]+"), "«" + NBSP),
    # 1 900 €, 2 400 : groups of thousands stay on one line.
    (re.compile(r"(?<=\d) (?=\d{3}(?!\d))"), NBSP),
    (re.compile(r"(?<=\d) (?=(?:€|%|\$|h|min|km|m)(?!\w))"), NBSP),
    (re.compile(r"(?<=\d\u00a0h) (?=\d)"), NBSP),  # 14 h 30
]


def french_typography(text: str) -> str:
    """`text` with the non-breaking spaces of French: before « : ; ! ? », inside « guillemets », between groups
    of thousands and before units. Content is written with ordinary spaces so that its source stays readable;
    this is applied when it is stored."""
    for pattern, replacement in _TYPOGRAPHY_RULES:
        text = pattern.sub(replacement, text)
    return text


def parse_front_matter(text: str) -> tuple[dict[str, str], str]:
    """A Markdown file with a front matter: ``---`` / ``key: value`` lines / ``---``, then the body.

    Returns the keys (values as strings, stripped) and the body; a text without a front matter is all body."""
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].strip() != "---":
        return {}, text
    end = next((i for i, line in enumerate(lines[1:], start=1) if line.strip() == "---"), None)
    if end is None:
        return {}, text
    header, body = "".join(lines[1:end]), "".join(lines[end + 1 :])
    meta = {}
    for line in header.strip().splitlines():
        if ": " in line:
            key, value = line.split(": ", 1)
            meta[key.strip()] = value.strip()
    return meta, body.lstrip("\n")


# --- French analysis for search -------------------------------------------------------------------------
# Elision removed (l'IA → ia), accents folded and lowercase, stop words dropped, Snowball French stem. Folding
# comes before stemming so that a question typed without accents (« donnees ») meets the same stems as the
# accented text: on PIAF this costs 0.003 of recall@1 against stemming first, and it is what visitors type.
# The same analysis runs on passages and questions.

_ELISION_RE = re.compile(r"\b(?:[cdjlmnst]|qu|jusqu|lorsqu|puisqu|quoiqu)['’]", re.IGNORECASE)
_TOKEN_RE = re.compile(r"[^\W_]+", re.UNICODE)
FRENCH_STOP_WORDS = frozenset(
    [
        "a",
        "ai",
        "aie",
        "aient",
        "aies",
        "ait",
        "alors",
        "as",
        "au",
        "aucun",
        "aucune",
        "aupres",
        "auquel",
        "aura",
        "aurai",
        "auraient",
        "aurais",
        "aurait",
        "aux",
        "avaient",
        "avais",
        "avait",
        "avec",
        "avez",
        "aviez",
        "avions",
        "avoir",
        "avons",
        "ayant",
        "c",
        "ca",
        "car",
        "ce",
        "ceci",
        "cela",
        "celle",
        "celles",
        "celui",
        "cependant",
        "ces",
        "cet",
        "cette",
        "ceux",
        "chaque",
        "chez",
        "ci",
        "comme",
        "comment",
        "d",
        "dans",
        "de",
        "des",
        "deja",
        "depuis",
        "devrait",
        "doit",
        "donc",
        "dont",
        "du",
        "elle",
        "elles",
        "en",
        "encore",
        "entre",
        "es",
        "est",
        "et",
        "etaient",
        "etais",
        "etait",
        "etant",
        "ete",
        "etes",
        "etiez",
        "etions",
        "etre",
        "eu",
        "eue",
        "eues",
        "eurent",
        "eus",
        "eut",
        "eux",
        "fait",
        "faites",
        "fut",
        "furent",
        "hors",
        "ici",
        "il",
        "ils",
        "j",
        "je",
        "jusqu",
        "l",
        "la",
        "le",
        "les",
        "leur",
        "leurs",
        "lui",
        "m",
        "ma",
        "mais",
        "me",
        "meme",
        "memes",
        "mes",
        "moi",
        "mon",
        "n",
        "ne",
        "ni",
        "nos",
        "notre",
        "nous",
        "on",
        "ont",
        "or",
        "ou",
        "par",
        "parce",
        "pas",
        "peu",
        "peut",
        "pour",
        "pourquoi",
        "qu",
        "quand",
        "que",
        "quel",
        "quelle",
        "quelles",
        "quels",
        "qui",
        "quoi",
        "s",
        "sa",
        "sans",
        "se",
        "selon",
        "sera",
        "seront",
        "ses",
        "si",
        "sien",
        "son",
        "sont",
        "sous",
        "soyez",
        "sur",
        "t",
        "ta",
        "te",
        "tes",
        "toi",
        "ton",
        "tous",
        "tout",
        "toute",
        "toutes",
        "tres",
        "tu",
        "un",
        "une",
        "unes",
        "uns",
        "vers",
        "voici",
        "voila",
        "vos",
        "votre",
        "vous",
        "y",
    ]
)


def _stemmer():
    import Stemmer

    return Stemmer.Stemmer("french")


_french_stemmer = None


def french_analyze(text: str) -> list[str]:
    """Search tokens of a French text: « L'IA générative aide les entreprises » → ['ia', 'gener', 'aid', 'entrepris']."""
    global _french_stemmer
    if _french_stemmer is None:
        _french_stemmer = _stemmer()
    words = _TOKEN_RE.findall(fold(_ELISION_RE.sub(" ", text or "")))
    kept = [word for word in words if word not in FRENCH_STOP_WORDS]
    return _french_stemmer.stemWords(kept)


def markdown_sections(source: str) -> list[tuple[str, str, list[str]]]:
    """The Markdown's sections as (heading, anchor, plain-text blocks), anchors as `render_markdown` makes them.

    A block is a paragraph, a list item, a table row or a code block, in reading order. Text before the
    first heading forms a section with an empty heading and anchor.
    """
    tokens = _md.parse(source or "")
    for token in tokens:
        if token.type in {"heading_open", "heading_close"} and token.tag == "h1":
            token.tag = "h2"
    _add_heading_ids(tokens)
    sections: list[tuple[str, str, list[str]]] = [("", "", [])]
    row: list[str] | None = None
    for index, token in enumerate(tokens):
        if token.type == "heading_open":
            inline = tokens[index + 1]
            sections.append((_inline_text(inline), token.attrGet("id") or "", []))
        elif token.type == "tr_open":
            row = []
        elif token.type == "tr_close" and row is not None:
            sections[-1][2].append(" | ".join(cell for cell in row if cell))
            row = None
        elif token.type == "inline" and (index == 0 or tokens[index - 1].type != "heading_open"):
            text = _inline_text(token)
            if row is not None:
                row.append(text)
            elif text:
                sections[-1][2].append(text)
        elif token.type in {"fence", "code_block"} and token.content.strip():
            sections[-1][2].append(token.content.strip())
    return [section for section in sections if section[0] or section[2]]


def _inline_text(inline) -> str:
    parts = []
    for child in inline.children or []:
        if child.type in {"text", "code_inline"}:
            parts.append(child.content)
        elif child.type in {"softbreak", "hardbreak"}:
            parts.append(" ")
        elif child.type == "image":
            parts.append(child.content)
    return re.sub(r"\s+", " ", "".join(parts)).strip()
