"""Time zones of Indonesia and the checks every instant passes through.

Indonesia has three zones and no daylight saving (Keppres 41/1987). The short names people use
(WIB, WITA, WIT) are accepted as aliases of their IANA names.
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sp4n.errors import NaiveDatetimeError, UnknownZoneError

ZONE_ALIASES: dict[str, str] = {
    "WIB": "Asia/Jakarta",
    "WITA": "Asia/Makassar",
    "WIT": "Asia/Jayapura",
}
"""Indonesian zone abbreviations and the IANA zone each stands for."""

ZONE_ABBREVIATIONS: dict[str, str] = {v: k for k, v in ZONE_ALIASES.items()}


def zone_name(value: Any, argument: str = "zone") -> str:
    """The IANA name for ``value`` (an IANA name or WIB/WITA/WIT), or UnknownZoneError."""
    if not isinstance(value, str) or not value.strip():
        raise UnknownZoneError(argument, value)
    name = ZONE_ALIASES.get(value.strip().upper(), value.strip())
    _zoneinfo(name, argument, value)
    return name


@lru_cache(maxsize=64)
def _load(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def _zoneinfo(name: str, argument: str, original: Any) -> ZoneInfo:
    try:
        return _load(name)
    except (ZoneInfoNotFoundError, ValueError, OSError) as exc:
        raise UnknownZoneError(argument, original) from exc


def zoneinfo(value: Any, argument: str = "zone") -> ZoneInfo:
    """The ZoneInfo for an IANA name or an alias."""
    return _load(zone_name(value, argument))


def require_aware(value: Any, argument: str) -> datetime:
    """``value`` if it is a timezone-aware datetime; a clear error otherwise."""
    if not isinstance(value, datetime):
        from sp4n.errors import InvalidArgumentError

        raise InvalidArgumentError(argument, value, "a timezone-aware datetime")
    if value.tzinfo is None or value.tzinfo.utcoffset(value) is None:
        raise NaiveDatetimeError(argument, value)
    return value
