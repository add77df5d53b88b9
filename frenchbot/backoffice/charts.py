"""Charts of the back-office drawn on the server as SVG: no script (the CSP forbids inline ones, and the pages
work without JS), readable in forced-colours mode. Each chart is an image with a title and a description, and the
page always prints the same figures in a table beside it (its text alternative)."""

import dataclasses

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

# Colours of the lines, darkest first, each ≥ 3:1 against white (WCAG 1.4.11), and a dash pattern per line so
# that no line is told from another by its colour alone.
_STROKES = ("#14213d", "#c1121f", "#2f5d7c", "#1e6b3a", "#7a4b00", "#4a5568")
_DASHES = ("", "8 4", "2 4", "12 4 2 4", "4 4", "1 3")

_WIDTH, _HEIGHT = 720, 300
_LEFT, _RIGHT, _TOP, _BOTTOM = 48, 16, 16, 40


@dataclasses.dataclass
class Line:
    label: str
    values: list[int]


def _nice_top(maximum: int) -> int:
    """The top of the vertical axis: the first of 1, 2, 5, 10, 20, 50… at or above `maximum`."""
    magnitude = 1
    while True:
        for step in (1, 2, 5):
            if step * magnitude >= maximum:
                return step * magnitude
        magnitude *= 10


def line_chart(
    *, chart_id: str, lines: list[Line], x_labels: list[str], title: str, description: str
) -> SafeString:
    """An SVG line chart of `lines` over `x_labels` (same length as each line's values), with a legend; `title`
    and `description` are its accessible name and description (`chart_id` makes their ids unique in the
    page)."""
    count = len(x_labels)
    maximum = max((max(line.values, default=0) for line in lines), default=0)
    top = _nice_top(maximum)
    plot_w = _WIDTH - _LEFT - _RIGHT
    plot_h = _HEIGHT - _TOP - _BOTTOM

    # Coordinates as text: format_html escapes its arguments, which then take no format code.
    def x(i: int) -> str:
        return f"{_LEFT + (plot_w * i / (count - 1) if count > 1 else plot_w / 2):.1f}"

    def y(value: int) -> str:
        return f"{_TOP + plot_h - plot_h * value / top:.1f}"

    grid = format_html_join(
        "",
        '<line x1="{}" y1="{}" x2="{}" y2="{}" class="chart__grid" stroke="#c9d1da" />'
        '<text x="{}" y="{}" text-anchor="end" class="chart__tick">{}</text>',
        (
            (_LEFT, y(value), _WIDTH - _RIGHT, y(value), _LEFT - 6, f"{float(y(value)) + 4:.1f}", value)
            for value in sorted({0, top // 2, top})
        ),
    )
    # About six labels under the axis, whatever the number of points.
    every = max(1, (count + 5) // 6)
    ticks = format_html_join(
        "",
        '<text x="{}" y="{}" text-anchor="middle" class="chart__tick">{}</text>',
        ((x(i), _HEIGHT - _BOTTOM + 18, label) for i, label in enumerate(x_labels) if i % every == 0),
    )
    paths = format_html_join(
        "",
        '<polyline points="{}" fill="none" stroke="{}" stroke-width="2.5" stroke-dasharray="{}" '
        'class="chart__line" />',
        (
            (
                " ".join(f"{x(i)},{y(value)}" for i, value in enumerate(line.values)),
                _STROKES[n % len(_STROKES)],
                _DASHES[n % len(_DASHES)] or "none",
            )
            for n, line in enumerate(lines)
        ),
    )
    # The legend under the plot, three entries a row.
    per_row, column_w, row_h = 3, 220, 18
    height = _HEIGHT + row_h * ((max(len(lines), 1) - 1) // per_row)

    def legend_xy(n: int) -> tuple[int, int]:
        return _LEFT + column_w * (n % per_row), _HEIGHT - 8 + row_h * (n // per_row)

    legend = format_html_join(
        "",
        '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="2.5" stroke-dasharray="{}" />'
        '<text x="{}" y="{}" class="chart__legend">{}</text>',
        (
            (
                legend_xy(n)[0],
                legend_xy(n)[1],
                legend_xy(n)[0] + 28,
                legend_xy(n)[1],
                _STROKES[n % len(_STROKES)],
                _DASHES[n % len(_DASHES)] or "none",
                legend_xy(n)[0] + 34,
                legend_xy(n)[1] + 4,
                line.label if len(line.label) <= 26 else line.label[:25] + "…",
            )
            for n, line in enumerate(lines)
        ),
    )
    return format_html(
        '<svg class="chart" viewBox="0 0 {} {}" role="img" aria-labelledby="{}-titre {}-desc" '
        'xmlns="http://www.w3.org/2000/svg" font-size="12" font-family="sans-serif" fill="#14213d">'
        '<title id="{}-titre">{}</title><desc id="{}-desc">{}</desc>{}{}{}{}</svg>',
        _WIDTH,
        height,
        chart_id,
        chart_id,
        chart_id,
        title,
        chart_id,
        description,
        grid,
        ticks,
        paths,
        legend,
    )


@dataclasses.dataclass
class Bar:
    label: str
    value: int
    # What is printed at the end of the bar (« 1 234 (−42 %) »); the value itself when empty.
    text: str = ""


_BAR_WIDTH = 720
_BAR_LABEL_W, _BAR_TEXT_W, _BAR_ROW, _BAR_THICK = 230, 150, 30, 20
# The bars' colour: 6.9:1 against white (WCAG 1.4.11 asks 3:1); the figures are written beside the bars, never
# on them. In forced-colours mode the stylesheet gives bars and texts the system's colours.
_BAR_FILL = "#2f5d7c"


def bar_chart(*, chart_id: str, bars: list[Bar], title: str, description: str) -> SafeString:
    """An SVG chart of horizontal bars, one per item of `bars`, top to bottom, each with its label on the left
    and its figure on the right, written in the image itself (nothing to decode from a colour or a length). Like
    `line_chart`, an image with a title and a description (`chart_id` makes their ids unique in the page); the
    page prints the same figures in a table beside it."""
    maximum = max((bar.value for bar in bars), default=0) or 1
    plot_w = _BAR_WIDTH - _BAR_LABEL_W - _BAR_TEXT_W
    height = _BAR_ROW * max(len(bars), 1) + 8

    def row_y(n: int) -> int:
        return 4 + _BAR_ROW * n

    rows = format_html_join(
        "",
        '<text x="{}" y="{}" text-anchor="end" class="chart__label">{}</text>'
        '<rect x="{}" y="{}" width="{}" height="{}" fill="{}" class="chart__bar" />'
        '<text x="{}" y="{}" class="chart__value">{}</text>',
        (
            (
                _BAR_LABEL_W - 8,
                row_y(n) + _BAR_THICK / 2 + 4,
                bar.label if len(bar.label) <= 34 else bar.label[:33] + "…",
                _BAR_LABEL_W,
                row_y(n),
                f"{max(plot_w * max(bar.value, 0) / maximum, 1 if bar.value else 0):.1f}",
                _BAR_THICK,
                _BAR_FILL,
                f"{_BAR_LABEL_W + plot_w * max(bar.value, 0) / maximum + 6:.1f}",
                row_y(n) + _BAR_THICK / 2 + 4,
                bar.text or bar.value,
            )
            for n, bar in enumerate(bars)
        ),
    )
    axis = format_html(
        '<line x1="{}" y1="0" x2="{}" y2="{}" stroke="#14213d" class="chart__axis" />',
        _BAR_LABEL_W,
        _BAR_LABEL_W,
        height,
    )
    return format_html(
        '<svg class="chart chart--bars" viewBox="0 0 {} {}" role="img" aria-labelledby="{}-titre {}-desc" '
        'xmlns="http://www.w3.org/2000/svg" font-size="13" font-family="sans-serif" fill="#14213d">'
        '<title id="{}-titre">{}</title><desc id="{}-desc">{}</desc>{}{}</svg>',
        _BAR_WIDTH,
        height,
        chart_id,
        chart_id,
        chart_id,
        title,
        chart_id,
        description,
        rows,
        axis,
    )
