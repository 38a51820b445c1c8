"""Periods of a report: a day, an ISO week, a month, a quarter, a half-year or a year, written as
``2026-11-29``, ``2026-W14``, ``2026-03``, ``2026-Q1``, ``2026-H1`` or ``2026``.

A period is a span of local dates, start included and end excluded; each complaint falls in it
by the local date of its receipt in its own zone. A period splits into buckets of a smaller unit
(the months of a quarter, the ISO weeks that start in a month), labelled the same way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from sp4n.errors import InvalidData


class Unit(StrEnum):
    """How long a period is."""

    DAY = "day"
    WEEK = "week"
    MONTH = "month"
    QUARTER = "quarter"
    HALF = "half"
    YEAR = "year"


_FORMS = "'2026-11-29' (day), '2026-W14' (ISO week), '2026-03', '2026-Q1', '2026-H1' or '2026'"
_PATTERNS = (
    (Unit.DAY, re.compile(r"(\d{4})-(\d{2})-(\d{2})")),
    (Unit.WEEK, re.compile(r"(\d{4})-W(\d{2})")),
    (Unit.MONTH, re.compile(r"(\d{4})-(\d{2})")),
    (Unit.QUARTER, re.compile(r"(\d{4})-Q(\d)")),
    (Unit.HALF, re.compile(r"(\d{4})-H(\d)")),
    (Unit.YEAR, re.compile(r"(\d{4})")),
)
_MONTHS = {Unit.MONTH: 1, Unit.QUARTER: 3, Unit.HALF: 6, Unit.YEAR: 12}


def _add_months(d: date, months: int) -> date:
    index = d.year * 12 + d.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


FIRST_YEAR, LAST_YEAR = 1900, 2199
"""The years a period may fall in: complaints are counted in local time, and a day at either end
of what Python's dates hold cannot be turned into instants in every zone."""


@dataclass(frozen=True, order=True)
class Period:
    """Local dates ``start`` (included) to ``end`` (excluded), of one :class:`Unit`."""

    start: date
    end: date
    unit: Unit

    @classmethod
    def parse(cls, text: object) -> Period:
        """The period ``text`` names; InvalidData naming the text when it names none."""
        if not isinstance(text, str):
            raise InvalidData("period", text, f"a period such as {_FORMS}")
        for unit, pattern in _PATTERNS:
            match = pattern.fullmatch(text.strip())
            if match is None:
                continue
            numbers = [int(g) for g in match.groups()]
            if not FIRST_YEAR <= numbers[0] <= LAST_YEAR:
                raise InvalidData("period", text, f"a period of a year from {FIRST_YEAR} to {LAST_YEAR}")
            try:
                return cls._of(unit, *numbers)
            except ValueError as exc:
                raise InvalidData("period", text, f"no such {unit.value} ({exc})") from None
        raise InvalidData("period", text, f"a period such as {_FORMS}")

    @classmethod
    def _of(cls, unit: Unit, year: int, number: int = 1, day: int = 1) -> Period:
        if unit is Unit.DAY:
            start = date(year, number, day)
            return cls(start, start + timedelta(days=1), unit)
        if unit is Unit.WEEK:
            start = date.fromisocalendar(year, number, 1)
            return cls(start, start + timedelta(days=7), unit)
        if unit is Unit.MONTH and not 1 <= number <= 12:
            raise ValueError(f"month {number} is not 1 to 12")
        if unit is Unit.QUARTER and not 1 <= number <= 4:
            raise ValueError(f"quarter {number} is not 1 to 4")
        if unit is Unit.HALF and not 1 <= number <= 2:
            raise ValueError(f"half {number} is not 1 or 2")
        first_month = {Unit.MONTH: number, Unit.QUARTER: 3 * number - 2, Unit.HALF: 6 * number - 5}.get(unit, 1)
        start = date(year, first_month, 1)
        return cls(start, _add_months(start, _MONTHS[unit]), unit)

    @classmethod
    def containing(cls, d: date, unit: Unit) -> Period:
        """The period of ``unit`` that holds the date ``d``."""
        if unit is Unit.DAY:
            return cls._of(unit, d.year, d.month, d.day)
        if unit is Unit.WEEK:
            year, week, _ = d.isocalendar()
            return cls._of(unit, year, week)
        number = {Unit.MONTH: d.month, Unit.QUARTER: (d.month + 2) // 3, Unit.HALF: (d.month + 5) // 6}.get(unit, 1)
        return cls._of(unit, d.year, number)

    @property
    def label(self) -> str:
        """The period written as :meth:`parse` reads it."""
        s = self.start
        if self.unit is Unit.DAY:
            return s.isoformat()
        if self.unit is Unit.WEEK:
            year, week, _ = s.isocalendar()
            return f"{year}-W{week:02d}"
        return {
            Unit.MONTH: f"{s.year}-{s.month:02d}",
            Unit.QUARTER: f"{s.year}-Q{(s.month + 2) // 3}",
            Unit.HALF: f"{s.year}-H{(s.month + 5) // 6}",
        }.get(self.unit, str(s.year))

    def __str__(self) -> str:
        return self.label

    def split(self, unit: Unit) -> list[Period]:
        """The periods of ``unit`` that start inside this one (the first also holds its start),
        in order: the buckets of a trend."""
        out = [Period.containing(self.start, unit)]
        while out[-1].end < self.end:
            out.append(Period.containing(out[-1].end, unit))
        return out
