"""What the company's fixed pages give the bot's index: the home page's offer, the legal notice, the privacy
policy and the accessibility statement, as a visitor reads them (the template rendered, then made text).

They are templates, not rows: `frenchbot index` (run by `make run` and after a deploy) brings them up to date.
"""

from dataclasses import dataclass

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy

from frenchbot.core.htmltext import html_to_text, template_block_render
from frenchbot.retrieval.registry import IndexedItem, IndexSource

from .urls import PAGES


@dataclass(frozen=True)
class _Page:
    name: str  # the URL name, also the document's id in the index
    template: str
    title_block: str
    body_block: str
    drop: frozenset[str] = frozenset()


# The home page's list of latest articles and its testimonials placeholder are not about the company: left out.
_PAGES = [
    _Page("home", "pages/home.html", "title", "content", frozenset({"latest-title", "testimonials-title"})),
    *(_Page(f"pages:{name}", template, "page_title", "body") for name, (_, template) in PAGES.items()),
]


def _site_context() -> dict:
    # What the site's context processors give every page and these templates use (no request here).
    return {
        "SITE_NAME": settings.SITE_NAME,
        "SITE_URL": settings.SITE_URL,
        "CONTACT_EMAIL": settings.CONTACT_EMAIL,
    }


class PageSource(IndexSource):
    name = "pages.page"
    label = gettext_lazy("Pages du site")
    model = None  # templates: indexed by `frenchbot index`, not on a save

    def items(self):
        for page in _PAGES:
            item = self.page_item(page)
            if item is not None:
                yield item

    def page_item(self, page: _Page) -> IndexedItem | None:
        with translation.override(settings.LANGUAGE_CODE):
            context = _site_context()
            title = html_to_text(template_block_render(page.template, page.title_block, context))
            text = html_to_text(
                template_block_render(page.template, page.body_block, context), drop=page.drop
            )
            url = reverse(page.name)
        if not text:
            return None
        return IndexedItem(source_id=page.name, title=title, url=url, text=text)

    def item(self, obj):
        return None
