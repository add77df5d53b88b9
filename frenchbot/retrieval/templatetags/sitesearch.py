"""`{% search_action_json_ld %}`: the home page tells search engines how to search the site (schema.org
WebSite with a SearchAction), so they may show a search box under the site's result."""

from django import template
from django.conf import settings
from django.urls import reverse
from django.utils.html import json_script
from django.utils.safestring import mark_safe

register = template.Library()


def search_action_data() -> dict:
    site = settings.SITE_URL
    return {
        "@context": "https://schema.org",
        "@type": "WebSite",
        "name": settings.SITE_NAME,
        "url": site + "/",
        "inLanguage": "fr-FR",
        "potentialAction": {
            "@type": "SearchAction",
            "target": {
                "@type": "EntryPoint",
                "urlTemplate": site + reverse("search") + "?q={search_term_string}",
            },
            "query-input": "required name=search_term_string",
        },
    }


@register.simple_tag
def search_action_json_ld():
    # json_script escapes <, > and & so nothing in the data can close the script element.
    script = json_script(search_action_data()).replace(
        ' type="application/json"', ' type="application/ld+json"'
    )
    return mark_safe(script)  # noqa: S308 - json_script escaped the data; only the type attribute changed
