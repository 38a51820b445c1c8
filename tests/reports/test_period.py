"""Periods: every form parses to its span of local dates, splits into buckets, and a bad string
is refused naming it."""

from __future__ import annotations

from datetime import date

import pytest

from sp4n.errors import InvalidData
from sp4n.reports import Period, Unit


@pytest.mark.parametrize(
    ("text", "start", "end", "unit"),
    [
        ("2026-11-29", date(2026, 11, 29), date(2026, 11, 30), Unit.DAY),
        ("2026-W14", date(2026, 3, 30), date(2026, 4, 6), Unit.WEEK),
        ("2026-W01", date(2025, 12, 29), date(2026, 1, 5), Unit.WEEK),
        ("2026-03", date(2026, 3, 1), date(2026, 4, 1), Unit.MONTH),
        ("2026-12", date(2026, 12, 1), date(2027, 1, 1), Unit.MONTH),
        ("2026-Q1", date(2026, 1, 1), date(2026, 4, 1), Unit.QUARTER),
        ("2026-Q4", date(2026, 10, 1), date(2027, 1, 1), Unit.QUARTER),
        ("2026-H1", date(2026, 1, 1), date(2026, 7, 1), Unit.HALF),
        ("2026-H2", date(2026, 7, 1), date(2027, 1, 1), Unit.HALF),
        ("2026", date(2026, 1, 1), date(2027, 1, 1), Unit.YEAR),
    ],
)
def test_every_form(text: str, start: date, end: date, unit: Unit) -> None:
    period = Period.parse(text)
    assert (period.start, period.end, period.unit) == (start, end, unit)
    assert period.label == str(period) == text


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2026-13", r"period='2026-13' is invalid: no such month \(month 13 is not 1 to 12\)"),
        ("2026-Q5", r"period='2026-Q5' is invalid: no such quarter \(quarter 5 is not 1 to 4\)"),
        ("2026-H3", r"period='2026-H3' is invalid: no such half \(half 3 is not 1 or 2\)"),
        ("2026-02-30", r"period='2026-02-30' is invalid: no such day \(day is out of range for month\)"),
        ("2026-W54", r"period='2026-W54' is invalid: no such week"),
        ("Q1 2026", r"period='Q1 2026' is invalid: a period such as '2026-11-29' \(day\), '2026-W14'"),
        ("", r"period='' is invalid: a period such as"),
        (2026, r"period=2026 is invalid: a period such as"),
        ("0001", r"^period='0001' is invalid: a period of a year from 1900 to 2199$"),
        ("9999-W52", r"^period='9999-W52' is invalid: a period of a year from 1900 to 2199$"),
        ("9999-12-31", r"^period='9999-12-31' is invalid: a period of a year from 1900 to 2199$"),
    ],
)
def test_bad_periods_are_refused(text: object, message: str) -> None:
    with pytest.raises(InvalidData, match=message):
        Period.parse(text)


def test_a_period_splits_into_buckets() -> None:
    assert [p.label for p in Period.parse("2026-Q1").split(Unit.MONTH)] == ["2026-01", "2026-02", "2026-03"]
    assert [p.label for p in Period.parse("2026-03").split(Unit.WEEK)] == [
        "2026-W09",
        "2026-W10",
        "2026-W11",
        "2026-W12",
        "2026-W13",
        "2026-W14",
    ]
    assert [p.label for p in Period.parse("2026").split(Unit.HALF)] == ["2026-H1", "2026-H2"]
    assert len(Period.parse("2026-02").split(Unit.DAY)) == 28
    assert Period.parse("2026-W14").split(Unit.YEAR) == [Period.parse("2026")]
