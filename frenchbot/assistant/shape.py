"""What an answer may look like: prose in the visitor's language, standing on what the model was given.

The leak guard (``guard.py``) recognises the rules when they are recited, as written or in a few encodings; a
model can always find another disguise (ROT13, a Caesar shift, HTML entities, letters spaced out, leetspeak,
Morse, a translation…). Rather than chase encodings, ``ShapeGate`` decides what an answer may be and lets out
only what passes, window by window, while it streams:

- **prose**: most of its tokens are words of French (or of English, for a visitor who writes in English), as
  the ``wordfreq`` package's offline word lists know them, or words of the passages and the conversation
  (names, brands, product terms), or numbers, prices, dates, citations and addresses in reasonable number;
- **in the visitor's language**: a French visitor gets French (English terms used in French pass, an English
  text does not);
- **grounded**: a fair share of its uncommon words (those that carry content) are found, stemmed, in the
  passages given to the model, the question and the conversation, or in what the bot says of itself.

Not caught (see ``docs/decisions.md``): a recital that *is* fluent, grounded prose in the visitor's language
(an acrostic, the rules paraphrased with the passages' own words, a translation for an English visitor without
the canary), or text hidden in the choice of otherwise normal words.
"""

from __future__ import annotations

import functools
import math
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from frenchbot.core.text import fold, french_analyze

from .prompt import COMPANY, NEXT_STEPS, TOPICS

# A word is a word of a language when its frequency there is at least this (Zipf scale: 1.8 is about two uses in
# a hundred million words). Lower, random strings of letters (ROT13 of French) start to match rare entries.
MIN_ZIPF = 1.8
# Words this frequent in their language are function words or everyday words: they carry no content and need
# not be found in the passages.
COMMON_ZIPF = 4.5
# A window is judged once it has MIN_TOKENS tokens and ends a sentence (or a line), or once it has MAX_TOKENS
# tokens or WINDOW_CHARS characters: what the visitor waits for before a word shows, and what a disguise may hide
# in before it is judged.
MIN_TOKENS = 8
MAX_TOKENS = 24
WINDOW_CHARS = 240
# Shares a judged window (and the whole answer so far) must reach.
PROSE_SHARE = 0.7
# At most this share of the words of a French answer may lean to English (its terms: prompt, workflow, no-code).
FOREIGN_SHARE = 0.4
# Of the content words of the answer so far (once there are GROUNDED_AFTER of them), at least this share is
# found in the passages, the conversation or the bot's own vocabulary; a window needs WINDOW_GROUNDED_SHARE.
GROUNDED_SHARE = 0.4
WINDOW_GROUNDED_SHARE = 0.25
GROUNDED_AFTER = 8

# What the bot says of itself whatever the passages (rules 3, 6 and 8, the refusals, the next steps): an answer
# made of it is grounded.
BOT_VOCABULARY = " ".join(
    [
        COMPANY,
        NEXT_STEPS,
        TOPICS,
        "The French Bot, assistant d'intelligence artificielle, ChatGPT, OpenAI, Claude, Anthropic, Mistral, Le "
        "Chat, Gemini, Copilot, Perplexity, Midjourney, DeepL, Make, Zapier, n8n, Notion, IA "
        "générative, bonjour, bonsoir, merci, revoir, bienvenue, ravi, volontiers, plaisir, aider, aide, "
        "question, réponse, répondre, contenus, site, article, articles, équipe, formation, audit, offert, "
        "rendez-vous, réserver, appel, reformuler, consignes, internes, partager, sujets, désolé, malheureusement, "
        "trouvé, information, informations, préciser, précisément, conseils, prompt, prompts, outils",
    ]
)

# Single letters that are words (« à », « a », « y ») or units (« 14 h », « 3 x 2 »): any other letter alone is a
# letter spelled out.
_SINGLE_WORDS = {"a", "à", "y", "ô", "h", "x"}
# Numbers written in words are numbers: common, whatever their frequency.
_NUMBER_WORDS = frozenset(
    re.split(
        r"\s+",
        "un une deux trois quatre cinq six sept huit neuf dix onze douze treize quatorze quinze seize vingt trente "
        "quarante cinquante soixante cent cents mille million millions milliard milliards moitié quart tiers "
        "one two three four five six seven eight nine ten eleven twelve twenty thirty forty fifty hundred thousand "
        "premier première deuxième troisième quatrième cinquième",
    )
)
# What an elision leaves before the apostrophe (« l' », « qu' », « jusqu' »).
_ELIDED = {"l", "d", "j", "m", "n", "s", "t", "c", "qu", "jusqu", "lorsqu", "puisqu", "quoiqu"}
_EDGE = "«»“”‘’\"'`*_~#>()[]{}<>,.;:!?…|"
_WORD = re.compile(r"[^\W\d_]+(?:['’\-][^\W\d_]+)*['’]?")
_MIXED = re.compile(r"[\w]+(?:[.\-'’/][\w]+)*")
_NUMBER = re.compile(
    r"[+\-−]?(?:\d{1,3}(?:[\u00a0\u202f .,]\d{3})+|\d{1,6})(?:[.,]\d{1,3})?"
    r"(?:%|€|\$|h\d{0,2}|min|e|er|re|ère|ème|es|k|m|x)?",
    re.IGNORECASE,
)
_URL = re.compile(r"(?:https?://|/)[\w\-./#?=&~+<>]*|[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+", re.IGNORECASE)
_SENTENCE_END = re.compile(r"[.!?…:;](?:[\"»”)\]*_]*)(?=\s)|\n")


