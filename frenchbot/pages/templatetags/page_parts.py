"""`{% form_fragment %}`: a `{% fragment %}` that may hold a form, for the parts of public pages that carry one.

    {% load page_parts %}
    {% form_fragment "newsletter-article" request.path %}{% newsletter_signup origin="article" %}{% endform_fragment %}

A form is the same for every visitor but for its tokens: the CSRF token and the signed time stamps of the spam
guard. The part is rendered (and kept, as `{% fragment %}` keeps parts) with placeholders in their place, the way
the shared page cache renders whole pages (`core.pagecache`); each request then gets the part with its own
tokens. What is kept holds no visitor's token, so only what is the same for every visitor may go inside, as in
`{% fragment %}`: a bound form (what someone typed, its errors) never does.
"""

from django import template
from django.utils.safestring import mark_safe

from frenchbot.blog.forms import TS_PLACEHOLDER, comment_form_token
from frenchbot.core.formguard import FORM_TS_PLACEHOLDER, form_timestamp
from frenchbot.core.pagecache import CSRF_PLACEHOLDER
from frenchbot.core.templatetags.fragments import FragmentNode

register = template.Library()

# The time stamps a part may hold, each with what makes a visitor's own.
_TIME_STAMPS = ((FORM_TS_PLACEHOLDER, form_timestamp), (TS_PLACEHOLDER, comment_form_token))


class FormFragmentNode(FragmentNode):
    def render(self, context):
        csrf_token = context.get("csrf_token")
        if csrf_token is None:
            # Rendered outside a request (an e-mail, a test of a template): no token to stand for.
            return super().render(context)
        with context.push(csrf_token=CSRF_PLACEHOLDER):
            html = super().render(context)
        token = str(csrf_token)
        if token == CSRF_PLACEHOLDER:
            # The shared copy of a page: the page cache puts each visitor's tokens in.
            return html
        html = html.replace(CSRF_PLACEHOLDER, token)
        for placeholder, make in _TIME_STAMPS:
            if placeholder in html:
                html = html.replace(placeholder, make())
        return mark_safe(html)  # noqa: S308 - rendered by the template engine; only tokens were put in


@register.tag("form_fragment")
def do_form_fragment(parser, token):
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError(
            '{% form_fragment %} needs a name: {% form_fragment "name" value… %}'
        )
    nodelist = parser.parse(("endform_fragment",))
    parser.delete_first_token()
    return FormFragmentNode(
        nodelist, parser.compile_filter(bits[1]), [parser.compile_filter(bit) for bit in bits[2:]]
    )
