"""Durations of deadlines: a whole number and a unit, written as people write them.

``Duration.parse("3 working days")`` and ``Duration.parse("3 hari kerja")`` are equal; ``str()``
prints the English form back. A bare "days" is refused because the rules of SP4N-LAPOR! mean
working days unless they say otherwise, and a deadline should never rest on a guess.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, model_serializer, model_validator

from sp4n.errors import InvalidDurationError


class DurationUnit(StrEnum):
    """What a duration counts."""

    WORKING_DAYS = "working days"
    WORKING_HOURS = "working hours"
    HOURS = "hours"
    CALENDAR_DAYS = "calendar days"


UNIT_LABELS: dict[DurationUnit, tuple[str, str, str]] = {
    DurationUnit.WORKING_DAYS: ("hari kerja", "working day", "working days"),
    DurationUnit.WORKING_HOURS: ("jam kerja", "working hour", "working hours"),
    DurationUnit.HOURS: ("jam", "hour", "hours"),
    DurationUnit.CALENDAR_DAYS: ("hari kalender", "calendar day", "calendar days"),
}
"""Each unit in Indonesian, and in English for one and for more than one."""

_UNIT_WORDS: dict[str, DurationUnit] = {word: unit for unit, words in UNIT_LABELS.items() for word in words}

_PATTERN = re.compile(r"^\s*(-?[0-9]{1,9})\s+([a-z ]+?)\s*$", re.ASCII)
"""A whole number of ASCII digits (at most nine: no duration is longer) and a unit."""
_KNOWN = "working days, working hours, hours, calendar days (or hari kerja, jam kerja, jam, hari kalender)"


class Duration(BaseModel):
    """A non-negative whole number of working days, working hours, hours or calendar days."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    value: int
    unit: DurationUnit

    @model_validator(mode="before")
    @classmethod
    def _from_text(cls, data: Any) -> Any:
        if isinstance(data, str):
            return _parse_parts(data, "duration")
        return data

    @model_validator(mode="after")
    def _check(self) -> Duration:
        if isinstance(self.value, bool) or self.value < 0:
            raise ValueError(f"value must be a whole number >= 0, got {self.value!r}")
        return self

    @model_serializer
    def _to_text(self) -> str:
        return str(self)

    @classmethod
    def parse(cls, text: Any, argument: str = "duration") -> Duration:
        """Parse "3 working days", "8 working hours", "24 hours", "10 calendar days" (or Indonesian)."""
        if isinstance(text, Duration):
            return text
        if not isinstance(text, str):
            raise InvalidDurationError(argument, text, "expected text such as '3 working days'")
        parts = _parse_parts(text, argument)
        return cls(value=parts["value"], unit=parts["unit"])

    def __str__(self) -> str:
        _, singular, plural = UNIT_LABELS[self.unit]
        return f"{self.value} {singular if self.value == 1 else plural}"

    def __repr__(self) -> str:
        return f"Duration({str(self)!r})"

    @property
    def is_day_based(self) -> bool:
        """Whether this duration ends at the end of a local day (rather than at an exact instant)."""
        return self.unit in (DurationUnit.WORKING_DAYS, DurationUnit.CALENDAR_DAYS)


def _parse_parts(text: str, argument: str) -> dict[str, Any]:
    match = _PATTERN.match(text.lower())
    if match is None:
        raise InvalidDurationError(argument, text, f"expected '<whole number> <unit>' with unit one of {_KNOWN}")
    number, word = int(match.group(1)), match.group(2)
    if number < 0:
        raise InvalidDurationError(argument, text, "a duration cannot be negative")
    if word in ("day", "days", "hari"):
        raise InvalidDurationError(argument, text, "say 'working days' or 'calendar days'; a bare 'days' is ambiguous")
    unit = _UNIT_WORDS.get(word)
    if unit is None:
        raise InvalidDurationError(argument, text, f"unknown unit {word!r}; use one of {_KNOWN}")
    return {"value": number, "unit": unit}
