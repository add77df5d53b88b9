"""The contract of one intent: what a visitor may mean by a message, with the examples that teach it and the reply
the bot gives without searching the content.

An intent is one data file (`data/<name>.toml`: examples, replies, next steps) and, when its reply needs more than
text (the trainings of the catalogue, say), one module beside this file with its subclass. ``registry.py`` puts
them together.
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from frenchbot.core.datafiles import (
    DataFileError,
    datafile_name,
    keys_only,
    tables_get,
    texts_get,
    toml_read,
    value_get,
)
from frenchbot.core.text import french_typography

DATA_DIR = Path(__file__).resolve().parent / "data"

# « la première », « le deuxième », « la dernière » — of a list the bot has just given — but not « la première
# session » or « la dernière fois », which point at something else.
_POSITION_RE = re.compile(
    r"\b(?:la|le|l['’])\s*(premi[eè]re?|1(?:er|re|ère)|deuxi[eè]me|2(?:e|ème|nde?)|seconde?|troisi[eè]me|"
    r"3(?:e|ème)|derni[eè]re?)\b"
    r"(?!\s+(?:session|fois|s[ée]ance|[ée]tape|le[çc]on|module|partie|semaine|jour|mois|ann[ée]e|heure))",
    re.IGNORECASE,
)


def list_position(text: str) -> int | None:
    """The place in a list that `text` points to (0 for « la première », -1 for « la dernière »), or None."""
    found = _POSITION_RE.search(text)
    if found is None:
        return None
    word = found.group(1).lower()
    if word.startswith(("premi", "1")):
        return 0
    if word.startswith(("deux", "2", "second")):
        return 1
    if word.startswith(("trois", "3")):
        return 2
    return -1


@dataclass(frozen=True)
class Reply:
    """What the bot says for an intent: French text (Markdown), the next steps offered under it (links) and
    the actions the visitor can carry out in the chat (``assistant.actions``: slots to book, a form…)."""

    text: str
    suggestions: list[dict] = field(default_factory=list)
    actions: list[dict] = field(default_factory=list)


@dataclass(frozen=True)
class TurnContext:
    """What an intent's reply may need to know of the turn: the visitor's time zone (slots are shown in it), and
    the message read with the one it follows when it is a short follow-up (« Et elle dure combien de temps ? »
    after a question naming a training), so that the reply keeps its subject."""

    timezone: str = "Europe/Paris"
    subject: str = ""


class Intent:
    """One thing a visitor may want.

    Attributes:
        name: the data file's name, and what the classifier answers.
        examples: messages that mean it, in French as visitors type them (the classifier's nearest neighbours).
        answers_itself: True when the bot replies without searching the content (small talk, actions); False for
            the one intent whose messages retrieval answers (``question``).
        small_talk: True for courtesy (hello, thanks, goodbye, who are you): a generative model, when one is
            configured, writes the reply in its own words; the written replies are its guide and its fallback.
    """

    answers_itself = True

    def __init__(
        self,
        *,
        name: str,
        examples: list[str],
        replies: list[str],
        suggestions: list[dict],
        small_talk: bool = False,
    ):
        self.name = name
        self.examples = examples
        self.replies = replies
        self.suggestions = suggestions
        self.small_talk = small_talk

    @classmethod
    def from_file(cls, path: Path) -> Intent:
        """The intent described by a data file; DataFileError names the file and the place of a mistake."""
        where = datafile_name(path)
        data = toml_read(path)
        keys_only(data, {"examples", "replies", "suggestions", "small_talk"}, where=where)
        examples = texts_get(data, "examples", where=where)
        if not examples:
            raise DataFileError(f"{where}: 'examples' needs at least one message.")
        replies = [french_typography(text.strip()) for text in texts_get(data, "replies", where=where)]
        if cls.answers_itself and not replies:
            raise DataFileError(f"{where}: 'replies' needs at least one reply.")
        suggestions = []
        for number, item in enumerate(
            data.get("suggestions") and tables_get(data, "suggestions", where=where) or []
        ):
            place = f"{where}, suggestion {number + 1}"
            keys_only(item, {"kind", "label", "url"}, where=place)
            suggestions.append(
                {
                    "kind": value_get(item, "kind", str, where=place),
                    "label": french_typography(value_get(item, "label", str, where=place)),
                    "url": value_get(item, "url", str, where=place),
                }
            )
        small_talk = value_get(data, "small_talk", bool, where=where) if "small_talk" in data else False
        return cls(
            name=path.stem, examples=examples, replies=replies, suggestions=suggestions, small_talk=small_talk
        )

    def reply(self, *, message: str, user=None, context: TurnContext | None = None) -> Reply:
        """The reply to `message`: one of the written replies, the same one for the same message (a visitor who
        repeats themselves gets a steady answer, and tests are reproducible)."""
        choice = self.replies[zlib.crc32(message.encode()) % len(self.replies)]
        return Reply(text=choice, suggestions=list(self.suggestions))
