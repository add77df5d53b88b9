"""The site search (/recherche/): the bot's hybrid retrieval, one result per document, grouped by type,
with the matched words highlighted and the query's typos corrected."""

import functools
import hashlib
import re
import secrets
import time
import unicodedata
from dataclasses import dataclass, field

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.utils import translation
from django.utils.html import escape
from django.utils.module_loading import import_string
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from frenchbot.core.text import fold

from .embedders import EmbedderError, get_embedder
from .models import Chunk, Visibility
from .registry import sources
from .selectors import MAX_QUERY_LENGTH, RankedPassage, search_hits, search_ranked, search_results_kept
from .spelling import query_correct, stem

# Passages asked of the retrieval for one search: one document often brings several, and the total shown
# is the number of distinct documents among them.
POOL = 200
SNIPPET_CHARS = 220
_WORD_RE = re.compile(r"[^\W_]+", re.UNICODE)
# Control characters (line breaks included) and unpaired surrogates become spaces: they are never words.
_NOT_TEXT_RE = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")


@dataclass(frozen=True)
class SiteHit:
    """One document found, through its best passage."""

    source: str
    label: str
    title: SafeString
    url: str
    heading: str
    snippet: SafeString
    score: float


@dataclass
class SiteGroup:
    source: str
    label: str
    hits: list[SiteHit] = field(default_factory=list)


@dataclass(frozen=True)
class Facet:
    source: str
    label: str
    count: int
    selected: bool


@dataclass
class SiteSearchResult:
    query: str = ""
    # The query as typed, when a corrected query was searched in its place.
    typed: str = ""
    error: str = ""
    total: int = 0
    groups: list[SiteGroup] = field(default_factory=list)
    facets: list[Facet] = field(default_factory=list)
    page: Page | None = None
    types: tuple[str, ...] = ()
    # Names this result while it is kept (`site_search`), so that the page can keep its rendered list with it;
    # empty for a result made afresh each time.
    stamp: str = ""
    page_number: int = 1

    @property
    def corrected(self) -> bool:
        return bool(self.typed)


def query_clean(raw: str) -> str:
    """What a query may hold: printable text on one line, NFC, spaces collapsed."""
    text = _NOT_TEXT_RE.sub(" ", unicodedata.normalize("NFC", raw or ""))
    return re.sub(r"\s+", " ", text).strip()


@functools.cache
def _providers(paths: tuple[str, ...]) -> tuple:
    return tuple(import_string(path) for path in paths)


def search_visibilities(user) -> tuple[str, ...]:
    """What a person may find: public documents, and the lessons of the trainings they follow, as the apps
    listed in ASSISTANT_VISIBILITY_PROVIDERS grant them (by dotted path: retrieval imports no app). Staff notes
    stay out of the public search, even for the team."""
    values = [Visibility.PUBLIC.value]
    if user is not None and user.is_authenticated:
        for provider in _providers(tuple(settings.ASSISTANT_VISIBILITY_PROVIDERS)):
            values.extend(
                value for value in provider(user) if value not in values and value != Visibility.STAFF
            )
    return tuple(values)


def _labels() -> dict[str, str]:
    return {source.name: str(source.label or source.name) for source in sources()}


@functools.lru_cache(maxsize=50000)
def _word_stem(word: str) -> str:
    """A word's stem as the index has it. Highlighting stems every word of every shown passage, and a site's
    vocabulary is small: once per word and process."""
    return stem(fold(word))


def _marks(text: str, stems: set[str]) -> list[tuple[int, int]]:
    return [
        match.span()
        for match in _WORD_RE.finditer(text)
        if len(match.group(0)) > 1 and _word_stem(match.group(0)) in stems
    ]


