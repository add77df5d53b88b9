"""What leaves the server from the model: never our instructions, never a link or an image elsewhere.

Two checks, both on the server side, whatever the model was persuaded to do:

- ``LeakGuard`` watches the answer while it streams and holds back its last characters; as soon as the answer
  contains the prompt's canary or recites a run of words of the rules, the stream is cut before that text is sent.
- ``answer_html`` renders the final answer: safe Markdown, no images (an image URL is a way to send data out),
  and links only to this site (a link elsewhere is shown as its text).
"""

from urllib.parse import urlsplit

import nh3
from django.conf import settings

from frenchbot.core.text import fold, render_markdown

from .prompt import CANARY, SYSTEM_PROMPT

# Runs of this many words of the rules in an answer mean it is reciting them.
SHINGLE = 7
# Characters held back from the client until the guard has seen what follows them: more than a run of SHINGLE
# words, so that no such run leaves before it is recognised.
HOLD_BACK = 80


def _words(text: str) -> list[str]:
    return fold(text).split()


def _shingles(words: list[str]) -> set[tuple[str, ...]]:
    return {tuple(words[i : i + SHINGLE]) for i in range(len(words) - SHINGLE + 1)}


_RULE_SHINGLES = _shingles(_words(SYSTEM_PROMPT))


def reveals_instructions(text: str) -> bool:
    if CANARY.lower() in text.lower():
        return True
    return bool(_shingles(_words(text)) & _RULE_SHINGLES)


class LeakGuard:
    """Feed it the deltas; it returns what may be sent now, and says when the answer must be cut."""

    def __init__(self) -> None:
        self.text = ""
        self.sent = 0
        self.tripped = False

    def feed(self, delta: str) -> str:
        if self.tripped:
            return ""
        self.text += delta
        if reveals_instructions(self.text):
            self.tripped = True
            return ""
        safe_until = max(self.sent, len(self.text) - HOLD_BACK)
        out, self.sent = self.text[self.sent : safe_until], safe_until
        return out

    def flush(self) -> str:
        if self.tripped:
            return ""
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
