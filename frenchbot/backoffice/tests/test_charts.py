"""The server-drawn SVG chart: an image with a name, one line per series, labels escaped, and sound with no data."""

import re

from frenchbot.backoffice.charts import Line, _nice_top, line_chart
from frenchbot.core.csvexport import csv_cell, csv_line


def _chart(lines, labels=None):
    labels = (
        labels if labels is not None else [f"{i} déc." for i in range(len(lines[0].values) if lines else 3)]
    )
    return str(
        line_chart(chart_id="essai", lines=lines, x_labels=labels, title="Abonnés <b>", description="Voir")
    )


def test_one_polyline_per_series_scaled_to_the_plot():
    svg = _chart([Line("Actualités", [0, 3, 2]), Line("Événements", [1, 1, 1])])
    assert svg.startswith('<svg class="chart"') and 'role="img"' in svg
    assert 'aria-labelledby="essai-titre essai-desc"' in svg
    assert '<title id="essai-titre">Abonnés &lt;b&gt;</title>' in svg
    polylines = re.findall(r'<polyline points="([^"]+)"', svg)
    assert len(polylines) == 2
    # The highest point (3) is at the axis' top (5), below the plot's top margin; 0 sits on the baseline.
    points = [tuple(map(float, p.split(","))) for p in polylines[0].split()]
    assert points[0][1] == 260.0 and points[1][1] < points[2][1] < points[0][1]
    assert ">Actualités</text>" in svg and ">Événements</text>" in svg
    # Told apart without colour: each line has its own dash pattern.
    assert len(set(re.findall(r'<polyline[^>]+stroke-dasharray="([^"]+)"', svg))) == 2


def test_labels_are_escaped_and_an_empty_chart_draws():
    svg = _chart([Line("<script>alert(1)</script>", [0, 0, 0])])
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    assert "<polyline" in _chart([Line("Seule", [4])], labels=["6 déc."])
    assert "<polyline" not in _chart([], labels=["1", "2"])


def test_the_axis_top_is_a_round_number():
    assert [_nice_top(n) for n in (0, 1, 2, 3, 7, 10, 11, 180, 501)] == [1, 1, 2, 5, 10, 10, 20, 200, 1000]


def test_csv_cells_cannot_run_as_formulas():
    assert [csv_cell(v) for v in ("=1+1", "+33 6", "-2", "@SUM(A1)", "\tx", "Léa", None, 3)] == [
        "'=1+1",
        "'+33 6",
        "'-2",
        "'@SUM(A1)",
        "'\tx",
        "Léa",
        "",
        "3",
    ]
    assert csv_line(["a;b", 'dit "oui"', "=x"]) == '"a;b";"dit ""oui""";\'=x\r\n'
