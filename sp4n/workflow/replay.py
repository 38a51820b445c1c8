"""Importing a complaint already in progress elsewhere: its dated steps replayed through the SOP.

A complaint forwarded by the national LAPOR!, or migrated from an old system, arrives with its
history: when it was received and the steps taken since (verified, distributed, followed up),
each with its instant. The submission is decided at its receipt and each step as if fired at its
own instant (``now`` of the command is the step's ``at``), through the same guards, Machine and
clock planner as a live command; the ChangeSets are chained in memory (each step sees the one
before: complaint, ledgers, the head of the event chain) and merged into ONE change, so a step
the SOP does not allow writes nothing of the complaint.

Deadlines between steps are not fired during the replay: the history is what happened, and a
rung the old system let pass is not invented in it. After the import the clocks are as the last
step left them; a rung already past is armed and fires on the next sweep with its lateness
recorded (or is recorded missed, as its late policy says), as for a backdated intake.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from sp4n.calendars.zones import require_aware
from sp4n.errors import InvalidData, MissingData, PermissionDenied, TransitionNotAllowed, UnknownAgency
from sp4n.persistence.base import ChangeSet
from sp4n.persistence.records import ClockLedger, ClockRun, Timer
from sp4n.workflow.actor import Actor
from sp4n.workflow.commands import apply_transition, check_guards, find_transition
from sp4n.workflow.compiled import CompiledSop
from sp4n.workflow.intake import Intake

STEP_KEYS = frozenset({"trigger", "actor", "at", "data"})
"""What a step holds: the trigger, the Actor who fired it, its aware instant, its data (optional)."""

REFUSED = (TransitionNotAllowed, PermissionDenied, MissingData, InvalidData, UnknownAgency)
"""The errors of a step the SOP does not allow where the complaint stands (its state, role, data)."""


def replay_history(
    intake: Intake,
    compiled: CompiledSop,
    actor: Actor,
    fields: dict[str, Any],
    steps: Sequence[Mapping[str, Any]],
    now: datetime,
    fast_tracks: Iterable[str] = (),
) -> tuple[ChangeSet, CompiledSop]:
    """The ONE change that files the complaint of ``fields`` at its ``received_at`` and replays
    ``steps`` on it, and the SOP it is filed under. Every step is checked before it is applied;
    a wrong one raises InvalidData naming ``steps[i]`` and its trigger (nothing is returned)."""
    received = intake.receipt(fields.get("received_at"), now)
    if not isinstance(steps, Sequence) or isinstance(steps, str | bytes):
        raise InvalidData("steps", steps, "a list of steps (trigger, actor, at, data)")
    parsed: list[tuple[str, Actor, datetime, dict[str, Any]]] = []
    for i, step in enumerate(steps):  # all checked before anything is decided
        parsed.append(_step(i, step, parsed[-1][2] if parsed else received, now))
    submission = {**fields, "received_at": None, "imported_at": now.isoformat()}
    first, compiled = intake.decide(compiled, actor, submission, received, fast_tracks)
    changes = [first]
    for i, (trigger, by, at, data) in enumerate(parsed):
        change = changes[-1]
        complaint, head = change.complaint, change.events[-1]
        ledgers = _ledgers(changes)
        try:
            definition = find_transition(compiled, complaint, trigger)
            check_guards(compiled, complaint, definition, by, data, intake.runtime.agencies)
            ctx = intake.runtime.context(compiled, at)
            extra = {"imported_at": now.isoformat()}
            step_change = apply_transition(
                ctx, complaint, ledgers, definition, by, data, (head.seq, head.hash), payload_extra=extra
            )
        except REFUSED as exc:
            raise InvalidData(f"steps[{i}].trigger", trigger, f"a step the SOP allows here: {exc}") from exc
        changes.append(step_change)
    return merge(changes), compiled


def _step(i: int, step: Any, last: datetime, now: datetime) -> tuple[str, Actor, datetime, dict[str, Any]]:
    """A step's trigger, actor, instant (UTC) and data, checked: instants do not go back nor
    beyond now."""
    if not isinstance(step, Mapping) or not set(step) <= STEP_KEYS:
        raise InvalidData(f"steps[{i}]", step, "a mapping of trigger, actor, at and data")
    trigger, by, at, data = step.get("trigger"), step.get("actor"), step.get("at"), step.get("data", {})
    if not isinstance(trigger, str) or not trigger.strip():
        raise InvalidData(f"steps[{i}].trigger", trigger, "a trigger of the SOP")
    if not isinstance(by, Actor):
        raise InvalidData(f"steps[{i}].actor", by, "an Actor (who fired the step)")
    if not isinstance(at, datetime):
        raise InvalidData(f"steps[{i}].at", at, "an aware datetime (when the step was taken)")
    instant = require_aware(at, f"steps[{i}].at").astimezone(now.tzinfo)
    if instant < last:
        raise InvalidData(f"steps[{i}].at", at, f"an instant not before the step before it ({last.isoformat()})")
    if instant > now:
        raise InvalidData(f"steps[{i}].at", at, f"an instant not in the future (now is {now.isoformat()})")
    if not isinstance(data, Mapping) or not all(isinstance(k, str) for k in data):
        raise InvalidData(f"steps[{i}].data", data, "a mapping of the step's data")
    return trigger, by, instant, dict(data)


def _ledgers(changes: Sequence[ChangeSet]) -> dict[str, ClockLedger]:
    """The complaint's clock ledgers after ``changes`` (a later change's ledger replaces)."""
    return {c.name: c for change in changes for c in change.clocks}


def merge(changes: Sequence[ChangeSet]) -> ChangeSet:
    """ONE change of a new complaint equal to ``changes`` saved one after another: the complaint
    at its final version (expected 0), all events, the last ledger of each clock, the timers
    armed and not closed since, the last state of each clock run and the last due instant."""
    pending: dict[str, Timer] = {}
    runs: dict[tuple[str, datetime], ClockRun] = {}
    next_due_at = changes[0].next_due_at
    for change in changes:
        for close in change.close_timers:
            pending.pop(close.timer_id, None)
        pending.update((t.id, t) for t in change.add_timers)
        runs.update(((r.clock, r.started_at), r) for r in change.runs)
        if change.runs:
            next_due_at = change.next_due_at
    return ChangeSet(
        complaint=changes[-1].complaint,
        expected_version=0,
        clocks=list(_ledgers(changes).values()),
        add_timers=list(pending.values()),
        events=[e for change in changes for e in change.events],
        runs=list(runs.values()),
        next_due_at=next_due_at,
        historical=True,  # past steps: only feed consumers that ask for history receive them
    )
