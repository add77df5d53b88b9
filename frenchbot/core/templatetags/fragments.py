"""`{% fragment %}`: a part of a public page rendered once per content version and kept in process memory.

    {% load fragments %}
    {% fragment "article-body" article.pk %} … {% endfragment %}

The key is the name, the values after it, the active language and the public-content version that every write
changing a public page moves on (`core.pagecache`), so a change shows on the next request, in every process.
Only what is the same for every visitor may go inside: no CSRF token, no form, nothing about `request.user`.
Values the enclosed block needs should be lazy (querysets, callables): a hit then runs no query at all.
"""

import hashlib

from django import template
from django.conf import settings
from django.core.cache import caches
from django.utils import translation

from frenchbot.core.pagecache import public_version

register = template.Library()


class FragmentNode(template.Node):
    def __init__(self, nodelist, name, vary_on):
        self.nodelist = nodelist
        self.name = name
        self.vary_on = vary_on

    def render(self, context):
        seconds = settings.FRAGMENT_CACHE_SECONDS
        request = context.get("request")
        version = public_version(request) if seconds > 0 and request is not None else None
        if version is None:
            return self.nodelist.render(context)
        name = self.name.resolve(context)
        vary = ":".join(str(value.resolve(context)) for value in self.vary_on)
        digest = hashlib.blake2b(vary.encode(), digest_size=12).hexdigest()
        key = f"fragment:{name}:{version}:{translation.get_language()}:{digest}"
        store = caches["template_fragments"]
        html = store.get(key)
        if html is None:
            html = self.nodelist.render(context)
            store.set(key, html, seconds)
        return html


@register.tag("fragment")
def do_fragment(parser, token):
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError('{% fragment %} needs a name: {% fragment "name" value… %}')
    nodelist = parser.parse(("endfragment",))
    parser.delete_first_token()
    return FragmentNode(
        nodelist, parser.compile_filter(bits[1]), [parser.compile_filter(bit) for bit in bits[2:]]
    )
