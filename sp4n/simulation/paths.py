"""A complaint's path (the states it went through, and what moved it), and how two paths differ.

Only what moves a complaint counts: its submission, the triggers people fired and those
deadlines fired. Notices (a warning rung) and missed rungs move nothing and are left out. Two
paths are the same when they take the same triggers to the same states in the same order; when
they are not, :func:`explain` says in one line where they part, in working days of the
complaint's own calendar counted from its receipt (day 1 is the first working day after it).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from sp4n.calendars.calendar import WorkingCalendar
from sp4n.calendars.zones import ZONE_ABBREVIATIONS
from sp4n.persistence.records import Event

MOVES = frozenset({"submitted", "transition", "deadline_transition"})
"""The kinds of event that move a complaint."""


@dataclass(frozen=True)
class Step:
    """One move of a complaint: when, by which trigger (``submitted`` first), to which state."""

    at: datetime
    trigger: str
    dest: str
    by_deadline: bool


def steps_of(history: Iterable[Event], until: datetime | None = None) -> tuple[Step, ...]:
    """The moves among ``history``'s events (up to ``until``), in order."""
    return tuple(
        Step(e.at, e.trigger or e.kind, e.dest, e.kind == "deadline_transition")
        for e in history
        if e.kind in MOVES and e.dest is not None and (until is None or e.at <= until)
    )


def same_path(a: Sequence[Step], b: Sequence[Step]) -> bool:
    """Whether two paths take the same triggers to the same states (instants aside)."""
    return [(s.trigger, s.dest) for s in a] == [(s.trigger, s.dest) for s in b]


@dataclass(frozen=True)
class Teller:
    """Says instants of one complaint as people count them: its working day and local time."""

    calendar: WorkingCalendar
    received: datetime
    label: Callable[[str], str]
    """A state's name as people read it."""

    def moment(self, at: datetime) -> str:
        """'working day 2 (2026-03-04 24:00 WIB)': an instant at local midnight is the end of
        the day before (a day-based deadline passes then)."""
        tz = self.calendar.tzinfo
        local = at.astimezone(tz)
        day, hour = local.date(), local.strftime("%H:%M")
        if local.time() == time(0) and at > self.received:
            day, hour = day - timedelta(days=1), "24:00"
        n = self.calendar.working_days_between(self.received.astimezone(tz).date(), day)
        zone = ZONE_ABBREVIATIONS.get(self.calendar.zone, self.calendar.zone)
        return f"working day {n} ({day.isoformat()} {hour} {zone})"

    def move(self, step: Step) -> str:
        """'Escalated (escalate, by a deadline) on working day 2 (...)'."""
        how = f"{step.trigger}, by a deadline" if step.by_deadline else step.trigger
        return f"{self.label(step.dest)} ({how}) on {self.moment(step.at)}"


def explain(recorded: Sequence[Step], variant: Sequence[Step], teller: Teller) -> str:
    """Where the variant's path leaves the recorded one, in one line (paths that differ)."""
    if not variant:
        return "would not have been filed"
    i = 0
    while i < min(len(recorded), len(variant)) and same_path(recorded[i : i + 1], variant[i : i + 1]):
        i += 1
    if i < len(recorded) and i < len(variant):
        text = f"would have moved to {teller.move(variant[i])} instead of to {teller.move(recorded[i])}"
    elif i < len(variant):
        text = f"would have moved on to {teller.move(variant[i])}, where the record stops"
    else:
        text = f"would have stayed at {teller.label(variant[-1].dest)} instead of moving to {teller.move(recorded[i])}"
    end_recorded = recorded[-1].dest if recorded else None
    end_variant = variant[-1].dest if variant else None
    if end_variant is not None and end_recorded is not None and end_variant != end_recorded:
        text += f"; ends at {teller.label(end_variant)} instead of {teller.label(end_recorded)}"
    return text
