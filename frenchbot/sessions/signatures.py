"""Drawn signatures: what the signing pad sends (JSON strokes of [x, y] points in a 300×100 box), checked
before anything is stored, and drawn back as SVG paths. No markup from the browser is ever kept."""

import json

SIGNATURE_WIDTH = 300
SIGNATURE_HEIGHT = 100
# A drawing with more points than this is refused (a signature needs a few hundred).
SIGNATURE_MAX_POINTS = 4000
SIGNATURE_MIN_POINTS = 5


class InvalidSignature(ValueError):
    pass


def strokes_parse(raw: str) -> list[list[list[float]]]:
    """The strokes in `raw` (the pad's JSON), rounded and clamped to the box; raises InvalidSignature when it is
    not a drawing (not JSON, not lists of pairs of numbers, too few or too many points)."""
    try:
        data = json.loads(raw or "[]")
    except (TypeError, ValueError):
        raise InvalidSignature from None
    if not isinstance(data, list):
        raise InvalidSignature
    strokes, count = [], 0
    for stroke in data:
        if not isinstance(stroke, list):
            raise InvalidSignature
        points = []
        for point in stroke:
            if (
                not isinstance(point, list)
                or len(point) != 2
                or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in point)
            ):
                raise InvalidSignature
            x = min(max(float(point[0]), 0.0), SIGNATURE_WIDTH)
            y = min(max(float(point[1]), 0.0), SIGNATURE_HEIGHT)
            points.append([round(x, 1), round(y, 1)])
        count += len(points)
        if points:
            strokes.append(points)
    if count < SIGNATURE_MIN_POINTS or count > SIGNATURE_MAX_POINTS:
        raise InvalidSignature
    return strokes


def strokes_path(stroke) -> str:
    """The SVG path data of one stroke ("M x y L x y …"); numbers only, so safe inside an attribute."""
    points = [(float(x), float(y)) for x, y in stroke]
    if not points:
        return ""
    if len(points) == 1:
        x, y = points[0]
        return f"M{x:g} {y:g}l0.1 0"
    head, *rest = points
    return f"M{head[0]:g} {head[1]:g}" + "".join(f"L{x:g} {y:g}" for x, y in rest)
