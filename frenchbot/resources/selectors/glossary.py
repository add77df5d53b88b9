"""Reads of the glossary: the A–Z index, a term's page with its structured data, and the links from articles'
text to the terms they use (auto-linking)."""

import functools
import hashlib
import html
import json
import re
import string
from dataclasses import dataclass
from html.parser import HTMLParser

from django.conf import settings
from django.core.cache import cache
from django.db.models import Prefetch
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from frenchbot.core.text import fold, sanitize_html
from frenchbot.core.versions import shared_version, shared_version_bump
from frenchbot.resources.models import GlossaryTerm

GLOSSARY_VERSION = "resources:glossary"
# Letters of the index's navigation; a term starting with anything else is filed under « # ».
LETTERS = list(string.ascii_uppercase)
OTHER = "#"


def glossary_version() -> int:
    """Moves on at every change of a term (see signals.py): compiled matchers and linked HTML are keyed on it."""
    return shared_version(GLOSSARY_VERSION)


def glossary_version_bump() -> None:
    shared_version_bump(GLOSSARY_VERSION)


def _published():
    return GlossaryTerm.objects.filter(is_published=True)


def term_letter(term: str) -> str:
    first = fold(term.strip())[:1].upper()
    return first if first in LETTERS else OTHER


@dataclass
class LetterGroup:
    letter: str
    terms: list[GlossaryTerm]

    @property
    def anchor(self) -> str:
        return "lettre-autres" if self.letter == OTHER else f"lettre-{self.letter.lower()}"


def glossary_index() -> list[LetterGroup]:
    """Published terms grouped by first letter (accents folded: « Éthique » under E), in alphabetical order, with
    what the page's structured data names of each (its aliases): one query, whatever the number of terms."""
    terms = sorted(
        _published().only("term", "slug", "short_definition", "aliases"), key=lambda t: fold(t.term)
    )
    groups: dict[str, LetterGroup] = {}
    for term in terms:
        letter = term_letter(term.term)
        groups.setdefault(letter, LetterGroup(letter=letter, terms=[])).terms.append(term)
    order = [*LETTERS, OTHER]
    return sorted(groups.values(), key=lambda group: order.index(group.letter))


def term_get_public(*, slug: str) -> GlossaryTerm | None:
    return (
        _published()
        .prefetch_related(Prefetch("related", _published().only("term", "slug", "short_definition")))
        .filter(slug=slug)
        .first()
    )


def term_aliases(*, term: GlossaryTerm) -> list[str]:
    return [alias.strip() for alias in (term.aliases or "").split(",") if alias.strip()]


def term_body_html(*, term: GlossaryTerm) -> str:
    """The explanation as sanitised HTML (rendered at save), cleaned again on the way out: the page shows it
    unescaped, and a row written by a data migration or raw SQL skips `save()`."""
    return sanitize_html(term.body_html)


# --- Structured data --------------------------------------------------------------------------------------


def json_ld(data: dict) -> SafeString:
    """`data` as JSON to put inside <script type="application/ld+json">: the characters HTML treats specially
    are escaped, so no text (a term, a definition) can close the element or start another."""
    text = json.dumps(data, ensure_ascii=False)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return mark_safe(text)  # noqa: S308 - escaped above


def _absolute(path: str) -> str:
    return settings.SITE_URL + path


def _term_set() -> dict:
    return {
        "@type": "DefinedTermSet",
        "name": _("Glossaire de l'IA"),
        "url": _absolute(reverse("resources:glossary")),
        "inLanguage": "fr",
    }


def _defined_term(term: GlossaryTerm, *, in_set: bool) -> dict:
    data = {
        "@type": "DefinedTerm",
        "name": term.term,
        "description": term.short_definition,
        "url": _absolute(term.get_absolute_url()),
    }
    aliases = term_aliases(term=term)
    if aliases:
        data["alternateName"] = aliases
    if in_set:
        data["inDefinedTermSet"] = _term_set()
    return data


def term_structured_data(*, term: GlossaryTerm) -> SafeString:
    """schema.org DefinedTerm of a term's page, inside the glossary's DefinedTermSet."""
    return json_ld({"@context": "https://schema.org", **_defined_term(term, in_set=True)})


def glossary_structured_data(*, groups: list[LetterGroup]) -> SafeString:
    """schema.org DefinedTermSet of the index page, with every term it lists."""
    terms = [_defined_term(term, in_set=False) for group in groups for term in group.terms]
    return json_ld({"@context": "https://schema.org", **_term_set(), "hasDefinedTerm": terms})


# --- Auto-linking -----------------------------------------------------------------------------------------

# Elements whose text never gets a link: a link inside a link is invalid, headings and code say something else.
_NO_LINK_INSIDE = {
    "a", "h1", "h2", "h3", "h4", "h5", "h6", "code", "pre", "kbd", "samp", "script", "style", "textarea",
    "button", "select", "option", "label", "figcaption", "summary",
}  # fmt: skip
_VOID = {
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr",
    "param",
}  # fmt: skip
_APOSTROPHES = {"\u2019": "'", "\u02bc": "'", "\u2018": "'"}
# Linked HTML is kept this long (it is also keyed on the body and the glossary version, so never stale).
_LINKED_TIMEOUT = 7 * 24 * 3600


@functools.lru_cache(maxsize=4096)
def _fold_char(char: str) -> str:
    """One character, lowercased and without its accent, always one character long, so that a position in the
    folded text is the same position in the original."""
    if char in _APOSTROPHES:
        return _APOSTROPHES[char]
    folded = fold(char)
    if len(folded) == 1:
        return folded
    lowered = char.lower()
    return lowered if len(lowered) == 1 else char


