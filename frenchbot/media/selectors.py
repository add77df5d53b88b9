"""Reading the library: an image's renditions, its <picture> markup, and which library image an address shows."""

from __future__ import annotations

from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.core.files.storage import default_storage
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from .models import Image

# Most capable first: a browser takes the first <source> whose type it knows.
SOURCE_TYPES = [("avif", "image/avif"), ("webp", "image/webp")]
FALLBACK_FORMATS = ("jpeg", "png")


def image_rendition_url(name: str) -> str:
    return default_storage.url(name)


def image_renditions(image: Image, fmt: str) -> list[dict]:
    """The resized copies of one format, narrowest first (the OpenGraph crop left out)."""
    items = [
        item for item in image.renditions or [] if item.get("format") == fmt and item.get("kind") != "og"
    ]
    return sorted(items, key=lambda item: item["width"])


def image_fallback_renditions(image: Image) -> list[dict]:
    for fmt in FALLBACK_FORMATS:
        items = image_renditions(image, fmt)
        if items:
            return items
    return []


def image_thumbnail_url(image: Image) -> str:
    """The narrowest copy a browser can show anywhere (the admin's list), the original when none was made."""
    items = image_fallback_renditions(image)
    return image_rendition_url(items[0]["name"]) if items else (image.file.url if image.file else "")


def image_og_path(image: Image) -> str:
    """The address of the 1200 × 630 crop for OpenGraph (the original when none was made)."""
    for item in image.renditions or []:
        if item.get("kind") == "og":
            return image_rendition_url(item["name"])
    return image.file.url if image.file else ""


def _srcset(items: list[dict]) -> str:
    return ", ".join(f"{image_rendition_url(item['name'])} {item['width']}w" for item in items)


def picture_html(
    image: Image,
    *,
    sizes: str = "100vw",
    css_class: str = "",
    loading: str = "lazy",
    alt: str | None = None,
    fetchpriority: str = "",
    title: str = "",
) -> SafeString:
    """A responsive <picture> of a library image: AVIF and WebP sources, then an <img> with the JPEG (or PNG)
    fallback, explicit width and height (no layout shift) and `alt` (the image's own alt text unless given;
    pass "" for a decorative image). Every value is escaped; nothing of a caller's text is trusted."""
    if image is None:
        return mark_safe("")  # noqa: S308 - a constant
    alt_text = image.alt if alt is None else alt
    loading = "eager" if loading == "eager" else "lazy"
    fallback = image_fallback_renditions(image)
    if fallback:
        largest = fallback[-1]
        src, width, height = image_rendition_url(largest["name"]), largest["width"], largest["height"]
    else:
        src, width, height = (image.file.url if image.file else ""), image.width, image.height
    sources = format_html_join(
        "",
        '<source type="{}" srcset="{}" sizes="{}">',
        (
            (mime, _srcset(items), sizes)
            for fmt, mime in SOURCE_TYPES
            if (items := image_renditions(image, fmt))
        ),
    )
    attributes = [format_html(' class="{}"', css_class)] if css_class else []
    if fallback:
        attributes.append(format_html(' srcset="{}" sizes="{}"', _srcset(fallback), sizes))
    if title:
        attributes.append(format_html(' title="{}"', title))
    if fetchpriority in {"high", "low"}:
        attributes.append(format_html(' fetchpriority="{}"', fetchpriority))
    extra = mark_safe("".join(attributes))  # noqa: S308 - each part was built by format_html
    img = format_html(
        '<img src="{}"{} width="{}" height="{}" alt="{}" loading="{}" decoding="async">',
        src,
        extra,
        width or "",
        height or "",
        alt_text,
        loading,
    )
    return format_html("<picture>{}{}</picture>", sources, img)


def _media_prefixes() -> list[str]:
    """The beginnings an address of a stored file can have: the storage's own, MEDIA_URL, and both on SITE_URL."""
    base = default_storage.url("x")[:-1]
    prefixes = {base, settings.MEDIA_URL}
    site = getattr(settings, "SITE_URL", "")
    for prefix in list(prefixes):
        if prefix.startswith("/") and site:
            prefixes.add(site + prefix)
    return sorted((prefix for prefix in prefixes if prefix), key=len, reverse=True)


def image_name_from_url(url: str) -> str | None:
    """The storage name behind an address of the library, or None for any other address."""
    url = (url or "").strip()
    for prefix in _media_prefixes():
        if url.startswith(prefix):
            name = unquote(urlsplit(url[len(prefix) :]).path).lstrip("/")
            return name if name.startswith("library/") and ".." not in name else None
    return None


def images_by_url(urls: list[str]) -> dict[str, Image]:
    """Library images shown at these addresses (of their original or of any rendition), keyed by address.
    An address of no image in the library (removed, or from elsewhere) is simply absent."""
    names = {url: name for url in urls if (name := image_name_from_url(url))}
    if not names:
        return {}
    found: dict[str, Image] = {}
    by_file = {image.file.name: image for image in Image.objects.filter(file__in=set(names.values()))}
    for url, name in names.items():
        if name in by_file:
            found[url] = by_file[name]
    missing = {url: name for url, name in names.items() if url not in found}
    if missing:
        # A rendition's address pasted by hand: the image is the one whose original shares its folder and stem.
        for url, name in missing.items():
            stem = name.rsplit("-", 1)[0]
            image = Image.objects.filter(file__startswith=f"{stem}.").first()
            if image is not None and any(item.get("name") == name for item in image.renditions or []):
                found[url] = image
    return found
