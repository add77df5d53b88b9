"""What the FAQ gives the bot's index: each published entry is one document, its question as the title."""

from frenchbot.retrieval.registry import IndexedItem, IndexSource

from .models import FaqEntry


class FaqSource(IndexSource):
    name = "assistant.faq"
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
            # The question is in the text too: a visitor's wording is matched against it word for word.
            text=f"{entry.question}\n\n{entry.answer}",
        )
