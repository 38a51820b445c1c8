"""The period a simulation covers: a year, half, quarter, month, ISO week or day, by its name.

A period is a range of local dates, first day included and the day after the last excluded; it
becomes instants in the zone it is counted in (local midnight to local midnight), so
``2026-H1`` in WIB starts at 2026-01-01 00:00 WIB.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sp4n.calendars.zones import zoneinfo
from sp4n.errors import InvalidArgumentError

PERIOD_FORMS = "2026, 2026-H1, 2026-Q1, 2026-03, 2026-W10 or 2026-03-02"
"""The names a period may have, as error messages list them."""

_FORMS = re.compile(r"(\d{4})(?:-(H[12]|Q[1-4]|W\d{2}|\d{2})(?:-(\d{2}))?)?")


@dataclass(frozen=True)
class Period:
    """A named range of local dates: ``start`` included, ``end`` excluded."""

    name: str
    start: date
    end: date

    def bounds(self, zone: str) -> tuple[datetime, datetime]:
        """Its first and end instants (UTC) counted in ``zone``: local midnight to local midnight."""
        tz = zoneinfo(zone)
        first = datetime.combine(self.start, time(), tz).astimezone(UTC)
        return first, datetime.combine(self.end, time(), tz).astimezone(UTC)

    def __str__(self) -> str:
        return f"{self.name} ({self.start.isoformat()} to {(self.end - timedelta(days=1)).isoformat()})"


def parse_period(text: str) -> Period:
    """The period named ``text`` (see :data:`PERIOD_FORMS`); InvalidArgumentError naming it otherwise."""
    found = _FORMS.fullmatch(text.strip().upper()) if isinstance(text, str) else None
    if found is None:
        raise InvalidArgumentError("period", text, f"a period such as {PERIOD_FORMS}")
    try:
        start, end = _span(int(found.group(1)), found.group(2), found.group(3))
    except ValueError:
        raise InvalidArgumentError("period", text, f"a period that exists, such as {PERIOD_FORMS}") from None
    return Period(text.strip().upper(), start, end)


def _span(year: int, part: str | None, day: str | None) -> tuple[date, date]:
    if part is None:
        return date(year, 1, 1), date(year + 1, 1, 1)
    if day is not None:
        first = date(year, int(part), int(day))  # ValueError for 2026-02-30 (and for 2026-Q1-02)
        return first, first + timedelta(days=1)
    if part[0] in "HQ":
        months = 6 if part[0] == "H" else 3
        first_month = (int(part[1]) - 1) * months + 1
        return date(year, first_month, 1), _month_after(year, first_month + months - 1)
    if part[0] == "W":
        monday = date.fromisocalendar(year, int(part[1:]), 1)
        return monday, monday + timedelta(days=7)
    return date(year, int(part), 1), _month_after(year, int(part))


def _month_after(year: int, month: int) -> date:
    """The first day of the month after ``month`` of ``year`` (month 1..12)."""
    return date(year + month // 12, month % 12 + 1, 1)
