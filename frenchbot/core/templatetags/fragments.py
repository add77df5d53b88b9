"""`{% fragment %}`: a part of a public page rendered once per content version and kept in process memory;
`{% form_fragment %}`, the same for a part that holds a form.

    {% load fragments %}
    {% fragment "article-body" article.pk %} … {% endfragment %}

The key is the name, the values after it, the active language and the public-content version that every write
changing a public page moves on (`core.pagecache`), so a change shows on the next request, in every process.
Only what is the same for every visitor may go inside: no CSRF token, no form, nothing about `request.user`.
Values the enclosed block needs should be lazy (querysets, callables): a hit then runs no query at all.

A form is the same for every visitor but for its tokens (the CSRF token, the signed time stamps of the spam
guards): `{% form_fragment %}` keeps the part with the page cache's placeholders in their place and puts this
visitor's own tokens in at each request, as the shared page cache does for whole pages. A bound form (what
someone typed, its errors) never goes inside.
"""

import hashlib

from django import template
from django.conf import settings
from django.core.cache import caches
from django.utils import translation
from django.utils.safestring import mark_safe

from frenchbot.core.pagecache import CSRF_PLACEHOLDER, public_version, tokens_fill

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


class FormFragmentNode(FragmentNode):
    def render(self, context):
        csrf_token = context.get("csrf_token")
        if (
            csrf_token is None
        ):  # rendered outside a request (an e-mail, a template test): no token to stand for
            return super().render(context)
        with context.push(csrf_token=CSRF_PLACEHOLDER):
            html = super().render(context)
        if str(csrf_token) == CSRF_PLACEHOLDER:  # the shared copy of a page: the page cache fills it in
            return html
        # Only the visitor's tokens were put into what the template engine rendered and escaped.
        return mark_safe(tokens_fill(html, csrf_token=str(csrf_token)))  # noqa: S308


def _parse(parser, token, node_class, end):
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError(f'{{% {bits[0]} %}} needs a name: {{% {bits[0]} "name" value… %}}')
    nodelist = parser.parse((end,))
    parser.delete_first_token()
    return node_class(
        nodelist, parser.compile_filter(bits[1]), [parser.compile_filter(bit) for bit in bits[2:]]
    )


@register.tag("fragment")
def do_fragment(parser, token):
    return _parse(parser, token, FragmentNode, "endfragment")


@register.tag("form_fragment")
def do_form_fragment(parser, token):
    return _parse(parser, token, FormFragmentNode, "endform_fragment")
