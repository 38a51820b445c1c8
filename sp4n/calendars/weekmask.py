"""Parsing a calendar's weekmask and office hours from what people write."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import time
from typing import Any

from sp4n.calendars.days import DEFAULT_OFFICE_HOURS, WEEKDAY_LABELS_EN, WEEKDAY_NAMES, OfficeHours
from sp4n.errors import InvalidArgumentError

_DAY_WORDS = {name: i for i, name in enumerate(WEEKDAY_NAMES)} | {
    full.lower(): i for i, full in enumerate(WEEKDAY_LABELS_EN)
}


def parse_weekmask(weekmask: str | Sequence[bool] | Sequence[int]) -> tuple[bool, ...]:
    """Seven booleans, Monday first, from "1111100", "Mon Tue Wed Thu Fri" or a sequence of 0/1."""
    expected = "seven 0/1 digits from Monday ('1111100'), day names ('Mon Tue Wed') or seven booleans"
    if isinstance(weekmask, str):
        text = weekmask.strip()
        if len(text) == 7 and set(text) <= {"0", "1"}:
            mask = tuple(c == "1" for c in text)
        else:
            words = [w.strip().lower() for w in text.replace(",", " ").split()]
            if not words or any(w not in _DAY_WORDS for w in words):
                raise InvalidArgumentError("weekmask", weekmask, expected)
            days = {_DAY_WORDS[w] for w in words}
            mask = tuple(i in days for i in range(7))
    else:
        values = list(weekmask)
        if len(values) != 7 or any(not isinstance(v, bool | int) or v not in (0, 1) for v in values):
            raise InvalidArgumentError("weekmask", weekmask, expected)
        mask = tuple(bool(v) for v in values)
    if not any(mask):
        raise InvalidArgumentError("weekmask", weekmask, "at least one working weekday")
    return mask


def parse_office_hours(office_hours: Mapping[Any, Any] | None, weekmask: tuple[bool, ...]) -> dict[int, OfficeHours]:
    """Office hours by weekday (Monday = 0) from names or numbers and ("07:30", "16:00") pairs."""
    if office_hours is None:
        return {wd: oh for wd, oh in DEFAULT_OFFICE_HOURS.items() if weekmask[wd]}
    result: dict[int, OfficeHours] = {}
    for key, value in office_hours.items():
        if isinstance(key, int) and 0 <= key <= 6:
            wd = key
        elif isinstance(key, str) and key.strip().lower()[:3] in WEEKDAY_NAMES:
            wd = WEEKDAY_NAMES.index(key.strip().lower()[:3])
        else:
            raise InvalidArgumentError("office_hours", key, "a weekday: 0-6 (Monday = 0) or a name")
        if not weekmask[wd]:
            raise InvalidArgumentError(
                f"office_hours[{key!r}]",
                value,
                f"office hours only on working weekdays; {WEEKDAY_NAMES[wd]} is not one",
            )
        if isinstance(value, OfficeHours):
            result[wd] = value
        elif isinstance(value, Sequence) and len(value) == 2:
            try:
                opens, closes = (time.fromisoformat(v) if isinstance(v, str) else v for v in value)
            except (TypeError, ValueError):
                raise InvalidArgumentError(
                    f"office_hours[{key!r}]", value, "(opens, closes) as 'HH:MM' times"
                ) from None
            if not isinstance(opens, time) or not isinstance(closes, time) or closes <= opens:
                raise InvalidArgumentError(
                    f"office_hours[{key!r}]", value, f"closes={closes} must be after opens={opens}"
                )
            result[wd] = OfficeHours(opens=opens, closes=closes)
        else:
            raise InvalidArgumentError(f"office_hours[{key!r}]", value, "(opens, closes) such as ('07:30', '16:00')")
    return result
