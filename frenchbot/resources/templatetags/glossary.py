"""`{{ html|glossary_links }}`: the first occurrence of each glossary term in an article's HTML links to its
definition (GLOSSARY_AUTOLINK turns it off)."""

from django import template
from django.conf import settings
from django.utils.safestring import SafeString, mark_safe

from frenchbot.resources.selectors.glossary import glossary_link_html

register = template.Library()


@register.filter
def glossary_links(html: str) -> str:
    if not settings.GLOSSARY_AUTOLINK or not html:
        return html
    linked = glossary_link_html(html_text=str(html))
    # Safe only if it came in safe: the linker adds escaped links to HTML it is given, it does not clean it.
    return mark_safe(linked) if isinstance(html, SafeString) else linked  # noqa: S308
