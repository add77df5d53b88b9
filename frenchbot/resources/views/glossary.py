"""The glossary: the A–Z index and a term's page, both with schema.org structured data."""

from functools import cached_property

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from frenchbot.core.pagecache import render_cached
from frenchbot.resources.selectors import glossary as selectors


class GlossaryIndexPage:
    """What the index shows, read from the database only when the template asks: the page keeps its rendered
    body and structured data as fragments, and a kept fragment runs no query at all."""

    @cached_property
    def groups(self) -> list[selectors.LetterGroup]:
        return selectors.glossary_index()

    @cached_property
    def letters(self) -> list[dict]:
        present = {group.letter for group in self.groups}
        return [
            {
                "letter": letter,
                "anchor": selectors.LetterGroup(letter=letter, terms=[]).anchor,
                "present": letter in present,
            }
            for letter in [*selectors.LETTERS, selectors.OTHER]
            if letter != selectors.OTHER or selectors.OTHER in present
        ]

    @cached_property
    def term_count(self) -> int:
        return sum(len(group.terms) for group in self.groups)

    @cached_property
    def structured_data(self):
        return selectors.glossary_structured_data(groups=self.groups)


@require_safe
def glossary_index(request: HttpRequest) -> HttpResponse:
    return render_cached(
        request,
        template="resources/glossary.html",
        context=lambda values: {"glossary": GlossaryIndexPage()},
    )


def _term_context(slug: str) -> dict:
    term = selectors.term_get_public(slug=slug)
    if term is None:
        raise Http404(_("Ce terme n'est pas (ou plus) dans le glossaire."))
    return {
        "term": term,
        "aliases": selectors.term_aliases(term=term),
        "related_terms": list(term.related.all()),
        "body_html": selectors.term_body_html(term=term),
        "structured_data": selectors.term_structured_data(term=term),
    }


@require_safe
def term_detail(request: HttpRequest, slug: str) -> HttpResponse:
    return render_cached(
        request, template="resources/term_detail.html", context=lambda values: _term_context(slug)
    )
