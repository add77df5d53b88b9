"""`{% picture image sizes="..." %}` (responsive <picture> of a library image) and `{% image_og_url image %}`."""

from django import template

register = template.Library()


@register.simple_tag
def picture(image, sizes: str = "100vw", css_class: str = "", loading: str = "lazy") -> str:
    return ""


@register.simple_tag(takes_context=True)
def image_og_url(context, image) -> str:
    return ""
