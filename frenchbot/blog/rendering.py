"""How an article's Markdown becomes the HTML a visitor reads: one function, used at save and by the editor's
live preview, so that the preview shows exactly what the site will."""

import html
import re

from django.utils.html import format_html

from frenchbot.core.text import render_markdown
from frenchbot.media.selectors import images_by_url, picture_html

# The article's column: full width on a phone, 45rem from 48rem up (as the cover).
BODY_IMAGE_SIZES = "(min-width: 48rem) 45rem, 100vw"
# Text (in characters of HTML) before the first image above which it no longer shows in the first screen of a
# phone, so it is not the page's largest paint and may wait until the reader scrolls to it.
LCP_TEXT_BEFORE = 600

# The sanitiser writes every <img> the same way: double-quoted attributes, values escaped.
_IMG_RE = re.compile(r"<img\b([^>]*?)/?>")
_ATTR_RE = re.compile(r'([a-zA-Z-]+)="([^"]*)"')


def _attributes(raw: str) -> dict[str, str]:
    return {name.lower(): html.unescape(value) for name, value in _ATTR_RE.findall(raw)}


def responsive_images(body_html: str, *, has_cover: bool = False) -> str:
    """Each <img> of sanitised HTML whose address is a library image becomes its responsive <picture>; the
    first one is fetched at once when it is likely the largest thing of the first screen (no cover above it,
    little text before it), every other image waits until it nears the screen. An image that is not (or no
    longer) in the library stays a plain <img>, lazy too.

    The markup put in after sanitising is built only from the library's own values and the escaped alt and
    title the writer gave."""
    matches = list(_IMG_RE.finditer(body_html))
    if not matches:
        return body_html
    found = images_by_url([_attributes(match.group(1)).get("src", "") for match in matches])
    parts: list[str] = []
    position = 0
    for index, match in enumerate(matches):
        attrs = _attributes(match.group(1))
        src, alt, title = attrs.get("src", ""), attrs.get("alt", ""), attrs.get("title", "")
        first_screen = index == 0 and not has_cover and match.start() <= LCP_TEXT_BEFORE
        image = found.get(src)
        if image is not None:
            markup = picture_html(
                image,
                sizes=BODY_IMAGE_SIZES,
                loading="eager" if first_screen else "lazy",
                fetchpriority="high" if first_screen else "",
                alt=alt or image.alt,
                title=title,
            )
        else:
            markup = format_html(
                '<img src="{}" alt="{}"{} loading="lazy" decoding="async">',
                src,
                alt,
                format_html(' title="{}"', title) if title else "",
            )
        parts.append(body_html[position : match.start()])
        parts.append(str(markup))
        position = match.end()
    parts.append(body_html[position:])
    return "".join(parts)


def article_body_html(markdown: str, *, has_cover: bool = False) -> str:
    return responsive_images(render_markdown(markdown), has_cover=has_cover)
