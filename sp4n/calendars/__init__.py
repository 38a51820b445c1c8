"""WHEN: which days and hours count, and date arithmetic on them.

Pure functions of dates and instants; nothing here reads the clock or touches storage.
"""

from sp4n.calendars.calendar import WorkingCalendar as WorkingCalendar
from sp4n.calendars.calendar import indonesia_calendar as indonesia_calendar
from sp4n.calendars.days import DayKind as DayKind
from sp4n.calendars.days import NonWorkingDay as NonWorkingDay
from sp4n.calendars.days import OfficeHours as OfficeHours
from sp4n.calendars.due import Due as Due
from sp4n.calendars.duration import Duration as Duration
from sp4n.calendars.duration import DurationUnit as DurationUnit
from sp4n.calendars.ics import apply_ics as apply_ics
from sp4n.calendars.ics import calendar_to_ics as calendar_to_ics
from sp4n.calendars.indonesia import default_years as default_years
from sp4n.calendars.overrides import OverrideSet as OverrideSet
from sp4n.calendars.overrides import Removal as Removal
from sp4n.calendars.overrides import apply_overrides as apply_overrides
from sp4n.calendars.overrides import load_overrides as load_overrides
from sp4n.calendars.policy import DEFAULT_POLICY as DEFAULT_POLICY
from sp4n.calendars.policy import AfterHours as AfterHours
from sp4n.calendars.policy import CountingPolicy as CountingPolicy
from sp4n.calendars.policy import ReceiptDay as ReceiptDay
from sp4n.calendars.zones import ZONE_ALIASES as ZONE_ALIASES

__all__ = [
    "DEFAULT_POLICY",
    "ZONE_ALIASES",
    "AfterHours",
    "CountingPolicy",
    "DayKind",
    "Due",
    "Duration",
    "DurationUnit",
    "NonWorkingDay",
    "OfficeHours",
    "OverrideSet",
    "ReceiptDay",
    "Removal",
    "WorkingCalendar",
    "apply_ics",
    "apply_overrides",
    "calendar_to_ics",
    "default_years",
    "indonesia_calendar",
    "load_overrides",
]
