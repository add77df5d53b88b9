"""Rendered HTML back to plain Markdown-like text, for the bot's index: a page made from a template (legal notice,
the audit's presentation) is indexed as the visitor reads it. A heading with its anchor on the page stays a `##`
heading, so that the index cuts the page into sections and links to them."""

import re
from html.parser import HTMLParser

from django.template import Context
from django.template.loader import get_template
from django.template.loader_tags import BlockNode, ExtendsNode

from .text import slugify_heading

_BLOCKS = {
    "p",
    "div",
    "section",
    "article",
    "ul",
    "ol",
    "li",
    "dl",
    "dt",
    "dd",
    "table",
    "tr",
    "br",
    "header",
}
_HEADINGS = {"h1": "#", "h2": "##", "h3": "###", "h4": "####", "h5": "####", "h6": "####"}
_SKIPPED = {"script", "style", "template", "noscript", "svg", "form", "button", "select", "nav"}


class _TextParser(HTMLParser):
    def __init__(self, drop: frozenset[str]):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0
        self.drop = drop
        self.dropped: list[str] = []  # the stack of open tags inside a dropped element
        self.heading: tuple[int, str] | None = None  # where the open heading's text starts, and its id

    def handle_starttag(self, tag, attrs):
        if self.dropped:
            self.dropped.append(tag)
            return
        names = {value for key, value in attrs if key in ("id", "aria-labelledby")}
        if names & self.drop:
            self.dropped.append(tag)
        elif tag in _SKIPPED:
            self.skipping += 1
        elif tag in _HEADINGS:
            self.parts.append("\n\n")
            self.heading = (len(self.parts), dict(attrs).get("id") or "")
        elif tag == "li":
            self.parts.append("\n- ")
        elif tag in _BLOCKS:
            self.parts.append("\n\n")

    def handle_endtag(self, tag):
        if self.dropped:
            if tag in self.dropped:
                del self.dropped[len(self.dropped) - 1 - self.dropped[::-1].index(tag) :]
            return
        if tag in _SKIPPED:
            self.skipping = max(0, self.skipping - 1)
        elif tag in _HEADINGS and self.heading is not None:
            start, anchor = self.heading
            self.heading = None
            text = " ".join("".join(self.parts[start:]).split())
            del self.parts[start:]
            if text:
                # A Markdown heading becomes an anchor in the index's links (/page/#its-slug): only where the page
                # has that anchor; any other heading stays a line of its own, in bold.
                self.parts.append(
                    f"{_HEADINGS[tag]} {text}" if anchor == slugify_heading(text) else f"**{text}**"
                )
            self.parts.append("\n\n")
        elif tag in _BLOCKS - {"li"}:
            self.parts.append("\n\n")

    def handle_data(self, data):
        if not self.skipping and not self.dropped:
            # Spaces and line breaks in HTML source are layout, not text (non-breaking spaces are kept).
            self.parts.append(re.sub(r"[ \t\r\n]+", " ", data))


def html_to_text(html: str, *, drop: frozenset[str] = frozenset()) -> str:
    """The text of `html`, one paragraph per block and headings as Markdown; scripts, forms and navigation
    dropped (they are not content a visitor asks about), and the elements whose `id` or `aria-labelledby` is
    in `drop` (a page's list of latest articles, indexed on their own)."""
    parser = _TextParser(drop)
    parser.feed(html or "")
    parser.close()
    text = "".join(parser.parts)
    lines = [line.strip() for line in text.split("\n")]
    text = "\n".join(lines)
    text = re.sub(r"\n{3,}", "\n\n", text)
    # A list item's line must not be cut from its dash by the blank lines of a nested block.
    text = re.sub(r"^- *\n+", "- ", text, flags=re.MULTILINE)
    return re.sub(r"^(#+) *$\n?", "", text, flags=re.MULTILINE).strip()


def template_block_render(template_name: str, block_name: str, context: dict) -> str:
    """One block of a template that extends another, rendered alone (no layout, no chat widget)."""
    template = get_template(template_name).template
    blocks: dict[str, BlockNode] = {}
    for node in template.nodelist.get_nodes_by_type(BlockNode):
        blocks.setdefault(node.name, node)
    for extends in template.nodelist.get_nodes_by_type(ExtendsNode):
        blocks.update(extends.blocks)
    block = blocks.get(block_name)
    if block is None:
        return ""
    rendering = Context(context, autoescape=True)
    with rendering.bind_template(template):
        return block.nodelist.render(rendering)
