"""Sane ranges for the numbers of an SOP: budgets, rung offsets and extension maxima.

A budget of 10^4 working days validates as a number but reaches past any calendar, so every
submit under it would fail; 10^9 calendar days overflows date arithmetic. No public-service
deadline runs longer than a few years, so each unit has a ceiling of about five years, checked
when the SOP is built, and the message names the place, the value and the ceiling.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import NoReturn

from sp4n.calendars.duration import Duration, DurationUnit
from sp4n.errors import SopValidationError
from sp4n.states.model import Sop

MAX_DURATION = {
    DurationUnit.WORKING_DAYS: 1250,
    DurationUnit.WORKING_HOURS: 10_000,
    DurationUnit.HOURS: 43_800,
    DurationUnit.CALENDAR_DAYS: 1826,
}
"""The longest budget, rung offset or extension maximum of each unit: about five years."""


def _fail(source: str, location: str, reason: str) -> NoReturn:
    raise SopValidationError(source, location, reason)


def _durations(sop: Sop) -> Iterator[tuple[str, Duration]]:
    for clock in sop.clocks:
        where = f"clocks.{clock.name}"
        if clock.budget is not None:
            yield f"{where}.budget", clock.budget
        for key, value in clock.budgets.items():
            yield f"{where}.budgets.{key}", value
        if clock.extension_max is not None:
            yield f"{where}.extension_max", clock.extension_max
        for rung in clock.rungs:
            for field in ("before", "after"):
                offset = getattr(rung, field)
                if offset is not None:
                    yield f"{where}.rungs.{rung.name}.{field}", offset


def check_bounds(sop: Sop, source: str) -> None:
    """Budgets, rung offsets and extension maxima stay within about five years of their unit."""
    for location, duration in _durations(sop):
        ceiling = Duration(value=MAX_DURATION[duration.unit], unit=duration.unit)
        if duration.value > ceiling.value:
            _fail(source, location, f"{duration} is longer than any deadline sp4n counts (at most {ceiling})")