def _fold_text(text: str) -> str:
    return "".join(_fold_char(char) for char in text)


def _phrase_key(text: str) -> str:
    return re.sub(r"\s+", " ", _fold_text(text).strip())


@dataclass(frozen=True)
class LinkTarget:
    term_id: int
    url: str
    title: str


@dataclass(frozen=True)
class GlossaryMatcher:
    pattern: re.Pattern
    targets: dict[str, LinkTarget]

    def target(self, matched: str) -> LinkTarget | None:
        return self.targets.get(re.sub(r"\s+", " ", matched))


def _build_matcher() -> GlossaryMatcher | None:
    targets: dict[str, LinkTarget] = {}
    terms = (
        _published()
        .filter(autolink=True)
        .only("term", "slug", "aliases", "short_definition")
        .order_by("term")
    )
    for term in terms:
        target = LinkTarget(term_id=term.pk, url=term.get_absolute_url(), title=term.short_definition)
        for phrase in [term.term, *term_aliases(term=term)]:
            key = _phrase_key(phrase)
            if len(key) >= 2:
                targets.setdefault(key, target)
    if not targets:
        return None
    # Longest first: at one position the regex takes the first alternative that matches, so « grand modèle de
    # langage » wins over « modèle ». Words are joined by any run of spaces (a line break, a no-break space).
    alternatives = [
        r"\s+".join(re.escape(word) for word in key.split(" "))
        for key in sorted(targets, key=len, reverse=True)
    ]
    pattern = re.compile(r"(?<![\w-])(?:" + "|".join(alternatives) + r")(?![\w-])")
    return GlossaryMatcher(pattern=pattern, targets=targets)


# (version, matcher) of this process; replaced whole, so a thread never sees a version with another's matcher.
_compiled: tuple[int, GlossaryMatcher | None] | None = None


def glossary_matcher(*, version: int | None = None) -> GlossaryMatcher | None:
    """The matcher of every auto-linked term and alias, compiled once per glossary version and process."""
    global _compiled
    version = glossary_version() if version is None else version
    current = _compiled
    if current is not None and current[0] == version:
        return current[1]
    matcher = _build_matcher()
    _compiled = (version, matcher)
    return matcher


class _Linker(HTMLParser):
    """Copies HTML as it is, but for text outside links, headings and code, where the first occurrence of each
    term becomes a link. Text is re-escaped on the way out; tags are copied as written (the input is the
    site's sanitised HTML), so nothing a writer typed can become markup."""

    def __init__(self, matcher: GlossaryMatcher, *, limit: int):
        super().__init__(convert_charrefs=True)
        self.matcher = matcher
        self.limit = limit
        self.out: list[str] = []
        self.stack: list[str] = []
        self.blocked = 0
        self.linked: set[int] = set()

    def handle_starttag(self, tag, attrs):
        self.out.append(self.get_starttag_text() or "")
        if tag in _VOID:
            return
        self.stack.append(tag)
        if tag in _NO_LINK_INSIDE:
            self.blocked += 1

    def handle_startendtag(self, tag, attrs):
        self.out.append(self.get_starttag_text() or "")

    def handle_endtag(self, tag):
        self.out.append(f"</{tag}>")
        if tag not in self.stack:
            return
        while self.stack:
            open_tag = self.stack.pop()
            if open_tag in _NO_LINK_INSIDE:
                self.blocked -= 1
            if open_tag == tag:
                break

    def handle_data(self, data):
        if self.blocked or len(self.linked) >= self.limit:
            self.out.append(html.escape(data, quote=False))
            return
        folded = _fold_text(data)
        position = 0
        for match in self.matcher.pattern.finditer(folded):
            target = self.matcher.target(match.group(0))
            if target is None or target.term_id in self.linked:
                continue
            self.linked.add(target.term_id)
            start, end = match.span()
            self.out.append(html.escape(data[position:start], quote=False))
            self.out.append(
                f'<a class="glossary-link" href="{html.escape(target.url)}" title="{html.escape(target.title)}">'
                f"{html.escape(data[start:end], quote=False)}</a>"
            )
            position = end
            if len(self.linked) >= self.limit:
                break
        self.out.append(html.escape(data[position:], quote=False))

    # Comments, doctype and processing instructions have no place in an article's body: dropped.
    def handle_comment(self, data):
        return None

    def handle_decl(self, decl):
        return None

    def handle_pi(self, data):
        return None

    def unknown_decl(self, data):
        return None


def glossary_link_html(*, html_text: str, version: int | None = None) -> str:
    """`html_text` with the first occurrence of each published, auto-linked term (or alias) linked to its page:
    whole words, case and accents folded, never inside a link, a heading or code, at most
    GLOSSARY_AUTOLINK_MAX links. Cached per (text, glossary version)."""
    if not html_text:
        return html_text
    version = glossary_version() if version is None else version
    limit = settings.GLOSSARY_AUTOLINK_MAX
    digest = hashlib.sha256(html_text.encode()).hexdigest()
    key = f"glossary:linked:{version}:{limit}:{digest}"
    linked = cache.get(key)
    if linked is not None:
        return linked
    matcher = glossary_matcher(version=version)
    if matcher is None:
        linked = html_text
    else:
        parser = _Linker(matcher, limit=limit)
        parser.feed(html_text)
        parser.close()
        linked = "".join(parser.out)
    cache.set(key, linked, _LINKED_TIMEOUT)
    return linked
