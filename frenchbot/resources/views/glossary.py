"""The glossary: the A–Z index and a term's page, both with schema.org structured data."""

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from frenchbot.core.pagecache import render_cached
from frenchbot.resources.selectors import glossary as selectors


def _index_context() -> dict:
    groups = selectors.glossary_index()
    present = {group.letter for group in groups}
    letters = [
        {
            "letter": letter,
            "anchor": selectors.LetterGroup(letter=letter, terms=[]).anchor,
            "present": letter in present,
        }
        for letter in [*selectors.LETTERS, selectors.OTHER]
        if letter != selectors.OTHER or selectors.OTHER in present
    ]
    return {
        "groups": groups,
        "letters": letters,
        "term_count": sum(len(group.terms) for group in groups),
        "structured_data": selectors.glossary_structured_data(groups=groups),
    }


@require_safe
def glossary_index(request: HttpRequest) -> HttpResponse:
    return render_cached(request, template="resources/glossary.html", context=lambda values: _index_context())


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
