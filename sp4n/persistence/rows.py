"""Records from database rows: a row is any mapping of column name to decoded value (a Core row's
``_mapping``, or the dicts of the driver hot path), so both read paths build the same records."""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from sp4n.calendars.duration import Duration
from sp4n.persistence.records import (
    ClockLedger,
    ClockRun,
    ClockStatus,
    Complaint,
    Event,
    Milestone,
    OutboxItem,
    RunOutcome,
    Timer,
    TimerStatus,
)

COMPLAINT_FIELDS = tuple(Complaint.__dataclass_fields__)
EVENT_FIELDS = tuple(Event.__dataclass_fields__)


def complaint_from(row: Mapping[Any, Any]) -> Complaint:
    """A complaint from its row."""
    values = {f: row[f] for f in COMPLAINT_FIELDS}
    values["attributes"] = dict(values["attributes"] or {})
    return Complaint(**values)


def ledger_from_join(row: Mapping[Any, Any]) -> ClockLedger:
    """A clock ledger from the ``clock_``-labelled columns of the complaint-and-clocks query."""
    return ClockLedger(
        complaint_id=row["clock_complaint_id"],
        name=row["clock_name"],
        budget=_budget(row["clock_budget"]),
        status=ClockStatus(row["clock_status"]),
        generation=row["clock_generation"],
        consumed=row["clock_consumed"],
        running_since=row["clock_running_since"],
        extended_by=row["clock_extended_by"],
        started_at=row["clock_started_at"],
        due_at=row["clock_due_at"],
    )


@lru_cache(maxsize=256)
def _budget(text: str) -> Duration:
    return Duration.parse(text)


def event_from(row: Mapping[Any, Any]) -> Event:
    """An event from its row."""
    values = {f: row[f] for f in EVENT_FIELDS}
    values["payload"] = dict(values["payload"])
    values["clock_changes"] = list(values["clock_changes"])
    return Event(**values)


def timer_from(row: Mapping[Any, Any]) -> Timer:
    """A timer from its row."""
    return Timer(
        id=row["id"],
        complaint_id=row["complaint_id"],
        clock=row["clock"],
        generation=row["generation"],
        rung=row["rung"],
        due_at=row["due_at"],
        priority=row["priority"],
        status=TimerStatus(row["status"]),
        closed_at=row["closed_at"],
        lateness_seconds=row["lateness_seconds"],
        lease_owner=row["lease_owner"],
        lease_expires=row["lease_expires"],
    )


def outbox_from(row: Mapping[Any, Any], event: Event) -> OutboxItem:
    """An outbox item from its row and the event it carries (content and hash as payload)."""
    payload = event.content()
    payload["hash"] = event.hash
    return OutboxItem(
        id=row["id"],
        complaint_id=row["complaint_id"],
        event_seq=row["event_seq"],
        topic=row["topic"],
        payload=payload,
        created_at=row["created_at"],
        delivered_at=row["delivered_at"],
        attempts=row["attempts"],
    )


def run_from(row: Mapping[Any, Any]) -> ClockRun:
    """A clock run from its row."""
    return ClockRun(
        complaint_id=row["complaint_id"],
        clock=row["clock"],
        started_at=row["started_at"],
        outcome=RunOutcome(row["outcome"]),
        due_at=row["due_at"],
        changed_at=row["changed_at"],
        stopped_at=row["stopped_at"],
        calendar_version=row["calendar_version"],
    )


def milestone_from(row: Mapping[Any, Any]) -> Milestone:
    """A milestone from its row."""
    return Milestone(
        row["complaint_id"],
        row["name"],
        row["at"],
        row["calendar_version"],
        row["working_days"],
        row["actor_id"],
        row["actor_role"],
    )


def run_row(run: ClockRun) -> dict[str, Any]:
    """The row of a clock run."""
    return {
        "complaint_id": run.complaint_id,
        "clock": run.clock,
        "started_at": run.started_at,
        "outcome": run.outcome.value,
        "due_at": run.due_at,
        "changed_at": run.changed_at,
        "stopped_at": run.stopped_at,
        "calendar_version": run.calendar_version,
    }


def milestone_row(milestone: Milestone) -> dict[str, Any]:
    """The row of a milestone."""
    m = milestone
    return {
        "complaint_id": m.complaint_id,
        "name": m.name,
        "at": m.at,
        "calendar_version": m.calendar_version,
        "working_days": m.working_days,
        "actor_id": m.actor_id,
        "actor_role": m.actor_role,
    }
