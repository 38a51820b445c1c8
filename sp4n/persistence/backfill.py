"""The read model of complaints stored before it existed, rebuilt from their histories.

Migration 0005 calls :func:`backfill`: every event records the clock changes it made (started,
paused, resumed, stopped, reset, extended, re-armed, with the due instant of a running clock),
so each clock's runs, each ledger's due instant and each complaint's milestones follow from its
history. It runs once, at the upgrade; afterwards every change writes its own read-model rows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, delete, select, update

from sp4n.calendars import WorkingCalendar
from sp4n.calendars.serialize import calendar_from_dict
from sp4n.persistence import tables as t
from sp4n.persistence.milestones import milestone, reached
from sp4n.persistence.records import ClockRun, ClockStatus, Event, Milestone, RunOutcome
from sp4n.persistence.rows import event_from, milestone_row, run_row

_BATCH = 500
"""Complaints rebuilt per round."""

_COLUMNS_0005 = ("complaint_id", "name", "at", "calendar_version")
"""The columns of sp4n_milestones as migration 0005 creates them (0010 adds the others)."""


def _instant(text: Any) -> datetime | None:
    return datetime.fromisoformat(text) if isinstance(text, str) else None


def project(
    events: Iterable[Event],
    submitted_at: datetime,
    terminal: frozenset[str],
    calendar_of: Callable[[str], WorkingCalendar | None] | None = None,
) -> tuple[list[ClockRun], list[Milestone], dict[str, datetime | None]]:
    """The clock runs, milestones and the due instant of each clock (as its ledger should hold
    it) that a complaint's history describes; milestones count their working days on
    ``calendar_of(version)`` of the calendar version their event names (not at all without it)."""
    runs: dict[str, ClockRun] = {}
    done: list[ClockRun] = []
    paused_at: dict[str, datetime] = {}
    due: dict[str, datetime | None] = {}
    milestones: dict[str, Milestone] = {}
    cid = ""
    for event in events:
        cid = event.complaint_id
        for name, at in reached(event, submitted_at, terminal.__contains__):
            if name not in milestones:
                calendar = calendar_of(event.calendar_version) if calendar_of is not None else None
                milestones[name] = milestone(event, name, at, submitted_at, calendar)
        for change in event.clock_changes:
            clock, kind = change.get("clock"), change.get("change")
            if not isinstance(clock, str):
                continue
            at, version = event.at, event.calendar_version
            due[clock] = _instant(change.get("due_at"))
            run = runs.get(clock)
            if kind in ("started", "reset"):
                if run is not None and run.stopped_at is None:
                    run.outcome, run.stopped_at, run.changed_at = RunOutcome.STOPPED, at, at
                    done.append(run)
                runs[clock] = ClockRun(cid, clock, at, RunOutcome.RUNNING, due[clock], at, None, version)
                continue
            if run is None or run.stopped_at is not None:
                continue
            run.changed_at, run.calendar_version = at, version
            if kind == "paused":
                run.outcome = RunOutcome.PAUSED
                paused_at[clock] = at
            elif kind == "stopped":
                end = paused_at.get(clock, at) if run.outcome is RunOutcome.PAUSED else at
                late = run.due_at is not None and end >= run.due_at
                run.outcome = RunOutcome.BREACHED if late else RunOutcome.MET
                run.stopped_at = at
                done.append(run)
            else:  # resumed, extended, rearmed: running with a new due instant
                run.outcome = RunOutcome.RUNNING
                run.due_at = due[clock]
    open_runs = [r for r in runs.values() if r.stopped_at is None]
    return done + open_runs, sorted(milestones.values(), key=lambda m: m.at), due


def _terminal_states(conn: Connection) -> dict[tuple[str, str], frozenset[str]]:
    out = {}
    for row in conn.execute(select(t.sops.c.id, t.sops.c.version, t.sops.c.content)):
        states = row.content.get("states", []) if isinstance(row.content, Mapping) else []
        out[(row.id, row.version)] = frozenset(s["id"] for s in states if s.get("terminal"))
    return out


def _histories(conn: Connection) -> Iterator[tuple[Sequence[Any], dict[str, list[Event]]]]:
    """Every stored complaint (id, SOP, receipt) with its history, a batch at a time."""
    c = t.complaints.c
    rows = conn.execute(select(c.id, c.sop_id, c.sop_version, c.submitted_at).order_by(c.id)).all()
    for start in range(0, len(rows), _BATCH):
        chunk = rows[start : start + _BATCH]
        ids = [r.id for r in chunk]
        history: dict[str, list[Event]] = {cid: [] for cid in ids}
        query = (
            select(t.events).where(t.events.c.complaint_id.in_(ids)).order_by(t.events.c.complaint_id, t.events.c.seq)
        )
        for row in conn.execute(query):
            history[row.complaint_id].append(event_from(row._mapping))
        yield chunk, history


def backfill(conn: Connection) -> None:
    """Write the read model of every stored complaint from its history (on the upgrade's connection)."""
    terminal = _terminal_states(conn)
    c = t.complaints.c
    set_due = (
        update(t.clocks)
        .where(t.clocks.c.complaint_id == bindparam("b_cid"), t.clocks.c.name == bindparam("b_name"))
        .values(due_at=bindparam("due_at", type_=t.UtcDateTime()))
    )
    set_facts = (
        update(t.complaints)
        .where(c.id == bindparam("b_cid"))
        .values(next_due_at=bindparam("next_due_at", type_=t.UtcDateTime()), breached=bindparam("breached"))
    )
    for chunk, history in _histories(conn):
        ids = [r.id for r in chunk]
        ledgers = conn.execute(
            select(t.clocks.c.complaint_id, t.clocks.c.name, t.clocks.c.status).where(t.clocks.c.complaint_id.in_(ids))
        ).all()
        status = {(r.complaint_id, r.name): r.status for r in ledgers}
        runs: list[dict[str, Any]] = []
        milestones: list[dict[str, Any]] = []
        dues: list[dict[str, Any]] = []
        facts: list[dict[str, Any]] = []
        for row in chunk:
            found, steps, due = project(
                history[row.id], row.submitted_at, terminal.get((row.sop_id, row.sop_version), frozenset())
            )
            runs += [run_row(r) for r in found]
            milestones += [{k: v for k, v in milestone_row(m).items() if k in _COLUMNS_0005} for m in steps]
            running = []
            for clock, at in due.items():
                if (row.id, clock) not in status:
                    continue
                is_running = status[(row.id, clock)] == ClockStatus.RUNNING.value
                dues.append({"b_cid": row.id, "b_name": clock, "due_at": at if is_running else None})
                if is_running and at is not None:
                    running.append(at)
            breached = any(r.outcome is RunOutcome.BREACHED for r in found)
            facts.append({"b_cid": row.id, "next_due_at": min(running, default=None), "breached": breached})
        if runs:
            conn.execute(t.clock_runs.insert(), runs)
        if milestones:
            conn.execute(t.milestones.insert().values({k: bindparam(k) for k in _COLUMNS_0005}), milestones)
        if dues:
            conn.execute(set_due, dues)
        conn.execute(set_facts, facts)


def backfill_milestone_facts(conn: Connection) -> None:
    """Rewrite every stored milestone from the complaint's history with its working days and its
    actor (migration 0010), counted on the stored calendar version it names, as a change now
    writes them."""
    terminal = _terminal_states(conn)
    calendars: dict[str, WorkingCalendar | None] = {}

    def calendar_of(version: str) -> WorkingCalendar | None:
        if version not in calendars:
            content = conn.execute(select(t.calendars.c.content).where(t.calendars.c.version == version)).scalar()
            calendars[version] = calendar_from_dict(dict(content)) if isinstance(content, Mapping) else None
        return calendars[version]

    for chunk, history in _histories(conn):
        rows: list[dict[str, Any]] = []
        for row in chunk:
            terminal_states = terminal.get((row.sop_id, row.sop_version), frozenset())
            _, steps, _ = project(history[row.id], row.submitted_at, terminal_states, calendar_of)
            rows += [milestone_row(s) for s in steps]
        # rewritten whole: the "replied" milestones are new in 0010
        conn.execute(delete(t.milestones).where(t.milestones.c.complaint_id.in_([r.id for r in chunk])))
        if rows:
            conn.execute(t.milestones.insert(), rows)
