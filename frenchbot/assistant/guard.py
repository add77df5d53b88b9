"""What leaves the server from the model: never our instructions, never a link or an image elsewhere.

Two checks, both on the server side, whatever the model was persuaded to do:

- ``LeakGuard`` watches the answer while it streams and holds back its last characters; as soon as the answer
  contains the prompt's canary or recites a run of words of the rules (also disguised: punctuated, spelled out,
  backwards, in base64), the stream is cut before that text is sent. A model that truly translates or paraphrases
  the rules without the canary is not caught: the rules hold nothing secret, the canary is the tripwire.
- ``ShapeGate`` (``shape.py``) lets the answer out only window by window, as each window reads as prose in the
  visitor's language standing on the passages: a recital in a disguise the first check does not know (ROT13,
  entities, letters spaced out, a translation…) fails it and is withheld, whatever the encoding.
- ``answer_html`` renders the final answer: safe Markdown, no images (an image URL is a way to send data out),
  and links only to this site (a link elsewhere is shown as its text).
"""

import base64
import binascii
import re
import unicodedata
from collections.abc import Iterable
from urllib.parse import urlsplit

import nh3
from django.conf import settings

from frenchbot.core.text import render_markdown

from .prompt import CANARY, PUBLIC_PHRASES, SYSTEM_PROMPT
from .shape import ShapeGate

# Runs of this many words of the rules in an answer mean it is reciting them.
SHINGLE = 7
# Characters held back from the client until the guard has seen what follows them: more than a run of SHINGLE
# words, so that no such run leaves before it is recognised.
HOLD_BACK = 80
# The end of the answer the guard examines again at each delta: longer than any run of SHINGLE words, even
# disguised (a run seen whole once is caught then), so that checking a long answer costs no more per delta.
WINDOW = 600

# A word is its letters (with an elision: "l'audit"), accents and case folded. Splitting on spaces alone let a
# model asked for its rules "en gras", "mot par mot, numérotés" or with other punctuation through: "**vous**",
# "1." and "formations," are not words of the rules, and no run of them matched.
_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)*")
_NOT_ALNUM = re.compile(r"[\W_]+")
# Base64 as a model writes it: one run, or lines of it.
_BASE64_RUN = re.compile(r"[A-Za-z0-9+/=_-]+(?:[ \t]*\r?\n[ \t]*[A-Za-z0-9+/=_-]+)*")


def _normal(text: str) -> str:
    """Accents and case folded, compatibility forms unified, and invisible characters (zero-width spaces and
    joiners, soft hyphens) dropped: slipped inside a word or the canary, they hid it. Character by character, so
    the normal form of an answer is the normal forms of its deltas put end to end."""
    text = unicodedata.normalize("NFKD", text)
    if not text.isascii():
        text = "".join(c for c in text if not unicodedata.combining(c) and unicodedata.category(c) != "Cf")
    return text.lower().replace("\u2019", "'")


def _shingles(words: list[str]) -> set[tuple[str, ...]]:
    return {tuple(words[i : i + SHINGLE]) for i in range(len(words) - SHINGLE + 1)}


# The next steps of rule 3 are dictated word for word, and what the company does is on every page: an answer
# that says them obeys the rules, it does not recite them (without this, every honest "je ne sais pas" from a
# model, and every answer to "que faites-vous ?", was withheld as a leak).
_RULE_SHINGLES = _shingles(_WORD.findall(_normal(SYSTEM_PROMPT)))
for _phrase in PUBLIC_PHRASES:
    _RULE_SHINGLES -= _shingles(_WORD.findall(_normal(_phrase)))
# Written backwards, word by word or letter by letter, a run of the rules is still theirs.
_FORBIDDEN = (
    _RULE_SHINGLES
    | {shingle[::-1] for shingle in _RULE_SHINGLES}
    | {tuple(word[::-1] for word in shingle[::-1]) for shingle in _RULE_SHINGLES}
)
_CANARY_KEY = _NOT_ALNUM.sub("", _normal(CANARY))
_CANARY_KEYS = (_CANARY_KEY, _CANARY_KEY[::-1])


