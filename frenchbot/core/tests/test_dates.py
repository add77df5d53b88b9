"""Date ranges written for people, as the certificates, the attendance sheets and the bot say them."""

import datetime

import pytest
from django.utils import translation

from frenchbot.core.dates import date_range_text

D = datetime.date


@pytest.mark.parametrize(
    ("first", "last", "expected"),
    [
        (D(2026, 3, 12), D(2026, 3, 12), "le 12 mars 2026"),
        (D(2026, 3, 12), D(2026, 3, 13), "du 12 au 13 mars 2026"),
        (D(2026, 12, 1), D(2026, 12, 2), "du 1er au 2 décembre 2026"),
        (D(2026, 3, 30), D(2026, 4, 1), "du 30 mars au 1er avril 2026"),
        (D(2026, 12, 28), D(2027, 1, 2), "du 28 décembre 2026 au 2 janvier 2027"),
    ],
)
def test_a_range_writes_once_what_both_ends_share(first, last, expected):
    with translation.override("fr"):
        assert date_range_text(first, last) == expected


def test_in_english_the_first_of_the_month_has_no_suffix():
    with translation.override("en"):
        assert "1er" not in date_range_text(D(2026, 12, 1), D(2026, 12, 2))
