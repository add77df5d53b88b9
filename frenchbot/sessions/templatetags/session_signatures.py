"""A drawn signature (strokes of points) drawn back as inline SVG, on pages and in the PDFs."""

from django import template
from django.utils.html import format_html, format_html_join

from ..signatures import SIGNATURE_HEIGHT, SIGNATURE_WIDTH, strokes_path

register = template.Library()


@register.simple_tag
def signature_svg(strokes, label: str = "") -> str:
    """An <svg> of `strokes` (already validated when stored: numbers only) with `label` as its text
    alternative; empty when there is no drawing."""
    paths = [strokes_path(stroke) for stroke in strokes or []]
    if not any(paths):
        return ""
    return format_html(
        '<svg class="signature" viewBox="0 0 {} {}" role="img" aria-label="{}">{}</svg>',
        SIGNATURE_WIDTH,
        SIGNATURE_HEIGHT,
        label,
        format_html_join(
            "",
            '<path d="{}" fill="none" stroke="#14213d" stroke-width="2" stroke-linecap="round"/>',
            ((path,) for path in paths if path),
        ),
    )
