"""Spelling correction for the site search: the words of the site's public passages are its dictionary.

A query word whose stem the index does not know (« hallucinaton ») is replaced by the closest word of the
site (« hallucination »), found through a symmetric-deletion index (SymSpell's idea): every dictionary word
is stored under the strings obtained by deleting up to two letters of its beginning, and a query word is
looked up under its own deletions, so that no distance is computed but for a handful of candidates.

The dictionary is built once per index version and process (like the vector matrices in `selectors`), from
public documents only: a correction must not reveal a word that only a training's learners may read.
"""

import re
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import combinations

from django.conf import settings

from frenchbot.core.text import FRENCH_STOP_WORDS, fold, french_analyze
from frenchbot.core.versions import shared_version

from .models import Chunk, Visibility
from .services import VERSION_KEY

_WORD_RE = re.compile(r"[^\W\d_]+", re.UNICODE)
# Deletions are taken from a word's first letters only: a typo near the end is still found, through the
# full-distance check that follows, and the index stays a few times the size of the dictionary.
PREFIX = 7
# Shorter words are never corrected: « ia », « rh » would turn into anything.
MIN_LENGTH = 4


def max_distance(word: str) -> int:
    """How many edits a word of this length may be away from its correction."""
    if len(word) < MIN_LENGTH:
        return 0
    return 1 if len(word) < 8 else 2


@lru_cache(maxsize=20000)
def stem(word: str) -> str:
    tokens = french_analyze(word)
    return tokens[0] if tokens else ""


def distance(a: str, b: str, limit: int) -> int:
    """Damerau-Levenshtein distance (adjacent transpositions count one), or limit + 1 when above `limit`."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous_previous: list[int] = []
    previous = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                current[j] = min(current[j], previous_previous[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous_previous, previous = previous, current
    return previous[-1]


def _deletions(word: str, depth: int) -> set[str]:
    prefix = word[:PREFIX]
    found = {prefix}
    for count in range(1, depth + 1):
        for positions in combinations(range(len(prefix)), count):
            found.add("".join(c for i, c in enumerate(prefix) if i not in positions))
    return found


@dataclass
class Dictionary:
    version: int
    # When the index version was last compared with this one's (monotonic clock).
    checked_at: float = 0.0
    # Folded word → how often it occurs, and the form to show (accents kept, as the site writes it most).
    counts: Counter = field(default_factory=Counter)
    shown: dict[str, str] = field(default_factory=dict)
    stems: set[str] = field(default_factory=set)
    deletions: dict[str, list[str]] = field(default_factory=dict)
    _raw: Counter = field(default_factory=Counter)

    def add_text(self, text: str) -> None:
        # Counted as written first: folding each distinct word once, not each occurrence, is what keeps a
        # large site's rebuild short.
        self._raw.update(_WORD_RE.findall(text.lower()))

    def finish(self) -> None:
        best: dict[str, int] = {}
        for lower, count in self._raw.items():
            folded = fold(lower)
            if len(folded) < MIN_LENGTH or folded in FRENCH_STOP_WORDS:
                continue
            self.counts[folded] += count
            if count > best.get(folded, 0):
                best[folded] = count
                self.shown[folded] = lower
        self._raw = Counter()
        for word in self.counts:
            self.stems.add(stem(word))
            for key in _deletions(word, max_distance(word)):
                self.deletions.setdefault(key, []).append(word)

    def knows(self, word: str) -> bool:
        """The index can match this word: one of the site's words has its stem."""
        return stem(word) in self.stems

    def closest(self, word: str) -> str | None:
        """The site's word nearest to `word` (fewest edits, then the most frequent), or None."""
        limit = max_distance(word)
        if not limit:
            return None
        candidates: set[str] = set()
        for key in _deletions(word, limit):
            candidates.update(self.deletions.get(key, ()))
        best: tuple[int, int, str] | None = None
        for candidate in candidates:
            edits = distance(word, candidate, min(limit, max_distance(candidate)))
            if edits > min(limit, max_distance(candidate)) or edits == 0:
                continue
            rank = (edits, -self.counts[candidate], candidate)
            if best is None or rank < best:
                best = rank
        return best[2] if best else None


_dictionaries: dict[str, Dictionary] = {}
_lock = threading.Lock()


def dictionary(*, collection: str = "site") -> Dictionary:
    """The collection's public words, rebuilt when the index changed, at most every
    SEARCH_SPELLING_REFRESH_SECONDS: a word added a few minutes ago is not yet corrected towards, which costs
    little, whereas rebuilding after every saved article would cost each process a pause (under a second at
    10,000 documents, bench/search_latency.py)."""
    current = _dictionaries.get(collection)
    # Within the refresh delay of the last look, the index version is not even read: one query less per search.
    if (
        current is not None
        and time.monotonic() - current.checked_at < settings.SEARCH_SPELLING_REFRESH_SECONDS
    ):
        return current
    version = shared_version(VERSION_KEY)
    if current is not None and current.version == version:
        current.checked_at = time.monotonic()
        return current
    with _lock:
        current = _dictionaries.get(collection)
        if current is not None and current.version == version:
            return current
        built = Dictionary(version=version, checked_at=time.monotonic())
        rows = Chunk.objects.filter(
            document__collection=collection, document__visibility=Visibility.PUBLIC
        ).values_list("document__title", "heading", "text")
        seen_titles: set[str] = set()
        for title, heading, text in rows.iterator(chunk_size=2000):
            if title not in seen_titles:
                seen_titles.add(title)
                built.add_text(title)
            built.add_text(heading)
            built.add_text(text)
        built.finish()
        _dictionaries[collection] = built
        return built


@dataclass(frozen=True)
class Correction:
    """The query as corrected, and whether any word changed."""

    text: str
    changed: bool


def query_correct(query: str, *, collection: str = "site") -> Correction:
    """The query with each word the index does not know replaced by the site's closest word; other words,
    spaces and punctuation are kept as typed."""
    words = dictionary(collection=collection)
    changed = False
    parts: list[str] = []
    last = 0
    for match in _WORD_RE.finditer(query):
        word = match.group(0)
        folded = fold(word)
        replacement = None
        if len(folded) >= MIN_LENGTH and folded not in FRENCH_STOP_WORDS and not words.knows(folded):
            closest = words.closest(folded)
            if closest is not None:
                replacement = words.shown[closest]
        parts.append(query[last : match.start()])
        parts.append(replacement or word)
        changed = changed or replacement is not None
        last = match.end()
    parts.append(query[last:])
    return Correction(text="".join(parts), changed=changed)
