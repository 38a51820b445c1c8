"""ManualClock: time that moves only when a test moves it."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

from sp4n.calendars.calendar import WorkingCalendar
from sp4n.calendars.zones import require_aware


class ManualClock:
    """A clock for tests and simulations: set it, advance it by a timedelta or by working days."""

    def __init__(self, start: datetime | str) -> None:
        self._lock = threading.Lock()
        self._now = _instant(start, "start")

    def now(self) -> datetime:
        """The current instant, in UTC."""
        with self._lock:
            return self._now

    def set(self, instant: datetime | str) -> datetime:
        """Move to ``instant`` (never backwards: deadlines already fired cannot un-fire)."""
        target = _instant(instant, "instant")
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

    def advance_working_days(self, calendar: WorkingCalendar, n: int) -> datetime:
        """Move to the same local time ``n`` working days later on ``calendar``."""
        local = self.now().astimezone(calendar.tzinfo)
        target = calendar.add_working_days(local.date(), n)
        return self.set(datetime.combine(target, local.timetz()))

    def __repr__(self) -> str:
        return f"ManualClock({self.now().isoformat()!r})"


def _instant(value: datetime | str, argument: str) -> datetime:
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            from sp4n.errors import InvalidArgumentError

            raise InvalidArgumentError(argument, value, "an ISO 8601 instant with an offset") from None
    return require_aware(value, argument).astimezone(UTC)
