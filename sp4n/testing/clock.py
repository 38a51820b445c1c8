"""ManualClock: time that moves only when a test moves it."""

from __future__ import annotations

import functools
import threading
from datetime import UTC, datetime, timedelta

from sp4n.calendars.calendar import WorkingCalendar
from sp4n.calendars.zones import require_aware


class ManualClock:
    """A clock for tests and simulations: set it, advance it by a timedelta or by working days."""

    def __init__(self, start: datetime | str) -> None:
        self._lock = threading.Lock()
        self._now = as_instant(start, "start")

    def now(self) -> datetime:
        """The current instant, in UTC."""
        with self._lock:
            return self._now

    def set(self, instant: datetime | str) -> datetime:
        """Move to ``instant`` (never backwards: deadlines already fired cannot un-fire)."""
        target = as_instant(instant, "instant")
        with self._lock:
            if target < self._now:
                from sp4n.errors import InvalidArgumentError

                raise InvalidArgumentError("instant", target, f"an instant not before now ({self._now.isoformat()})")
            self._now = target
            return target

    def advance(self, delta: timedelta | None = None, **kwargs: float) -> datetime:
        """Move forward by a timedelta (or timedelta keyword arguments such as ``hours=2``)."""
        step = delta if delta is not None else timedelta(**kwargs)
        if step < timedelta(0):
            from sp4n.errors import InvalidArgumentError

            raise InvalidArgumentError("delta", step, "a non-negative timedelta")
        return self.set(self.now() + step)

    def advance_working_days(self, n: int, calendar: WorkingCalendar | None = None) -> datetime:
        """Move to the same local time ``n`` working days later on ``calendar`` (the Indonesian
        calendar in WIB when None). Same arguments as :meth:`Scenario.advance_working_days`."""
        if isinstance(n, WorkingCalendar) or not isinstance(n, int) or isinstance(n, bool) or n < 0:
            from sp4n.errors import InvalidArgumentError

            raise InvalidArgumentError("n", n, "a number of working days >= 0, then the calendar: (n, calendar)")
        calendar = calendar if calendar is not None else _indonesia()
        local = self.now().astimezone(calendar.tzinfo)
        target = calendar.add_working_days(local.date(), n)
        return self.set(datetime.combine(target, local.timetz()))

    def __repr__(self) -> str:
        return f"ManualClock({self.now().isoformat()!r})"


@functools.cache
def _indonesia() -> WorkingCalendar:
    return WorkingCalendar.indonesia()


def as_instant(value: datetime | str, argument: str) -> datetime:
    """An aware instant in UTC from an aware datetime or an ISO 8601 string with its offset."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            from sp4n.errors import InvalidArgumentError

            raise InvalidArgumentError(argument, value, "an ISO 8601 instant with an offset") from None
    return require_aware(value, argument).astimezone(UTC)
