"""`{% analytics_script %}`: the measuring script and the image of browsers without JavaScript."""

from django import template
from django.conf import settings
from django.templatetags.static import static
from django.utils.html import format_html

from ..ingest import EXCLUDED_PREFIXES

register = template.Library()


@register.simple_tag(takes_context=True)
def analytics_script(context) -> str:
    """Nothing when measurement is off, for staff (their visits are not the audience) and on the pages that
    are never counted. Cached pages are anonymous renders: they carry the script."""
    if not settings.ANALYTICS_ENABLED:
        return ""
    request = context.get("request")
    if request is not None:
        if request.path.startswith(EXCLUDED_PREFIXES):
            return ""
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.is_staff:
            return ""
    return format_html(
        '<script src="{}" data-endpoint="{}" defer></script>'
        '<noscript><img src="{}" alt="" width="1" height="1" style="position:absolute"></noscript>',
        static("analytics/mesure.js"),
        settings.ANALYTICS_BEACON_PATH,
        settings.ANALYTICS_PIXEL_PATH,
    )
