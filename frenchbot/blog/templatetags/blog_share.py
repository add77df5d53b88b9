"""`{% share_links article as share %}`: the addresses of the article's share links (e-mail, LinkedIn, X),
built without any third-party script; every part of each address is percent-encoded."""

from urllib.parse import quote, urlencode

from django import template
from django.conf import settings
from django.utils.translation import gettext as _

register = template.Library()


@register.simple_tag(takes_context=True)
def share_links(context, article) -> dict[str, str]:
    request = context.get("request")
    path = article.get_absolute_url()
    url = request.build_absolute_uri(path) if request is not None else settings.SITE_URL + path
    title = article.title
    body = _("Un article à lire sur %(site)s :\n\n%(title)s\n%(url)s") % {
        "site": settings.SITE_NAME,
        "title": title,
        "url": url,
    }
    return {
        "url": url,
        # mailto: takes RFC 6068 encoding: spaces as %20, not "+".
        "email": "mailto:?" + urlencode({"subject": title, "body": body}, quote_via=quote),
        "linkedin": "https://www.linkedin.com/sharing/share-offsite/?" + urlencode({"url": url}),
        "x": "https://twitter.com/intent/tweet?" + urlencode({"url": url, "text": title}),
    }
