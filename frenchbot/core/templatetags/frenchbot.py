from django import template
from django.utils.html import format_html

register = template.Library()


@register.filter
def initials(name: str) -> str:
    parts = [part for part in (name or "").split() if part]
    return "".join(part[0].upper() for part in parts[:2]) or "?"


@register.simple_tag(takes_context=True)
def absolute_url(context, path: str) -> str:
    request = context.get("request")
    if request is not None:
        return request.build_absolute_uri(path)
    from django.conf import settings

    return settings.SITE_URL + path


@register.inclusion_tag("core/_field.html")
def form_field(field, *, hint: str = ""):
    """A labelled field whose errors and help are tied to it with aria-describedby (RGAA 11.10)."""
    describedby = []
    if field.help_text or hint:
        describedby.append(f"{field.auto_id}-aide")
    if field.errors:
        describedby.append(f"{field.auto_id}-erreurs")
    attrs = {}
    if describedby:
        attrs["aria-describedby"] = " ".join(describedby)
    if field.errors:
        attrs["aria-invalid"] = "true"
    return {"field": field, "widget": field.as_widget(attrs=attrs), "hint": hint}


@register.simple_tag
def pct_bar(percent: int):
    return format_html('<span class="bar__fill" style="width: {}%"></span>', int(percent))
