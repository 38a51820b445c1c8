"""Which milestones an event reaches, and how many working days after receipt: one rule for the
runtime, which writes them with each change, and for the migrations that rebuild them.

A milestone is the first time a complaint reached a step: "received" (at its receipt), each state
entered (by the state's id), "closed" at any terminal state, and "replied" the first time the
reporter sent a follow-up back to a state that is not terminal (the reporter was not satisfied).
Its working days are counted once, when it is written, so reports only add them up.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sp4n.calendars import WorkingCalendar
from sp4n.errors import DateOutOfRangeError
from sp4n.persistence.records import Event, Milestone

REPORTER = "reporter"
"""The role whose return of a complaint to a state that is not terminal counts as a reply."""


def reached(event: Event, submitted_at: datetime, terminal: Callable[[str], bool]) -> list[tuple[str, datetime]]:
    """The steps ``event`` reaches, with their instants (a step reached before is the caller's to skip)."""
    found: list[tuple[str, datetime]] = []
    submitted = event.kind == "submitted"
    if submitted:
        found.append(("received", submitted_at))
    dest = event.dest
    if dest is not None and (dest != event.source or submitted):
        found.append((dest, submitted_at if submitted else event.at))
        if terminal(dest):
            found.append(("closed", event.at))
        elif not submitted and event.actor_role == REPORTER:
            found.append(("replied", event.at))
    return found


def working_days(calendar: WorkingCalendar, received_at: datetime, at: datetime) -> int | None:
    """Working days from the local date of receipt to that of ``at`` (the day of receipt not
    counted); None when either date is outside the calendar's data."""
    try:
        return calendar.working_days_between(calendar.local_date(received_at), calendar.local_date(at))
    except DateOutOfRangeError:
        return None


def milestone(
    event: Event, name: str, at: datetime, received_at: datetime, calendar: WorkingCalendar | None
) -> Milestone:
    """The milestone ``name`` reached by ``event`` at ``at``, counted on ``calendar`` (None: not counted)."""
    days = working_days(calendar, received_at, at) if calendar is not None else None
    return Milestone(event.complaint_id, name, at, event.calendar_version, days, event.actor_id, event.actor_role)
