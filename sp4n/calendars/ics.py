"""iCalendar (RFC 5545) export and import of a calendar's dated non-working days.

Export writes one all-day event per day, with its kind in CATEGORIES, its legal source in
DESCRIPTION and ``X-SP4N-ESTIMATED:TRUE`` when its date is estimated, so that importing the file
into an empty calendar gives the same days back. Import takes all-day events only: a working
calendar has no half-days, so a timed event is an error, not something to round.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import cast

from icalendar import Calendar, Event

from sp4n.calendars.core import Cal, CalendarCore
from sp4n.calendars.days import DayKind, NonWorkingDay
from sp4n.errors import InvalidArgumentError, OverrideFileError

PRODID = "-//sp4n//sp4n calendar//EN"
_ONE_DAY = timedelta(days=1)
_KINDS = {k.value: k for k in DayKind if k is not DayKind.WEEKEND}


def _uid(day: NonWorkingDay) -> str:
    return f"{day.date.strftime('%Y%m%d')}-{day.kind.value}@sp4n"


def calendar_to_ics(cal: CalendarCore) -> bytes:
    """The dated non-working days of ``cal`` as an iCalendar file, one all-day event per day."""
    ics = Calendar()
    ics.add("prodid", PRODID)
    ics.add("version", "2.0")
    ics.add("calscale", "GREGORIAN")
    ics.add("x-wr-calname", cal.name)
    ics.add("x-sp4n-version", cal.version)
    for day in cal.days:
        event = Event()
        event.add("uid", _uid(day))
        # RFC 5545 requires DTSTAMP; deriving it from the day keeps the file byte-stable for one
        # calendar version, where the wall clock would change it on every export.
        event.add("dtstamp", datetime.combine(day.date, time(0), UTC))
        event.add("dtstart", day.date)
        event.add("dtend", day.date + _ONE_DAY)
        event.add("summary", day.name)
        event.add("categories", [day.kind.value])
        if day.source:
            event.add("description", day.source)
        if day.estimated:
            event.add("x-sp4n-estimated", "TRUE")
        event.add("transp", "TRANSPARENT")
        ics.add_component(event)
    return cast(bytes, ics.to_ical())


def _load(source: str | bytes | Path) -> tuple[str, str, bytes]:
    """(origin for errors, label for default sources, data)."""
    if isinstance(source, bytes):
        return "<iCalendar data>", "data", source
    if isinstance(source, str) and source.lstrip("\ufeff \t\r\n").upper().startswith("BEGIN:"):
        return "<iCalendar data>", "data", source.encode("utf-8")
    if not isinstance(source, str | Path):
        raise OverrideFileError(repr(source), "", "expected a path, bytes or str of iCalendar data")
    path = Path(source)
    try:
        return str(path), path.name, path.read_bytes()
    except FileNotFoundError:
        raise OverrideFileError(str(path), "", "file not found") from None
    except OSError as exc:
        raise OverrideFileError(str(path), "", f"cannot read the file: {exc.strerror or exc}") from exc


def _parse(origin: str, data: bytes) -> Calendar:
    try:
        parsed = Calendar.from_ical(data)
    except ValueError as exc:
        raise OverrideFileError(origin, "", f"not iCalendar data: {exc}") from exc
    if not isinstance(parsed, Calendar):
        raise OverrideFileError(origin, "", f"expected a VCALENDAR; got {getattr(parsed, 'name', parsed)!r}")
    return parsed


def _event_days(
    cal: CalendarCore, event: Event, origin: str, where: str, label: str, default_kind: DayKind
) -> list[NonWorkingDay]:
    """The days an all-day event covers, or the reason it cannot be imported."""
    if event.errors:
        prop, message = event.errors[0]
        raise OverrideFileError(origin, where, f"{prop or 'event'} cannot be read: {message}")
    if "DTSTART" not in event:
        raise OverrideFileError(origin, where, "no DTSTART")
    if "RRULE" in event or "RDATE" in event:
        raise OverrideFileError(origin, where, "recurring events are not supported; list each day as its own event")
    try:
        start, end = event.start, event.end
    except ValueError as exc:
        raise OverrideFileError(origin, where, f"DTSTART/DTEND/DURATION cannot be read: {exc}") from exc
    if isinstance(start, datetime) or isinstance(end, datetime):
        raise OverrideFileError(
            origin,
            where,
            f"starts at {start.isoformat()} (DTSTART): a timed event; a working calendar has no half-days, "
            "so only all-day events (DTSTART;VALUE=DATE) can be imported",
        )
    if end <= start:
        raise OverrideFileError(origin, where, f"ends ({end.isoformat()}) on or before it starts ({start.isoformat()})")
    # Both ends are checked before expanding, so an event spanning centuries fails at once.
    first, last = cal.years
    if not cal.is_covered(start) or not cal.is_covered(end - _ONE_DAY):
        outside = start if not cal.is_covered(start) else date(last + 1, 1, 1)
        raise OverrideFileError(origin, where, f"{outside.isoformat()} is outside the calendar's years {first}-{last}")
    name = str(event.get("SUMMARY", "")).strip()
    if not name:
        raise OverrideFileError(origin, where, "no SUMMARY (the name of the day)")
    categories = [str(c).strip().lower() for c in event.categories]
    kind = next((_KINDS[c] for c in categories if c in _KINDS), default_kind)
    description = str(event.get("DESCRIPTION", "")).strip()
    flag = str(event.get("X-SP4N-ESTIMATED", "FALSE")).strip().upper()
    if flag not in ("TRUE", "FALSE"):
        raise OverrideFileError(origin, where, f'X-SP4N-ESTIMATED is "{flag}"; expected TRUE or FALSE')
    return [
        NonWorkingDay(
            date=start + timedelta(days=i),
            name=name,
            kind=kind,
            source=description or f"iCalendar import: {label}",
            estimated=flag == "TRUE",
        )
        for i in range((end - start).days)
    ]


def _describe(event: Event, number: int) -> str:
    summary = str(event.get("SUMMARY", "")).strip()
    return f'VEVENT {number} ("{summary}")' if summary else f"VEVENT {number}"


def apply_ics(cal: Cal, source: str | bytes | Path, *, kind: DayKind = DayKind.OVERRIDE) -> Cal:
    """A new calendar with every all-day event of an iCalendar file added as a non-working day.

    ``source`` is a path, or the data itself (bytes, or a str starting with ``BEGIN:``). An event's
    kind comes from its CATEGORIES when one names a kind, else from ``kind``.
    """
    if kind not in _KINDS.values():
        raise InvalidArgumentError("kind", kind, f"one of {', '.join(_KINDS)}")
    origin, label, data = _load(source)
    parsed = _parse(origin, data)
    added: dict[date, tuple[NonWorkingDay, str]] = {}
    for number, event in enumerate(parsed.events, start=1):
        where = _describe(event, number)
        for day in _event_days(cal, event, origin, where, label, kind):
            if day.date in added:
                raise OverrideFileError(
                    origin, where, f"{day.date.isoformat()} is already given by {added[day.date][1]}"
                )
            added[day.date] = (day, where)
    calname = str(parsed.get("X-WR-CALNAME", "")).strip()
    name = f"{cal.name} + {calname}" if calname and calname != cal.name else None
    return cal.with_days(add=[day for day, _ in added.values()], name=name)


__all__ = ["PRODID", "apply_ics", "calendar_to_ics"]