# What the vocabulary keeps of a word: the language it leans to and whether it is common there, as the pair of
# (French, English) frequencies the checks compare. A small int per word: the lists' 205,000 words take some
# 20 MB instead of the 90 MB of their frequency tables.
_LEVELS = ((MIN_ZIPF, 0.0), (COMMON_ZIPF, 0.0), (0.0, MIN_ZIPF), (0.0, COMMON_ZIPF))


@functools.cache
def _vocabulary() -> dict[str, int]:
    """Words of French and English (an index into ``_LEVELS``), from ``wordfreq``'s lists shipped in the package
    (no download). Loaded by the first answer of a process, off the event loop: 0.5 to 2.5 seconds."""
    import wordfreq

    french = wordfreq.get_frequency_dict("fr")
    english = wordfreq.get_frequency_dict("en")
    words: dict[str, int] = {}
    for word in french.keys() | english.keys():
        zipf_fr = math.log10(french[word]) + 9 if word in french else 0.0
        zipf_en = math.log10(english[word]) + 9 if word in english else 0.0
        if max(zipf_fr, zipf_en) >= MIN_ZIPF:
            words[word] = (0 if zipf_fr >= zipf_en else 2) + (max(zipf_fr, zipf_en) >= COMMON_ZIPF)
    # wordfreq keeps its tables cached: what we need is above.
    wordfreq.get_frequency_dict.cache_clear()
    wordfreq.get_frequency_list.cache_clear()
    return words


def vocabulary_load() -> None:
    """Load the word lists now (a worker at start-up), rather than at the first answer."""
    _vocabulary()


_MARKDOWN_LINK = re.compile(r"\[([^\]\n]*)\]\(([^)\s]*)\)")


def _clean(text: str) -> str:
    # Compatibility forms (full-width, mathematical letters) read as the letters they draw; invisible characters
    # (zero-width spaces, soft hyphens) slipped inside words are dropped; a Markdown link is its text and its
    # address, apart.
    text = _MARKDOWN_LINK.sub(r" \1 \2 ", unicodedata.normalize("NFKC", text))
    return "".join(c for c in text if unicodedata.category(c) != "Cf")


def _lookup(word: str) -> tuple[float, float] | None:
    words = _vocabulary()
    lower = word.lower().replace("’", "'")
    level = words.get(lower, words.get(lower.rstrip("'")))
    return None if level is None else _LEVELS[level]


@dataclass
class Counts:
    """What a stretch of answer is made of."""

    tokens: int = 0  # every token that counts (punctuation and list markers do not)
    known: int = 0  # words of an allowed language or of the grounds, numbers in reason, addresses
    french: int = 0  # known words more frequent in French than in English
    english: int = 0  # ...and the other way round
    content: int = 0  # uncommon words: they carry what the answer says
    grounded: int = 0  # ...of which found in the grounds

    def add(self, other: Counts) -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))


class Grounds:
    """The words an answer may stand on: the passages, the question and the conversation, the bot's own."""

    def __init__(self, texts: Iterable[str]) -> None:
        text = _clean(" ".join([BOT_VOCABULARY, *texts]))
        self.folded = fold(text)
        self.words = {fold(token) for token in _MIXED.findall(text)}
        self.stems = set(french_analyze(text))

    def has(self, word: str) -> bool:
        folded = fold(word)
        if folded in self.words:
            return True
        stems = french_analyze(folded)
        return bool(stems) and all(stem in self.stems for stem in stems)


def _word_counts(word: str, grounds: Grounds, counts: Counts) -> None:
    """Count one token made of letters (with elisions and hyphens)."""
    counts.tokens += 1
    lower = word.lower()
    if len(lower) == 1:
        counts.known += lower in _SINGLE_WORDS
        return
    frequencies = _lookup(word)
    if frequencies is None:
        # « l'assistant », « peut-être » written apart, « e-mail »: each part must be a word.
        parts = [part for part in re.split(r"['’\-]", lower) if part]
        found = [_lookup(part) for part in parts]
        if all(f is not None or p in _ELIDED for f, p in zip(found, parts, strict=True)):
            known = [f for f, p in zip(found, parts, strict=True) if f is not None and p not in _ELIDED]
            frequencies = max(known, key=max) if known else (7.0, 0.0)
    in_grounds = grounds.has(word)
    if frequencies is None:
        if in_grounds:
            # A name, a brand or a term of the passages: known, and content that stands on them.
            counts.known += 1
            counts.content += 1
            counts.grounded += 1
        return
    counts.known += 1
    french, english = frequencies
    # A word of the passages or of the question is not foreign to the answer: a name (« The French Bot »), a term,
    # a prompt example quoted in English.
    if not in_grounds:
        if french >= english:
            counts.french += 1
        else:
            counts.english += 1
    if max(french, english) < COMMON_ZIPF and len(lower) > 2 and lower not in _NUMBER_WORDS:
        counts.content += 1
        counts.grounded += in_grounds


