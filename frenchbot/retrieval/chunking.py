"""Cutting content into passages small enough to quote, each knowing the heading it sits under."""

from dataclasses import dataclass

from frenchbot.core.text import markdown_sections, word_count

MAX_WORDS = 180
MIN_WORDS = 40


@dataclass(frozen=True)
class ChunkDraft:
    heading: str
    anchor: str
    text: str


def chunk_markdown(
    source: str, *, max_words: int = MAX_WORDS, min_words: int = MIN_WORDS
) -> list[ChunkDraft]:
    """Split on headings, then on block boundaries once a passage reaches `max_words`.

    A block longer than `max_words` (a huge paragraph) is cut on sentence ends, then on words, so that any
    page indexes; a short tail joins the passage before it within its section.
    """
    drafts: list[ChunkDraft] = []
    for heading, anchor, blocks in markdown_sections(source):
        pieces: list[str] = []
        for block in blocks:
            pieces.extend(_split_long(block, max_words))
        current: list[str] = []
        count = 0
        section: list[ChunkDraft] = []
        for piece in pieces:
            words = word_count(piece)
            if current and count + words > max_words:
                section.append(ChunkDraft(heading, anchor, "\n".join(current)))
                current, count = [], 0
            current.append(piece)
            count += words
        if current:
            if section and count < min_words:
                last = section.pop()
                section.append(ChunkDraft(heading, anchor, last.text + "\n" + "\n".join(current)))
            else:
                section.append(ChunkDraft(heading, anchor, "\n".join(current)))
        if not section and heading:
            section.append(ChunkDraft(heading, anchor, heading))
        drafts.extend(section)
    return drafts


def _split_long(block: str, max_words: int) -> list[str]:
    if word_count(block) <= max_words:
        return [block]
    import re

    sentences = re.split(r"(?<=[.!?…])\s+", block)
    pieces, current = [], []
    for sentence in sentences:
        words = sentence.split()
        while len(words) > max_words:  # a "sentence" with no end at all
            if current:
                pieces.append(" ".join(current))
                current = []
            pieces.append(" ".join(words[:max_words]))
            words = words[max_words:]
        if current and len(current) + len(words) > max_words:
            pieces.append(" ".join(current))
            current = []
        current.extend(words)
    if current:
        pieces.append(" ".join(current))
    return pieces
