"""Deadlines: reading clocks back as Due dates, and firing due timers exactly once.

A timer fires in its own change: the complaint, its clocks, the event and the timer's ``fired``
mark are saved together, and the save fails if the timer is no longer pending. A timer whose
clock has moved on (another generation, stopped, paused) is closed as stale and does nothing.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from sp4n.errors import ConcurrencyConflict, Sp4nError
from sp4n.persistence.base import ChangeSet, TimerClose
from sp4n.persistence.records import ClockStatus, Event, Timer, TimerStatus
from sp4n.states.model import LatePolicy, RungAction
from sp4n.workflow.actor import SYSTEM
from sp4n.workflow.clocks import ledger_due, rung_instant
from sp4n.workflow.commands import CommandContext, apply_transition, find_transition, make_event
from sp4n.workflow.runtime import Loaded, Runtime
from sp4n.workflow.views import Deadline, Firing

log = logging.getLogger("sp4n.deadlines")


class DeadlineRunner:
    """The deadline side of an engine: reading clocks, and firing due timers."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    def deadlines(self, complaint_id: str) -> list[Deadline]:
        """Running and paused clocks of a complaint, with their Due, rung instants, and what
        started (or paused) each, read from the history."""
        rt = self.runtime
        loaded = rt.load(complaint_id)
        snapshot, compiled = loaded.snapshot, loaded.compiled
        complaint = snapshot.complaint
        cal = rt.context(compiled, rt.now()).calendar_for(complaint.zone)
        causes = _last_changes(rt.store.history(complaint_id))
        out: list[Deadline] = []
        for clock in compiled.sop.clocks:
            ledger = snapshot.clocks.get(clock.name)
            if ledger is None or ledger.status is ClockStatus.STOPPED:
                continue
            due = ledger_due(cal, compiled.sop.counting, ledger)
            rungs = tuple((r.name, rung_instant(due, r, cal)) for r in clock.rungs) if due else ()
            started_by, changed_at = causes.get(clock.name, (None, None))
            out.append(
                Deadline(
                    clock=clock.name,
                    label_id=clock.label_id,
                    label_en=clock.label_en,
                    status=ledger.status,
                    budget=ledger.budget,
                    extended_by=ledger.extended_by,
                    consumed=ledger.consumed,
                    generation=ledger.generation,
                    due=due,
                    rungs=rungs,
                    started_by=started_by,
                    since=changed_at if ledger.status is ClockStatus.PAUSED else ledger.running_since,
                    zone=complaint.zone,
                )
            )
        return out

    def run_due(self, limit: int) -> list[Firing]:
        """Process every timer due by now, earliest first, until none is left (or ``limit``)."""
        self.runtime.refresh_if_due()
        now = self.runtime.now()
        processed: list[Firing] = []
        while len(processed) < limit:
            batch = self.runtime.store.due_timers(now, min(100, limit - len(processed)))
            if not batch:
                break
            for timer in batch:
                processed.append(self.fire_timer(timer, now))
        return processed

    def fire_timer(self, timer: Timer, now: datetime, attempts: int = 3) -> Firing:
        """Fire one timer (or close it as stale or missed), retrying on a concurrent change."""
        for attempt in range(attempts):
            try:
                return self._fire_once(timer, now)
            except ConcurrencyConflict:
                current = self.runtime.store.timer(timer.id)
                if current is None or current.status is not TimerStatus.PENDING or attempt == attempts - 1:
                    if current is not None and current.status is TimerStatus.PENDING:
                        reason = f"its complaint kept changing ({attempts} attempts); retried later"
                    else:
                        reason = f"timer already {current.status.value if current else 'gone'} by another process"
                    return firing_of(timer, now, "stale", error=reason)
        raise AssertionError("unreachable")  # pragma: no cover

    def _fire_once(self, timer: Timer, now: datetime) -> Firing:
        rt = self.runtime
        loaded = rt.load(timer.complaint_id)
        snapshot, compiled = loaded.snapshot, loaded.compiled
        complaint = snapshot.complaint
        ledger = snapshot.clocks.get(timer.clock)
        rung = compiled.rungs.get((timer.clock, timer.rung))
        lateness = max(0.0, (now - timer.due_at).total_seconds())
        if (
            rung is None
            or ledger is None
            or ledger.generation != timer.generation
            or ledger.status is not ClockStatus.RUNNING
        ):
            rt.store.close_stale_timer(TimerClose(timer.id, TimerStatus.STALE, now))
            return firing_of(timer, now, "stale", lateness=lateness)
        ctx = rt.context(compiled, now)
        info: dict[str, Any] = {
            "clock": timer.clock,
            "rung": timer.rung,
            "timer": timer.id,
            "due_at": timer.due_at.isoformat(),
            "lateness_seconds": lateness,
        }
        late = lateness > rt.late_grace.total_seconds()
        if late and rung.late is LatePolicy.MISS:
            return self._record(ctx, loaded, timer, "deadline_missed", info, TimerStatus.MISSED, "missed")
        if rung.action is RungAction.EMIT:
            info["event"] = rung.event or f"{timer.clock}.{timer.rung}"
            return self._record(ctx, loaded, timer, "deadline", info, TimerStatus.FIRED, "emitted")
        assert rung.trigger is not None  # validated: a fire rung names a trigger
        try:
            definition = find_transition(compiled, complaint, rung.trigger)
        except Sp4nError as exc:
            log.warning("timer %s cannot fire %r: %s", timer.id, rung.trigger, exc)
            rt.store.close_stale_timer(TimerClose(timer.id, TimerStatus.STALE, now, lateness))
            return firing_of(timer, now, "failed", trigger=rung.trigger, lateness=lateness, error=str(exc))
        close = TimerClose(timer.id, TimerStatus.FIRED, now, lateness, must_be_pending=True)
        change = apply_transition(
            ctx,
            complaint,
            snapshot.clocks,
            definition,
            SYSTEM,
            dict(rung.data),
            loaded.prev,
            kind="deadline_transition",
            timer_close=close,
            payload_extra=info,
        )
        rt.commit(change)
        if late:
            log.info("timer %s fired %s late by %.0f s", timer.id, rung.trigger, lateness)
        return firing_of(timer, now, "fired", trigger=rung.trigger, lateness=lateness)

    def _record(
        self,
        ctx: CommandContext,
        loaded: Loaded,
        timer: Timer,
        kind: str,
        info: dict[str, Any],
        status: TimerStatus,
        outcome: Any,
    ) -> Firing:
        """Record a rung that moves nothing (a notice, or a missed deadline) as an event."""
        complaint = loaded.snapshot.complaint.copy()
        expected = complaint.version
        complaint.version += 1
        state = complaint.state
        event = make_event(ctx, complaint, loaded.prev, kind=kind, actor=SYSTEM, source=state, dest=state, payload=info)
        lateness = info["lateness_seconds"]
        change = ChangeSet(
            complaint=complaint,
            expected_version=expected,
            close_timers=[TimerClose(timer.id, status, ctx.now, lateness, must_be_pending=True)],
            events=[event],
            fields=(),  # only the version and the chain head move
        )
        self.runtime.commit(change)
        return firing_of(timer, ctx.now, outcome, lateness=lateness)


def _last_changes(history: list[Event]) -> dict[str, tuple[str | None, datetime]]:
    """Per clock: what started its current run (``submitted``, ``resumed`` or the trigger) and
    when its status last changed."""
    out: dict[str, tuple[str | None, datetime]] = {}
    for event in history:
        for change in event.clock_changes:
            name, kind = change.get("clock"), change.get("change")
            if not isinstance(name, str):
                continue
            if kind == "resumed":
                out[name] = ("resumed", event.at)
            elif kind in ("started", "reset"):
                out[name] = ("submitted" if event.kind == "submitted" else event.trigger, event.at)
            else:
                out[name] = (out.get(name, (None, event.at))[0], event.at)
    return out


def firing_of(
    timer: Timer,
    now: datetime,
    outcome: Any,
    *,
    trigger: str | None = None,
    lateness: float = 0.0,
    error: str | None = None,
) -> Firing:
    """The record of what happened to ``timer`` when it was processed at ``now``."""
    return Firing(
        timer_id=timer.id,
        complaint_id=timer.complaint_id,
        clock=timer.clock,
        rung=timer.rung,
        due_at=timer.due_at,
        processed_at=now,
        outcome=outcome,
        trigger=trigger,
        lateness_seconds=lateness,
        error=error,
    )
