"""Calendar overrides: dated days added to or removed from a calendar by a YAML or TOML file.

Decrees change holidays at short notice (an extra joint-leave day, a holiday moved after the
sighting of the moon, a regional closure). An override file records each change with its legal
source, so the calendar that results says where every day came from::

    name: "Jawa Tengah 2026"
    add:
      - {date: 2026-08-18, name: "Cuti bersama HUT RI ke-81", kind: joint_leave,
         source: "SKB 3 Menteri (amendment), 2026", confirmed: true}
    remove:
      - {date: 2026-03-20, source: "Decree moving the holiday", reason: "moved to 2026-03-27"}

Every problem raises :class:`~sp4n.errors.OverrideFileError` naming the place and the value, and
nothing is applied unless the whole file is valid.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sp4n.calendars.core import Cal
from sp4n.calendars.days import DayKind, NonWorkingDay
from sp4n.documents import check_shape, read_document
from sp4n.errors import DocumentError, OverrideFileError

_TOP_KEYS = ("name", "add", "remove")
_ADD_KEYS = ("date", "name", "kind", "source", "confirmed")
_REMOVE_KEYS = ("date", "source", "reason")
_KINDS = tuple(k.value for k in DayKind if k is not DayKind.WEEKEND)
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_SUFFIXES = (".yaml", ".yml", ".toml")


@dataclass(frozen=True)
class Removal:
    """A dated non-working day to take out of a calendar, with the source that says so."""

    date: date
    source: str
    reason: str | None = None


@dataclass(frozen=True)
class OverrideSet:
    """A validated override file, not yet applied to a calendar. ``origin`` names it in errors."""

    origin: str
    name: str | None
    add: tuple[NonWorkingDay, ...]
    remove: tuple[Removal, ...]


def _show(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


def _read(path: Path) -> Any:
    origin = str(path)
    if path.suffix.lower() not in _SUFFIXES:
        raise OverrideFileError(origin, "", f"{_show(path.name)} does not end in .yaml, .yml or .toml")
    try:
        return read_document(path, dates_as_text=True)
    except DocumentError as exc:
        raise OverrideFileError(origin, exc.location, exc.reason) from None


class _Entries:
    """Checks the fields of one file, raising errors that carry its origin."""

    def __init__(self, origin: str) -> None:
        self.origin = origin

    def fail(self, location: str, reason: str) -> OverrideFileError:
        return OverrideFileError(self.origin, location, reason)

    def mapping(self, value: Any, location: str, keys: tuple[str, ...]) -> Mapping[str, Any]:
        if not isinstance(value, Mapping):
            raise self.fail(location, f"expected a mapping with keys {', '.join(keys)}; got {_show(value)}")
        for key in value:
            if key not in keys:
                raise self.fail(location, f"unknown key {_show(key)}; allowed keys: {', '.join(keys)}")
        return value

    def entries(self, value: Any, location: str) -> list[Any]:
        if value is None:
            return []
        if not isinstance(value, list):
            raise self.fail(location, f"expected a list of entries; got {_show(value)}")
        return value

    def text(self, entry: Mapping[str, Any], key: str, location: str, why: str = "") -> str:
        where = f"{location}.{key}" if location else key
        if key not in entry:
            raise self.fail(where, f"missing{why}")
        value = entry[key]
        if not isinstance(value, str) or not value.strip():
            raise self.fail(where, f"{_show(value)} is not a non-empty text{why}")
        return value.strip()

    def optional_text(self, entry: Mapping[str, Any], key: str, location: str) -> str | None:
        return self.text(entry, key, location) if key in entry else None

    def date(self, entry: Mapping[str, Any], location: str) -> date:
        if "date" not in entry:
            raise self.fail(f"{location}.date", "missing")
        value = entry["date"]
        if isinstance(value, datetime):
            raise self.fail(f"{location}.date", f"{_show(value)} is a date and time; give a date (YYYY-MM-DD)")
        if isinstance(value, date):
            return value
        if isinstance(value, str) and _ISO_DATE.fullmatch(value.strip()):
            try:
                return date.fromisoformat(value.strip())
            except ValueError:
                pass
        raise self.fail(f"{location}.date", f"{_show(value)} is not a date (YYYY-MM-DD)")

    def kind(self, entry: Mapping[str, Any], location: str) -> DayKind:
        value = entry.get("kind", DayKind.OVERRIDE.value)
        if isinstance(value, str) and value in _KINDS:
            return DayKind(value)
        hint = " (weekends come from the weekmask)" if value == DayKind.WEEKEND.value else ""
        raise self.fail(f"{location}.kind", f"{_show(value)} is not allowed{hint}; use one of {', '.join(_KINDS)}")


_SOURCE_WHY = "; every override must name its legal source (e.g. the decree)"


def load_overrides(source: str | Path | Mapping[str, Any]) -> OverrideSet:
    """Read and check an override file (or mapping) without a calendar."""
    if isinstance(source, Mapping):
        origin, data = "<mapping>", source
        try:
            check_shape(data)
        except DocumentError as exc:
            raise OverrideFileError(origin, exc.location, exc.reason) from None
    elif isinstance(source, str | Path):
        origin, data = str(source), _read(Path(source))
    else:
        raise OverrideFileError(repr(source), "", "expected a path to a .yaml/.yml/.toml file or a mapping")
    check = _Entries(origin)
    if data is None:
        raise check.fail("top level", "the file is empty")
    top = check.mapping(data, "top level", _TOP_KEYS)
    name = check.optional_text(top, "name", "")
    added: list[NonWorkingDay] = []
    seen: dict[date, str] = {}
    for i, raw in enumerate(check.entries(top.get("add"), "add")):
        loc = f"add[{i}]"
        entry = check.mapping(raw, loc, _ADD_KEYS)
        day = check.date(entry, loc)
        if day in seen:
            raise check.fail(f"{loc}.date", f"{day.isoformat()} is already listed at {seen[day]}")
        seen[day] = loc
        confirmed = entry.get("confirmed", True)
        if not isinstance(confirmed, bool):
            raise check.fail(f"{loc}.confirmed", f"{_show(confirmed)} is not true or false")
        added.append(
            NonWorkingDay(
                date=day,
                name=check.text(entry, "name", loc),
                kind=check.kind(entry, loc),
                source=check.text(entry, "source", loc, _SOURCE_WHY),
                estimated=not confirmed,
            )
        )
    removed: list[Removal] = []
    for i, raw in enumerate(check.entries(top.get("remove"), "remove")):
        loc = f"remove[{i}]"
        entry = check.mapping(raw, loc, _REMOVE_KEYS)
        day = check.date(entry, loc)
        if day in seen:
            raise check.fail(
                f"{loc}.date",
                f"{day.isoformat()} is already listed at {seen[day]}; to replace a day, list it in add only",
            )
        seen[day] = loc
        removed.append(
            Removal(
                date=day,
                source=check.text(entry, "source", loc, _SOURCE_WHY),
                reason=check.optional_text(entry, "reason", loc),
            )
        )
    return OverrideSet(origin=origin, name=name, add=tuple(added), remove=tuple(removed))


def apply_overrides(cal: Cal, source: str | Path | Mapping[str, Any] | OverrideSet) -> Cal:
    """A new calendar (and so a new version) with the overrides of a file or mapping applied."""
    overrides = source if isinstance(source, OverrideSet) else load_overrides(source)
    first, last = cal.years
    dated = {d.date for d in cal.days}
    located = [(f"add[{i}]", d.date) for i, d in enumerate(overrides.add)]
    located += [(f"remove[{i}]", r.date) for i, r in enumerate(overrides.remove)]
    for loc, day in located:
        if not cal.is_covered(day):
            raise OverrideFileError(
                overrides.origin, f"{loc}.date", f"{day.isoformat()} is outside the calendar's years {first}-{last}"
            )
    for i, removal in enumerate(overrides.remove):
        if removal.date not in dated:
            raise OverrideFileError(
                overrides.origin,
                f"remove[{i}].date",
                f"{removal.date.isoformat()} is not a dated non-working day of {cal.name}",
            )
    name = f"{cal.name} + {overrides.name}" if overrides.name else None
    return cal.with_days(add=overrides.add, remove=[r.date for r in overrides.remove], name=name)


__all__ = ["OverrideSet", "Removal", "apply_overrides", "load_overrides"]
