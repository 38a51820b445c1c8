"""A calendar as JSON-ready data and back, so a stored due date can be explained after a restart."""

from __future__ import annotations

from typing import Any

from sp4n.calendars.calendar import WorkingCalendar
from sp4n.calendars.days import NonWorkingDay
from sp4n.errors import InvalidArgumentError


def calendar_to_dict(cal: WorkingCalendar) -> dict[str, Any]:
    """Everything that decides the calendar's answers, plus its name and version."""
    return {
        "name": cal.name,
        "version": cal.version,
        "zone": cal.zone,
        "weekmask": "".join("1" if w else "0" for w in cal.weekmask),
        "years": list(cal.years),
        "confirmed_years": sorted(cal.confirmed_years),
        "allow_uncovered": cal.allow_uncovered,
        "office_hours": {
            str(wd): [oh.opens.isoformat(), oh.closes.isoformat()] for wd, oh in sorted(cal.office_hours.items())
        },
        "days": [d.model_dump(mode="json") for d in cal.days],
    }


def calendar_from_dict(data: dict[str, Any]) -> WorkingCalendar:
    """The calendar :func:`calendar_to_dict` described; its version must come out the same."""
    try:
        cal = WorkingCalendar(
            years=(int(data["years"][0]), int(data["years"][1])),
            zone=data["zone"],
            weekmask=data["weekmask"],
            days=[NonWorkingDay.model_validate(d) for d in data["days"]],
            office_hours={int(k): tuple(v) for k, v in data["office_hours"].items()},
            confirmed_years=data["confirmed_years"],
            allow_uncovered=bool(data["allow_uncovered"]),
            name=data["name"],
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise InvalidArgumentError("calendar data", type(exc).__name__, f"a stored calendar ({exc})") from None
    expected = data.get("version")
    if expected is not None and cal.version != expected:
        raise InvalidArgumentError("calendar data", expected, f"content whose version is {expected}, not {cal.version}")
    return cal
