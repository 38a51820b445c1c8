"""The dated non-working days of a calendar and the office hours of its working days."""

from __future__ import annotations

from datetime import date, time
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, field_validator


class DayKind(StrEnum):
    """Why a day is not a working day."""

    NATIONAL_HOLIDAY = "national_holiday"
    """Hari libur nasional, set by decree."""
    JOINT_LEAVE = "joint_leave"
    """Cuti bersama: civil servants do not work."""
    REGIONAL = "regional"
    """A closure decided by a region or an agency."""
    OVERRIDE = "override"
    """Added by hand, for a reason its source gives."""
    WEEKEND = "weekend"
    """Outside the weekmask (only in lists of skipped days, never stored as a dated day)."""


KIND_LABELS: dict[DayKind, tuple[str, str]] = {
    DayKind.NATIONAL_HOLIDAY: ("libur nasional", "national holiday"),
    DayKind.JOINT_LEAVE: ("cuti bersama", "joint leave"),
    DayKind.REGIONAL: ("libur daerah", "regional closure"),
    DayKind.OVERRIDE: ("penetapan khusus", "override"),
    DayKind.WEEKEND: ("akhir pekan", "weekend"),
}
"""Indonesian and English labels of each kind."""


class NonWorkingDay(BaseModel):
    """One dated day off, with its name, kind, legal source and whether its date is estimated."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    date: date
    name: str
    kind: DayKind
    source: str | None = None
    estimated: bool = False

    def __str__(self) -> str:
        flag = " (estimated)" if self.estimated else ""
        return f"{self.date.isoformat()} {self.kind.value}: {self.name}{flag}"


class OfficeHours(BaseModel):
    """Opening and closing time of one weekday, local time."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    opens: time
    closes: time

    @field_validator("closes")
    @classmethod
    def _after_opening(cls, closes: time, info: object) -> time:
        opens = getattr(info, "data", {}).get("opens")
        if opens is not None and closes <= opens:
            raise ValueError(f"closes={closes.isoformat()} must be after opens={opens.isoformat()}")
        return closes

    @property
    def seconds(self) -> int:
        """Length of the office day in seconds."""
        return (self.closes.hour * 3600 + self.closes.minute * 60 + self.closes.second) - (
            self.opens.hour * 3600 + self.opens.minute * 60 + self.opens.second
        )


WEEKDAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
WEEKDAY_LABELS_ID = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")
WEEKDAY_LABELS_EN = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

DEFAULT_OFFICE_HOURS: dict[int, OfficeHours] = {
    0: OfficeHours(opens=time(7, 30), closes=time(16, 0)),
    1: OfficeHours(opens=time(7, 30), closes=time(16, 0)),
    2: OfficeHours(opens=time(7, 30), closes=time(16, 0)),
    3: OfficeHours(opens=time(7, 30), closes=time(16, 0)),
    4: OfficeHours(opens=time(7, 30), closes=time(16, 30)),
}
"""07:30-16:00 Monday to Thursday, 07:30-16:30 Friday (43 hours a week, breaks included), a
common government schedule. It is a default, not a rule: pass ``office_hours`` for a unit that works otherwise."""
