"""Due: when a deadline ends, and why that is the day.

A deadline in SP4N-LAPOR! is a promise to a citizen, so sp4n never gives a bare date: a
:class:`Due` carries the instant, the local due date, the days it skipped and their reasons,
whether it rests on estimated or unconfirmed holiday data, and the calendar version, and
``explain()`` says all of it in Indonesian or English.
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from functools import cached_property, lru_cache

from sp4n.calendars.core import CalendarCore
from sp4n.calendars.days import NonWorkingDay
from sp4n.calendars.duration import Duration, DurationUnit
from sp4n.calendars.explain import explain_due
from sp4n.calendars.language import Lang
from sp4n.calendars.language import format_date as format_date
from sp4n.calendars.language import kind_label as kind_label
from sp4n.calendars.language import zone_label as zone_label
from sp4n.calendars.policy import AfterHours, CountingPolicy, ReceiptDay
from sp4n.calendars.zones import require_aware
from sp4n.errors import DateOutOfRangeError


@dataclass(frozen=True, eq=False)
class Due:
    """The end of a deadline.

    ``at`` is the instant the deadline passes, aware, in UTC: for day-based durations the end of
    the local due date (local midnight that follows it); for hour-based ones the exact instant.
    ``counted_from`` is the instant counting started after the policy was applied.
    """

    start: datetime
    duration: Duration
    policy: CountingPolicy
    at: datetime
    local_date: date
    counted_from: datetime
    window: tuple[date, date]
    calendar_version: str
    zone: str
    _calendar: CalendarCore = field(repr=False)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Due) and (self.at, self.local_date, self.calendar_version, self.duration) == (
            other.at,
            other.local_date,
            other.calendar_version,
            other.duration,
        )

    def __hash__(self) -> int:
        return hash((self.at, self.calendar_version))

    @property
    def local_at(self) -> datetime:
        """``at`` in the calendar's zone."""
        return self.at.astimezone(self._calendar.tzinfo)

    @cached_property
    def skipped(self) -> tuple[NonWorkingDay, ...]:
        """Every non-working day inside the counting window, weekends included."""
        if self.duration.unit is DurationUnit.HOURS or self.duration.unit is DurationUnit.CALENDAR_DAYS:
            return ()
        first, last = self.window
        return self._calendar.non_working_days_between(first, last)

    @cached_property
    def _window_days(self) -> tuple[NonWorkingDay, ...]:
        first, last = self.window
        return tuple(d for d in self._calendar.days if first <= d.date <= last)

    @cached_property
    def estimated(self) -> bool:
        """Whether a non-working day in the window has an estimated date (it may still move)."""
        return any(d.estimated for d in self._window_days)

    @cached_property
    def estimated_days(self) -> tuple[NonWorkingDay, ...]:
        """The estimated non-working days in the window."""
        return tuple(d for d in self._window_days if d.estimated)

    @cached_property
    def unconfirmed_years(self) -> tuple[int, ...]:
        """Years of the window without confirmed holiday and joint-leave data."""
        first, last = self.window
        confirmed = self._calendar.confirmed_years
        return tuple(y for y in range(first.year, last.year + 1) if y not in confirmed)

    @property
    def confirmed(self) -> bool:
        """True when the due date rests only on decreed, confirmed dates."""
        return not self.estimated and not self.unconfirmed_years

    def before(self, offset: Duration | str) -> datetime:
        """The instant ``offset`` before this due instant (for warnings), in UTC."""
        return _shift(self, Duration.parse(offset, "offset"), -1)

    def after(self, offset: Duration | str) -> datetime:
        """The instant ``offset`` after this due instant (for follow-up rungs), in UTC."""
        return _shift(self, Duration.parse(offset, "offset"), 1)

    def explain(self, lang: Lang = "en", *, start: str | None = None) -> str:
        """A readable account of why this is the due date, wholly in Indonesian ("id") or English ("en").

        ``start`` names what started the count: None or "submitted" for the receipt of a report
        ("Diterima" / "Received"), "resumed" for a resumption, or the trigger that started the
        clock ("distribute", "verify", "follow_up", ...); an unknown one reads "Mulai dihitung" /
        "Counting started".
        """
        return explain_due(self, lang, start)


def compute_due(
    cal: CalendarCore,
    start: datetime,
    duration: Duration | str,
    policy: CountingPolicy,
    *,
    seconds: int | None = None,
) -> Due:
    """The :class:`Due` of ``duration`` counted from ``start`` on ``cal`` under ``policy``.

    ``seconds`` replaces ``duration.value`` hours for hour-based units, for clocks that resume
    with a part of an hour left.
    """
    start = require_aware(start, "start")
    duration = Duration.parse(duration, "duration")
    try:
        return _compute_due(cal, start, duration, policy, seconds)
    except OverflowError:  # hours or calendar days beyond the last date Python can hold
        raise DateOutOfRangeError(
            "result", f"{duration} from {start.isoformat()}", cal.first_date, cal.last_date
        ) from None


