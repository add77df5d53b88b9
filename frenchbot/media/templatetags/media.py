"""`{% picture image sizes="..." %}` (responsive <picture> of a library image) and `{% image_og_url image %}`."""

from django import template

from ..selectors import image_og_path, picture_html

register = template.Library()


@register.simple_tag
def picture(
    image,
    sizes: str = "100vw",
    css_class: str = "",
    loading: str = "lazy",
    alt=None,
    fetchpriority: str = "",
):
    """`alt=""` for a decorative image (a card whose title says it all); the image's own alt text otherwise.
    An eager image (the cover at the top of a page) is also fetched first unless `fetchpriority` says otherwise."""
    if not image:
        return ""
    if loading == "eager" and not fetchpriority:
        fetchpriority = "high"
    return picture_html(
        image, sizes=sizes, css_class=css_class, loading=loading, alt=alt, fetchpriority=fetchpriority
    )


@register.simple_tag(takes_context=True)
def image_og_url(context, image) -> str:
    """The absolute address of the image's 1200 × 630 OpenGraph crop ("" without an image)."""
    if not image:
        return ""
    path = image_og_path(image)
    if not path:
        return ""
    request = context.get("request")
    if request is not None:
        return request.build_absolute_uri(path)
    from django.conf import settings

    return path if "://" in path else settings.SITE_URL + path