def highlight(text: str, stems: set[str], *, limit: int | None = None) -> SafeString:
    """`text` escaped, its words whose stem is among `stems` in <mark>; with `limit`, cut to about that many
    characters around the densest run of matches, with an ellipsis where it was cut."""
    marks = _marks(text, stems)
    start, end = 0, len(text)
    if limit is not None and len(text) > limit:
        if marks:
            # The window that holds the most matches, starting a little before its first one.
            best = max(
                range(len(marks)),
                key=lambda i: sum(1 for s, _e in marks[i:] if s < marks[i][0] + limit),
            )
            start = max(0, marks[best][0] - limit // 4)
        end = min(len(text), start + limit)
        # Whole words only.
        if start > 0:
            space = text.find(" ", start, start + 30)
            if space != -1 and space < _first_mark_from(marks, start):
                start = space + 1
        if end < len(text):
            space = text.rfind(" ", start, end)
            end = space if space > start else end
    parts = ["…" if start > 0 else ""]
    cursor = start
    for s, e in marks:
        if s < start or e > end:
            continue
        parts.append(escape(text[cursor:s]))
        parts.append(f"<mark>{escape(text[s:e])}</mark>")
        cursor = e
    parts.append(escape(text[cursor:end]))
    parts.append("…" if end < len(text) else "")
    return mark_safe("".join(parts))  # noqa: S308 - every piece of text above is escaped


def _first_mark_from(marks: list[tuple[int, int]], start: int) -> int:
    """Where the first match at or after `start` begins (beyond any text when none)."""
    return next((s for s, _e in marks if s >= start), 1 << 30)


@functools.lru_cache(maxsize=1024)
def _query_vector_of(model_id: str, query: str):
    vector = get_embedder().embed_query(query)
    vector.flags.writeable = False  # shared by every search of the same words in this process
    return vector


def _query_vector(query: str):
    """The query's vector, embedded once per model, wording and process: embedding is most of a search's CPU
    time, and visitors search the same few words again and again. None when semantic search is off or the
    embedder fails (the search then says why, and answers from words alone)."""
    if not settings.RETRIEVAL_SEMANTIC:
        return None
    try:
        embedder = get_embedder()
        return _query_vector_of(embedder.model_id, query)
    except EmbedderError:
        return None


@dataclass(frozen=True)
class _Found:
    """A document found, through its best passage, before that passage is read."""

    passage: RankedPassage
    source: str


def _documents(query: str, *, visibilities: tuple[str, ...], collection: str) -> list[_Found]:
    """The best passage of each document found, best first. Only which document and type each passage belongs
    to is read here, in one query: the passages themselves are read for the page shown (`search_hits`)."""
    ranked = search_ranked(
        query=query,
        collection=collection,
        visibilities=visibilities,
        limit=POOL,
        query_vector=_query_vector(query),
    )
    owners = {
        chunk_id: (document_id, source)
        for chunk_id, document_id, source in Chunk.objects.filter(
            pk__in=[passage.chunk_id for passage in ranked]
        ).values_list("pk", "document_id", "document__source")
    }
    seen: set[int] = set()
    best = []
    for passage in ranked:
        owner = owners.get(passage.chunk_id)
        if owner is not None and owner[0] not in seen:
            seen.add(owner[0])
            best.append(_Found(passage=passage, source=owner[1]))
    return best


def site_search(
    *,
    query: str,
    visibilities: tuple[str, ...] = (Visibility.PUBLIC,),
    types: tuple[str, ...] = (),
    page: int | str = 1,
    exact: bool = False,
    collection: str = "site",
) -> SiteSearchResult:
    """Search the site as a visitor does: one hit per document (its best passage, matched words in <mark>),
    the page's hits grouped by type with the best group first, counts per type for the filters.

    Never raises on what a visitor types: an empty query gives an empty result, an over-long one an `error`
    in French (and the query cut to the longest allowed). A word the index does not know is corrected to the
    site's closest word unless `exact`; `typed` then holds the query as typed.

    The result is kept in this process until the index changes (`search_results_kept`): the same words searched
    again cost a lookup.
    """
    cleaned = query_clean(query)
    result = SiteSearchResult(query=cleaned[:MAX_QUERY_LENGTH], types=tuple(types))
    if not cleaned:
        return result
    if len(cleaned) > MAX_QUERY_LENGTH:
        result.error = _(
            "Votre recherche est trop longue (%(n)d caractères, %(max)d au plus) : gardez quelques mots-clés."
        ) % {"n": len(cleaned), "max": MAX_QUERY_LENGTH}
        return result
    types = tuple(types)
    made: list[SiteSearchResult] = []

    def make() -> SiteSearchResult | None:
        made.append(
            _site_search(
                result,
                cleaned=cleaned,
                visibilities=visibilities,
                types=types,
                page=page,
                exact=exact,
                collection=collection,
            )
        )
        # Words alone because the query could not be embedded (the embedder failed): not kept, so that the
        # next search of these words gets the meaning side again.
        if settings.RETRIEVAL_SEMANTIC and _query_vector(made[0].query) is None:
            return None
        made[0].stamp = f"{time.time_ns()}-{secrets.token_hex(4)}"
        return made[0]

    key = repr((cleaned, visibilities, types, str(page), exact, translation.get_language()))
    kept = search_results_kept(
        collection=collection, key=hashlib.blake2b(key.encode(), digest_size=16).hexdigest(), make=make
    )
    result = kept if kept is not None else made[0]
    result.page = Paginator(range(result.total), settings.SEARCH_PAGE_SIZE).get_page(result.page_number)
    return result


def _site_search(
    result: SiteSearchResult,
    *,
    cleaned: str,
    visibilities: tuple[str, ...],
    types: tuple[str, ...],
    page: int | str,
    exact: bool,
    collection: str,
) -> SiteSearchResult:
    searched = cleaned
    if not exact:
        correction = query_correct(cleaned, collection=collection)
        if correction.changed:
            searched, result.typed = correction.text, cleaned
    found = _documents(searched, visibilities=visibilities, collection=collection)
    result.query = searched
    labels = _labels()
    counts: dict[str, int] = {}
    for hit in found:
        counts[hit.source] = counts.get(hit.source, 0) + 1
    result.facets = [
        Facet(source=name, label=labels.get(name, name), count=count, selected=name in types)
        for name, count in sorted(counts.items(), key=lambda item: (-item[1], labels.get(item[0], item[0])))
    ]
    if types:
        found = [hit for hit in found if hit.source in types]
    result.total = len(found)
    paginator = Paginator(found, settings.SEARCH_PAGE_SIZE)
    result.page = paginator.get_page(page)
    stems = {stem(fold(word)) for word in _WORD_RE.findall(searched)} - {""}
    groups: dict[str, SiteGroup] = {}
    for hit in search_hits(ranked=[found.passage for found in result.page.object_list]):
        document = hit.chunk.document
        group = groups.setdefault(
            document.source,
            SiteGroup(source=document.source, label=labels.get(document.source, document.source)),
        )
        group.hits.append(
            SiteHit(
                source=document.source,
                label=group.label,
                title=highlight(document.title, stems),
                url=hit.url,
                heading=hit.chunk.heading,
                snippet=highlight(hit.chunk.text, stems, limit=SNIPPET_CHARS),
                score=hit.score,
            )
        )
    # Dict order is the order of each group's best hit: the group that answers best comes first.
    result.groups = list(groups.values())
    # The page's place among the pages is all that is shown of it, and all that is kept of it: a Paginator
    # carries lazy translations, which cost more to unpickle than the rest of the result.
    result.page_number = result.page.number
    result.page = None
    return result
