"""CSV files the team opens in a French Excel: UTF-8 with a BOM (accents intact), `;` between cells, and cells
that cannot run as formulas."""

import csv
from collections.abc import Iterable

from django.http import StreamingHttpResponse

# A cell starting with one of these would run as a formula in Excel or LibreOffice (CSV injection).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value) -> str:
    """`value` as text, with a leading quote when it would start a formula."""
    text = "" if value is None else str(value)
    if text[:1] in _FORMULA_STARTS:
        text = "'" + text
    return text


class _Line:
    value = ""

    def write(self, text: str) -> None:
        self.value = text


def csv_line(row: Iterable) -> str:
    """One line of the file, its cells made safe, ended by CRLF."""
    line = _Line()
    csv.writer(line, delimiter=";", lineterminator="\r\n").writerow([csv_cell(value) for value in row])
    return line.value


def csv_response(*, rows: Iterable[Iterable], filename: str) -> StreamingHttpResponse:
    """A streamed download of `rows` (the header first), so that a long export never sits in memory."""

    def stream():
        yield "\ufeff"
        for row in rows:
            yield csv_line(row)

    response = StreamingHttpResponse(stream(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
