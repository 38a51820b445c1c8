"""CalendarCore: which days count, and arithmetic on working days in O(1).

This is the part of :class:`~sp4n.calendars.WorkingCalendar` that the counting, explaining,
import and export modules build on; ``calendar.py`` adds the entry points that call into them,
so none of those modules imports the calendar that imports it.

A calendar is an immutable value: a weekmask, dated non-working days, a zone, office hours and the
years it covers. On construction it precomputes, for every day it covers, how many working days
precede it (``rank``) and the list of working days in order (``workdays``). Every question is then
one or two list look-ups, never a walk over days:

* ``add_working_days(d, n)`` is ``workdays[rank_before_or_at(d) + n - 1]`` for ``n > 0``;
* ``working_days_between(a, b)`` is ``rank(b) - rank(a)``.

The bulk variants do the same look-ups on numpy arrays.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, time
from typing import Any, Self, TypeVar
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt

from sp4n.calendars.days import WEEKDAY_LABELS_EN, WEEKDAY_LABELS_ID, DayKind, NonWorkingDay, OfficeHours
from sp4n.calendars.weekmask import parse_office_hours, parse_weekmask
from sp4n.calendars.zones import require_aware, zone_name, zoneinfo
from sp4n.errors import DateOutOfRangeError, InvalidArgumentError

_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
UNCOVERED_SPAN = (1970, 2100)
"""Years a calendar built with ``allow_uncovered=True`` can compute in (weekmask only outside
its own years)."""


class CalendarCore:
    """Working days and office hours in one zone, over a range of years. Immutable.

    Use :class:`~sp4n.calendars.WorkingCalendar`, which is this with its entry points; derived
    calendars (``replace``, ``with_days``) are of the class they derive from.
    """

    __slots__ = (
        "_allow_uncovered",
        "_by_date",
        "_confirmed",
        "_days",
        "_first",
        "_last",
        "_name",
        "_office_cum",
        "_office_hours",
        "_origin",
        "_rank",
        "_rank_np",
        "_span_first",
        "_span_last",
        "_tz",
        "_version",
        "_weekmask",
        "_workdays",
        "_workdays_np",
        "_years",
        "_zone",
    )

    def __init__(
        self,
        *,
        years: tuple[int, int],
        zone: str = "Asia/Jakarta",
        weekmask: str | Sequence[bool] | Sequence[int] = "1111100",
        days: Iterable[NonWorkingDay] = (),
        office_hours: Mapping[Any, Any] | None = None,
        confirmed_years: Iterable[int] | None = None,
        allow_uncovered: bool = False,
        name: str = "custom",
    ) -> None:
        first_year, last_year = self._check_years(years)
        self._years = (first_year, last_year)
        self._zone = zone_name(zone)
        self._tz: ZoneInfo = zoneinfo(self._zone)
        self._weekmask = parse_weekmask(weekmask)
        self._office_hours = parse_office_hours(office_hours, self._weekmask)
        self._name = str(name)
        self._allow_uncovered = bool(allow_uncovered)
        self._first = date(first_year, 1, 1)
        self._last = date(last_year, 12, 31)
        covered = set(range(first_year, last_year + 1))
        self._confirmed = frozenset(covered if confirmed_years is None else set(confirmed_years) & covered)

        by_date: dict[date, NonWorkingDay] = {}
        for day in days:
            if not isinstance(day, NonWorkingDay):
                raise InvalidArgumentError("days", day, "NonWorkingDay values")
            if day.kind is DayKind.WEEKEND:
                raise InvalidArgumentError("days", day, "dated days of a kind other than weekend")
            if not self._first <= day.date <= self._last:
                raise InvalidArgumentError("days", day, f"dates within the calendar's years {first_year}-{last_year}")
            if day.date in by_date:
                raise InvalidArgumentError("days", day, f"one entry per date; {day.date} is listed twice")
            by_date[day.date] = day
        self._by_date = by_date
        self._days = tuple(sorted(by_date.values(), key=lambda d: d.date))

        if self._allow_uncovered:
            span_first = date(min(first_year, UNCOVERED_SPAN[0]), 1, 1)
            span_last = date(max(last_year, UNCOVERED_SPAN[1]), 12, 31)
        else:
            span_first, span_last = self._first, self._last
        self._span_first, self._span_last = span_first, span_last
        self._origin = span_first.toordinal()
        self._build_index()
        self._office_cum: list[int] | None = None
        self._version = self._compute_version()

    @staticmethod
    def _check_years(years: Any) -> tuple[int, int]:
        try:
            first, last = years
        except (TypeError, ValueError):
            raise InvalidArgumentError("years", years, "(first_year, last_year)") from None
        if type(first) is not int or type(last) is not int or not 1900 <= first <= last <= 2200:
            raise InvalidArgumentError("years", years, "(first_year, last_year) with 1900 <= first <= last <= 2200")
        return first, last

    def _build_index(self) -> None:
        n = self._span_last.toordinal() - self._origin + 1
        first_weekday = self._span_first.weekday()
        mask = np.array(self._weekmask, dtype=bool)[(np.arange(n) + first_weekday) % 7]
        offsets = [d.toordinal() - self._origin for d in self._by_date if 0 <= d.toordinal() - self._origin < n]
        if offsets:
            mask[np.array(offsets, dtype=np.int64)] = False
        rank = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(mask, out=rank[1:])
        workdays = np.flatnonzero(mask).astype(np.int64) + self._origin
        # rank[i + 1] counts the working days on or before day i of the span.
        self._rank: list[int] = rank.tolist()
        self._workdays: list[int] = workdays.tolist()
        self._rank_np = rank
        self._workdays_np = workdays - _EPOCH_ORDINAL

    def _compute_version(self) -> str:
        content = {
            "zone": self._zone,
            "weekmask": "".join("1" if w else "0" for w in self._weekmask),
            "days": [[d.date.isoformat(), d.name, d.kind.value, d.source, d.estimated] for d in self._days],
            "office_hours": {
                str(k): [v.opens.isoformat(), v.closes.isoformat()] for k, v in sorted(self._office_hours.items())
            },
            "years": list(self._years),
            "confirmed": sorted(self._confirmed),
            "allow_uncovered": self._allow_uncovered,
        }
        blob = json.dumps(content, sort_keys=True, ensure_ascii=False).encode()
        return hashlib.sha256(blob).hexdigest()[:16]

    # ------------------------------------------------------------------ derived calendars

    def replace(self, **changes: Any) -> Self:
        """A new calendar with some constructor arguments changed (and so a new version)."""
        args: dict[str, Any] = {
            "years": self._years,
            "zone": self._zone,
            "weekmask": self._weekmask,
            "days": self._days,
            "office_hours": self._office_hours,
            "confirmed_years": self._confirmed,
            "allow_uncovered": self._allow_uncovered,
            "name": self._name,
        }
        unknown = set(changes) - set(args)
        if unknown:
            raise InvalidArgumentError("changes", sorted(unknown), f"names among {sorted(args)}")
        args.update(changes)
        return type(self)(**args)

    def with_days(
        self, add: Iterable[NonWorkingDay] = (), remove: Iterable[date] = (), name: str | None = None
    ) -> Self:
        """A new calendar with days added (replacing any on the same date) and dates removed."""
        by_date = dict(self._by_date)
        for d in remove:
            if d not in by_date:
                raise InvalidArgumentError("remove", d, "a date that is a dated non-working day of this calendar")
            del by_date[d]
        added: set[date] = set()
        for day in add:
            if day.date in added:
                raise InvalidArgumentError("add", day, f"one entry per date; {day.date} is listed twice")
            added.add(day.date)
            by_date[day.date] = day
        return self.replace(days=tuple(by_date.values()), name=name or self._name)

    # ------------------------------------------------------------------ properties

    @property
    def name(self) -> str:
        """A short human name, e.g. 'Indonesia (Asia/Jakarta)'."""
        return self._name

    @property
    def zone(self) -> str:
        """The IANA zone the calendar counts in."""
        return self._zone

    @property
    def tzinfo(self) -> ZoneInfo:
        """The zone as a ZoneInfo."""
        return self._tz

    @property
    def weekmask(self) -> tuple[bool, ...]:
        """Seven booleans, Monday first: which weekdays are working days."""
        return self._weekmask

    @property
    def days(self) -> tuple[NonWorkingDay, ...]:
        """Every dated non-working day, in date order."""
        return self._days

    @property
    def office_hours(self) -> dict[int, OfficeHours]:
        """Office hours by weekday (Monday = 0)."""
        return dict(self._office_hours)

    @property
    def years(self) -> tuple[int, int]:
        """First and last year covered, inclusive."""
        return self._years

    @property
    def confirmed_years(self) -> frozenset[int]:
        """Covered years whose data (joint leave included) is confirmed by decree."""
        return self._confirmed

    @property
    def allow_uncovered(self) -> bool:
        """Whether dates outside ``years`` are answered from the weekmask alone."""
        return self._allow_uncovered

    @property
    def first_date(self) -> date:
        """The first date arithmetic accepts."""
        return self._span_first

    @property
    def last_date(self) -> date:
        """The last date arithmetic accepts."""
        return self._span_last

    @property
    def version(self) -> str:
        """A hash of everything that decides an answer; changes whenever any of it changes."""
        return self._version

    def __eq__(self, other: object) -> bool:
        return isinstance(other, CalendarCore) and other._version == self._version

    def __hash__(self) -> int:
        return hash(self._version)

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(name={self._name!r}, zone={self._zone!r}, years={self._years}, "
            f"days={len(self._days)}, version={self._version!r})"
        )

    # ------------------------------------------------------------------ lookups

    def _index(self, d: Any, argument: str) -> int:
        if isinstance(d, datetime) or not isinstance(d, date):
            raise InvalidArgumentError(argument, d, "a datetime.date (for an instant, use local_date() first)")
        i = d.toordinal() - self._origin
        if i < 0 or i >= len(self._rank) - 1:
            raise DateOutOfRangeError(argument, d, self._span_first, self._span_last)
        return i

    def is_covered(self, d: date) -> bool:
        """Whether ``d`` lies in the years the calendar was built for."""
        return self._first <= d <= self._last

    def is_working_day(self, d: date) -> bool:
        """Whether ``d`` is a working day: in the weekmask and not a dated non-working day."""
        i = self._index(d, "d")
        rank = self._rank
        return rank[i + 1] != rank[i]

    def non_working_day(self, d: date) -> NonWorkingDay | None:
        """The dated non-working day on ``d`` (or a weekend entry), None on a working day."""
        if self.is_working_day(d):
            return None
        return self._by_date.get(d) or _weekend(d)

    def add_working_days(self, d: date, n: int) -> date:
        """For n > 0 the n-th working day strictly after d; for n < 0 the |n|-th strictly before;
        for n = 0, d if it is a working day, else the next one."""
        if type(d) is not date:
            self._index(d, "d")
        if type(n) is not int:
            n = _as_int(n, "n")
        i = d.toordinal() - self._origin
        rank = self._rank
        if i < 0 or i >= len(rank) - 1:
            raise DateOutOfRangeError("d", d, self._span_first, self._span_last)
        k = rank[i + 1] + n - 1 if n > 0 else rank[i] + n
        workdays = self._workdays
        if k < 0 or k >= len(workdays):
            raise DateOutOfRangeError(
                "result", f"{n} working days from {d.isoformat()}", self._span_first, self._span_last
            )
        return date.fromordinal(workdays[k])

    def working_days_between(self, a: date, b: date) -> int:
        """The number of working days in (a, b]; negative when b < a."""
        rank = self._rank
        origin = self._origin
        limit = len(rank) - 1
        if type(a) is not date:
            self._index(a, "a")
        if type(b) is not date:
            self._index(b, "b")
        i = a.toordinal() - origin
        j = b.toordinal() - origin
        if i < 0 or i >= limit:
            raise DateOutOfRangeError("a", a, self._span_first, self._span_last)
        if j < 0 or j >= limit:
            raise DateOutOfRangeError("b", b, self._span_first, self._span_last)
        return rank[j + 1] - rank[i + 1]

    def non_working_days_between(self, a: date, b: date) -> tuple[NonWorkingDay, ...]:
        """Every non-working day in [a, b], weekends included (kind ``weekend``), in order.

        Walks the working days of the window, so its cost is the size of its answer.
        """
        i = self._index(a, "a")
        j = self._index(b, "b")
        if j < i:
            return ()
        out: list[NonWorkingDay] = []
        k0, k1 = self._rank[i], self._rank[j + 1]
        previous = a.toordinal() - 1
        for ordinal in [*self._workdays[k0:k1], b.toordinal() + 1]:
            for gap in range(previous + 1, ordinal):
                d = date.fromordinal(gap)
                out.append(self._by_date.get(d) or _weekend(d))
            previous = ordinal
        return tuple(out)

    def non_working_days(self, year: int | None = None, *, weekdays_only: bool = False) -> tuple[NonWorkingDay, ...]:
        """The dated non-working days (of one year, if given); only those on weekmask days if asked."""
        days = self._days if year is None else tuple(d for d in self._days if d.date.year == year)
        if weekdays_only:
            days = tuple(d for d in days if self._weekmask[d.date.weekday()])
        return days

    # ------------------------------------------------------------------ instants

    def local_date(self, instant: datetime, argument: str = "instant") -> date:
        """The date of an aware instant in the calendar's zone."""
        return require_aware(instant, argument).astimezone(self._tz).date()

    def start_of_day(self, d: date) -> datetime:
        """Local midnight at the start of ``d``, as an aware UTC instant."""
        from datetime import UTC

        return datetime.combine(d, time(0), self._tz).astimezone(UTC)

    # ------------------------------------------------------------------ office hours

    def office_seconds_cumulative(self) -> list[int]:
        """cum[i] = office seconds on working days before day i of the span (built on first use)."""
        if self._office_cum is None:
            n = len(self._rank) - 1
            per_weekday = np.array(
                [self._office_hours[wd].seconds if wd in self._office_hours else 0 for wd in range(7)],
                dtype=np.int64,
            )
            seconds = per_weekday[(np.arange(n) + self._span_first.weekday()) % 7]
            is_work = np.diff(self._rank_np) > 0
            seconds = np.where(is_work, seconds, 0)
            cum = np.zeros(n + 1, dtype=np.int64)
            np.cumsum(seconds, out=cum[1:])
            self._office_cum = cum.tolist()
        return self._office_cum

    @property
    def origin_ordinal(self) -> int:
        """Ordinal of the first day of the precomputed span."""
        return self._origin

    # ------------------------------------------------------------------ bulk

    def _bulk_index(self, dates: npt.ArrayLike, argument: str) -> npt.NDArray[np.int64]:
        arr = np.asarray(dates)
        if arr.dtype != np.dtype("datetime64[D]"):
            if not np.issubdtype(arr.dtype, np.datetime64):
                raise InvalidArgumentError(argument, arr.dtype, "an array of numpy datetime64[D]")
            arr = arr.astype("datetime64[D]")
        idx = arr.view(np.int64) - (self._origin - _EPOCH_ORDINAL)
        if idx.size and (idx.min() < 0 or idx.max() >= len(self._rank_np) - 1):
            bad = arr.ravel()[np.argmax((idx.ravel() < 0) | (idx.ravel() >= len(self._rank_np) - 1))]
            raise DateOutOfRangeError(argument, str(bad), self._span_first, self._span_last)
        return idx

    def is_working_day_array(self, dates: npt.ArrayLike) -> npt.NDArray[np.bool_]:
        """``is_working_day`` for every date of a datetime64[D] array."""
        idx = self._bulk_index(dates, "dates")
        rank = self._rank_np
        return np.asarray(rank[idx + 1] != rank[idx])

    def add_working_days_array(self, dates: npt.ArrayLike, n: int | npt.ArrayLike) -> npt.NDArray[np.datetime64]:
        """``add_working_days`` for every date (and n, scalar or array) of datetime64[D] arrays."""
        idx = self._bulk_index(dates, "dates")
        rank = self._rank_np
        if isinstance(n, bool):
            raise InvalidArgumentError("n", n, "a whole number or an array of whole numbers")
        if isinstance(n, int | np.integer):
            step = int(n)
            k = rank[idx + 1] + (step - 1) if step > 0 else rank[idx] + step
        else:
            steps = np.asarray(n)
            if not np.issubdtype(steps.dtype, np.integer):
                raise InvalidArgumentError("n", n, "a whole number or an array of whole numbers")
            steps = steps.astype(np.int64)
            k = np.where(steps > 0, rank[idx + 1] + steps - 1, rank[idx] + steps)
        if k.size and (k.min() < 0 or k.max() >= len(self._workdays_np)):
            raise DateOutOfRangeError("result", "some dates + n", self._span_first, self._span_last)
        return np.asarray(self._workdays_np[k].view("datetime64[D]"))

    def working_days_between_array(self, a: npt.ArrayLike, b: npt.ArrayLike) -> npt.NDArray[np.int64]:
        """``working_days_between`` for every pair of two datetime64[D] arrays."""
        rank = self._rank_np
        return np.asarray(rank[self._bulk_index(b, "b") + 1] - rank[self._bulk_index(a, "a") + 1])

    def busdaycalendar(self) -> np.busdaycalendar:
        """The same working days as a ``numpy.busdaycalendar`` (for comparison and interop)."""
        holidays = [d.date for d in self._days if self._weekmask[d.date.weekday()]]
        return np.busdaycalendar(weekmask=list(self._weekmask), holidays=np.array(holidays, dtype="datetime64[D]"))


Cal = TypeVar("Cal", bound=CalendarCore)
"""A calendar of any class built on CalendarCore; what a function derives from it is of its class."""


def _weekend(d: date) -> NonWorkingDay:
    wd = d.weekday()
    return NonWorkingDay(date=d, name=f"{WEEKDAY_LABELS_ID[wd]} / {WEEKDAY_LABELS_EN[wd]}", kind=DayKind.WEEKEND)


def _as_int(value: Any, argument: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise InvalidArgumentError(argument, value, "a whole number")
    return int(value)