def _compute_due(
    cal: CalendarCore, start: datetime, duration: Duration, policy: CountingPolicy, seconds: int | None
) -> Due:
    tz = cal.tzinfo
    local = start.astimezone(tz)
    if not cal.first_date <= local.date() <= cal.last_date:
        raise DateOutOfRangeError("start", start, cal.first_date, cal.last_date)
    counted_from = _effective_start(cal, local, policy)
    eff_date = counted_from.date()
    n = duration.value
    unit = duration.unit
    if unit is DurationUnit.WORKING_DAYS:
        if policy.receipt_day is ReceiptDay.INCLUDED:
            # day 1 is the day of receipt itself when that is a working day
            counts_today = n and cal.is_working_day(eff_date)
            due_date = cal.add_working_days(eff_date, n - 1 if counts_today else n) if n else eff_date
            first = eff_date
        else:
            due_date = cal.add_working_days(eff_date, n) if n else eff_date
            first = eff_date + timedelta(days=1) if n else eff_date
        at = _end_of_day(cal, due_date)
        window = (first, due_date)
    elif unit is DurationUnit.CALENDAR_DAYS:
        included = policy.receipt_day is ReceiptDay.INCLUDED
        due_date = eff_date + timedelta(days=n - 1 if included and n else n)
        _check_covered(cal, due_date)
        at = _end_of_day(cal, due_date)
        window = (eff_date if included else eff_date + timedelta(days=1), due_date)
    elif unit is DurationUnit.HOURS:
        # elapsed hours are added in UTC: in a zone with daylight saving, local arithmetic would drift
        at = counted_from.astimezone(UTC) + timedelta(seconds=n * 3600 if seconds is None else seconds)
        due_date = at.astimezone(tz).date()
        _check_covered(cal, due_date)
        window = (eff_date, due_date)
    else:
        at = _add_working_seconds(cal, counted_from, n * 3600 if seconds is None else seconds)
        due_date = at.astimezone(tz).date()
        window = (eff_date, due_date)
    # frozen dataclasses assign field by field through object.__setattr__; filling __dict__ at once
    # is several times faster and keeps the instance just as immutable to its users
    due = object.__new__(Due)
    due.__dict__.update(
        start=start,
        duration=duration,
        policy=policy,
        at=at,
        local_date=due_date,
        counted_from=counted_from.astimezone(UTC),
        window=window,
        calendar_version=cal.version,
        zone=cal.zone,
        _calendar=cal,
    )
    return due


def _check_covered(cal: CalendarCore, d: date) -> None:
    if not cal.first_date <= d <= cal.last_date:
        raise DateOutOfRangeError("result", d, cal.first_date, cal.last_date)


def _end_of_day(cal: CalendarCore, d: date) -> datetime:
    return _midnight_after(cal.tzinfo, d)


@lru_cache(maxsize=4096)
def _midnight_after(tz: tzinfo, d: date) -> datetime:
    """The instant (UTC) at which local date ``d`` ends in ``tz``."""
    return datetime.combine(d + timedelta(days=1), time(0), tz).astimezone(UTC)


def _effective_start(cal: CalendarCore, local: datetime, policy: CountingPolicy) -> datetime:
    """The local instant counting starts from, after the after-hours policy."""
    if policy.after_hours is AfterHours.SAME_DAY:
        return local
    d = local.date()
    hours = cal.office_hours.get(d.weekday())
    if cal.is_working_day(d) and (hours is None or local.time() < hours.closes):
        return local
    nxt = cal.add_working_days(d, 1)
    opening = cal.office_hours.get(nxt.weekday())
    return datetime.combine(nxt, opening.opens if opening else time(0), cal.tzinfo)


def _add_working_seconds(cal: CalendarCore, local: datetime, seconds: int) -> datetime:
    """The instant when ``seconds`` of office time have passed since ``local``."""
    if seconds == 0:
        return local.astimezone(UTC)
    cum = cal.office_seconds_cumulative()
    d = local.date()
    i = d.toordinal() - cal.origin_ordinal
    if i < 0 or i >= len(cum) - 1:
        raise DateOutOfRangeError("start", local, cal.first_date, cal.last_date)
    offset = 0
    day_total = cum[i + 1] - cum[i]
    if day_total:
        hours = cal.office_hours[d.weekday()]
        since_open = (local - datetime.combine(d, hours.opens, cal.tzinfo)).total_seconds()
        offset = int(min(max(since_open, 0), day_total))
    target = cum[i] + offset + seconds
    j = bisect_left(cum, target) - 1
    if j >= len(cum) - 1:
        raise DateOutOfRangeError(
            "result", f"{seconds // 3600} working hours from {local}", cal.first_date, cal.last_date
        )
    day = date.fromordinal(cal.origin_ordinal + j)
    opens = cal.office_hours[day.weekday()].opens
    instant = datetime.combine(day, opens, cal.tzinfo) + timedelta(seconds=target - cum[j])
    return instant.astimezone(UTC)


def _shift(due: Due, offset: Duration, sign: int) -> datetime:
    cal = due._calendar
    n = offset.value * sign
    local = due.local_at
    unit = offset.unit
    if unit is DurationUnit.HOURS:
        return due.at + timedelta(hours=n)
    if unit is DurationUnit.WORKING_HOURS:
        return _add_working_seconds(cal, local, n * 3600)
    day_based = due.duration.is_day_based
    base = due.local_date if day_based else local.date()
    if unit is DurationUnit.WORKING_DAYS:
        shifted = cal.add_working_days(base, n) if n else base
    else:
        shifted = base + timedelta(days=n)
        _check_covered(cal, shifted)
    if day_based:
        return _end_of_day(cal, shifted)
    return datetime.combine(shifted, local.timetz()).astimezone(UTC)