def counts_of(text: str, grounds: Grounds) -> Counts:
    """Classify each whitespace-separated token of ``text``."""
    counts = Counts()
    numbers = 0
    words = 0
    for raw in _clean(text).split():
        token = raw.strip(_EDGE)
        if not token:
            # Punctuation and Markdown on their own; a long run of symbols (Morse, a dingbat soup) is not prose.
            if len(raw) > 3:
                counts.tokens += 1
            continue
        if _WORD.fullmatch(token):
            words += 1
            _word_counts(token, grounds, counts)
        elif _NUMBER.fullmatch(token) and not re.fullmatch(r"0\d+|[01]{5,}", token):
            # Numbers, prices, dates and hours, in the measure of the words around them: a text made of numbers
            # (character codes) is not an answer.
            numbers += 1
        elif _URL.fullmatch(token) and len(token) <= 150 and token.count("%") <= 3:
            counts.tokens += 1
            counts.known += 1
        elif re.fullmatch(r"[a-zA-Z]?[.)]|\d{1,2}[.)]|[-–—•*+/=&%€$]", token):
            continue  # a list marker or a sign
        else:
            # Letters mixed with digits or symbols: a product name of the passages (GPT-4o, n8n, Make.com) or
            # something encoded (leetspeak, entities, escapes, base64).
            # A piece of code or a formula the passages show is quoted, not encoded.
            if fold(token) in grounds.words or (len(token) > 3 and fold(token) in grounds.folded):
                counts.tokens += 1
                counts.known += 1
            else:
                # Weighed by its length: one run of entities or base64 is not one word but a whole sentence.
                counts.tokens += 1 + len(token) // 12
    counts.known += min(numbers, words + 2)
    counts.tokens += numbers
    return counts


def visitor_languages(question: str) -> frozenset[str]:
    """French always; English too when the visitor writes in English."""
    counts = counts_of(question, Grounds(()))
    return frozenset({"fr", "en"} if counts.english > counts.french else {"fr"})


@dataclass(frozen=True)
class Verdict:
    ok: bool
    reason: str = ""


def judge(counts: Counts, *, languages: frozenset[str], whole: bool) -> Verdict:
    """Whether a window (``whole``: the answer so far) reads as a grounded answer in an allowed language."""
    if counts.tokens >= 3 and counts.known < PROSE_SHARE * counts.tokens:
        return Verdict(False, "not prose")
    leaning = counts.french + counts.english
    if "en" not in languages and leaning >= 6 and counts.english > FOREIGN_SHARE * leaning:
        return Verdict(False, "not in the visitor's language")
    # Grounding is measured on French: an English answer translates French passages, its words are not theirs.
    if counts.english <= counts.french:
        share, least = (GROUNDED_SHARE, GROUNDED_AFTER) if whole else (WINDOW_GROUNDED_SHARE, 5)
        if counts.content >= least and counts.grounded < share * counts.content:
            return Verdict(False, "not grounded")
    return Verdict(True)


class ShapeGate:
    """Judges a streaming answer window by window; ``cleared`` is how far it may be shown.

    ``advance(text)`` with the whole text so far judges every window that is complete; ``finish(text)`` judges
    the rest at the end. Both return False as soon as a window (or the answer as a whole) fails; ``reason`` says
    why.
    """

    def __init__(self, *, grounds: Iterable[str] = (), question: str = "") -> None:
        self.grounds = Grounds([question, *grounds])
        self.languages = visitor_languages(question)
        self.cleared = 0
        self.total = Counts()
        self.reason = ""

    def _boundary(self, text: str) -> int | None:
        pending = text[self.cleared :]
        for match in _SENTENCE_END.finditer(pending):
            if len(pending[: match.end()].split()) >= MIN_TOKENS:
                return self.cleared + match.end()
        words = pending.split()
        if len(words) > MAX_TOKENS:
            # The end of the MAX_TOKENS-th token.
            end = 0
            for word in words[:MAX_TOKENS]:
                end = pending.index(word, end) + len(word)
            return self.cleared + end
        if len(pending) > WINDOW_CHARS:
            cut = pending.rfind(" ", 0, WINDOW_CHARS)
            return self.cleared + (cut if cut > 0 else WINDOW_CHARS)
        return None

    def _judge(self, window: str) -> bool:
        counts = counts_of(window, self.grounds)
        self.total.add(counts)
        for part, whole in ((counts, False), (self.total, True)):
            verdict = judge(part, languages=self.languages, whole=whole)
            if not verdict.ok:
                self.reason = verdict.reason
                return False
        return True

    def advance(self, text: str) -> bool:
        while (end := self._boundary(text)) is not None:
            if not self._judge(text[self.cleared : end]):
                return False
            self.cleared = end
        return True

    def finish(self, text: str) -> bool:
        rest = text[self.cleared :]
        if rest.strip() and not self._judge(rest):
            return False
        self.cleared = len(text)
        return True