def _base64_decoded(text: str) -> list[str]:
    decoded = []
    for match in _BASE64_RUN.finditer(text):
        run = re.sub(r"[\s=]", "", match.group()).replace("-", "+").replace("_", "/")
        if len(run) < 16:
            continue
        # The run may start with a word glued to the encoding, or mid-way (a window): try the four alignments.
        for shift in range(4):
            piece = run[shift:]
            try:
                decoded.append(base64.b64decode(piece[: len(piece) // 4 * 4]).decode("utf-8", "ignore"))
            except (binascii.Error, ValueError):
                continue
    return decoded


def _reveals_plainly(normal: str) -> bool:
    letters = _NOT_ALNUM.sub("", normal)
    if any(key in letters for key in _CANARY_KEYS):
        return True
    return bool(_shingles(_WORD.findall(normal)) & _FORBIDDEN)


def _reveals(text: str, normal: str) -> bool:
    """``text`` (``normal`` is its normal form) shows the canary or a run of SHINGLE words of the rules: as
    written, spelled out or spread with punctuation, Markdown, numbering or invisible characters, backwards
    (letters or words), or in base64."""
    if _reveals_plainly(normal):
        return True
    return any(_reveals_plainly(_normal(hidden)) for hidden in _base64_decoded(text))


class LeakGuard:
    """Feed it the deltas; it returns what may be sent now, and says when the answer must be cut.

    ``grounds`` (the passages, the conversation) and ``question`` are what the answer's shape is judged against;
    ``shape=False`` keeps only the recital check (ASSISTANT_SHAPE_GUARD). ``withheld`` says why an answer was
    cut: ``"recital"`` (it showed the rules or the canary) or ``"shape"`` (it did not read as an answer).
    """

    def __init__(self, *, grounds: Iterable[str] = (), question: str = "", shape: bool = True) -> None:
        self.text = ""
        self.normal = ""
        self.sent = 0
        self.tripped = False
        self.withheld = ""
        self.shape = ShapeGate(grounds=grounds, question=question) if shape else None

    def _trip(self, why: str) -> str:
        self.tripped, self.withheld = True, why
        return ""

    def feed(self, delta: str) -> str:
        if self.tripped:
            return ""
        self.text += delta
        self.normal += _normal(delta)
        # Only the end can hold what the last delta completed: examining the whole answer each time made a long
        # answer cost quadratic time in the event loop.
        if _reveals(self.text[-WINDOW:], self.normal[-WINDOW:]):
            return self._trip("recital")
        limit = len(self.text) - HOLD_BACK
        if self.shape is not None:
            if not self.shape.advance(self.text):
                return self._trip("shape")
            # Nothing leaves before the window it belongs to has been judged.
            limit = min(limit, self.shape.cleared)
        safe_until = max(self.sent, limit)
        out, self.sent = self.text[self.sent : safe_until], safe_until
        return out

    def flush(self) -> str:
        if self.tripped:
            return ""
        if self.shape is not None and not self.shape.finish(self.text):
            return self._trip("shape")
        out, self.sent = self.text[self.sent :], len(self.text)
        return out


_TAGS = {"p", "br", "strong", "em", "del", "code", "pre", "blockquote", "ul", "ol", "li", "a", "h3", "h4"}


def _own_site(url: str) -> bool:
    parts = urlsplit(url)
    if not parts.scheme and not parts.netloc:
        return url.startswith("/") and not url.startswith("//")
    site = urlsplit(settings.SITE_URL)
    return parts.scheme in {"http", "https"} and parts.netloc == site.netloc


def _keep_attribute(tag: str, attribute: str, value: str) -> str | None:
    if tag == "a" and attribute == "href":
        return value if _own_site(value) else None
    return value


def answer_html(text: str) -> str:
    """The answer's Markdown as HTML fit to show: a strict allow-list, links to this site only."""
    return nh3.clean(
        render_markdown(text),
        tags=_TAGS,
        attributes={"a": {"href"}},
        attribute_filter=_keep_attribute,
        url_schemes={"http", "https"},
        link_rel="noopener noreferrer nofollow",
    )
