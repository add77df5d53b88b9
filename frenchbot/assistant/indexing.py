"""What the FAQ gives the bot's index: each published entry is one document, its question as the title."""

import re

from django.utils.translation import gettext_lazy

from frenchbot.retrieval.registry import IndexedItem, IndexSource

from .models import FaqEntry

# The entry's address is already an anchor (/faq/#slug): a heading in an answer must not add a second one.
_HEADING_RE = re.compile(r"^ {0,3}#{1,6}[ \t]+(.+?)[ \t#]*$", re.MULTILINE)


class FaqSource(IndexSource):
    name = "assistant.faq"
    label = gettext_lazy("Questions fréquentes")
    model = FaqEntry

    def items(self):
        for entry in FaqEntry.objects.filter(is_published=True):
            yield self.item(entry)

    def item(self, entry: FaqEntry) -> IndexedItem | None:
        if not entry.is_published:
            return None
        return IndexedItem(
            source_id=str(entry.pk),
            title=entry.question,
            url=entry.get_absolute_url(),
            # The question is the title, which the search weighs (words and meaning) like any title: the text is
            # the answer alone, so that the bot quotes the answer, not the question back.
            text=_HEADING_RE.sub(r"**\1**", entry.answer),
        )
