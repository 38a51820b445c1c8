"""The audit's second half: a complaint's row, clocks and timers must agree with its history.

:mod:`sp4n.persistence.audit` checks that the chain of events holds together. This module replays
the chain through the SOP the complaint is pinned to and compares what it derives (state, version,
agency, classification, category, anonymity, confidentiality) with the stored row, so an edit of
the row (say, ``anonymous`` set to false to unmask a reporter) is found even though no event was
touched; and it checks that clock ledgers and pending timers fit the state the history ends in.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import partial
from typing import Any

from sp4n.errors import Sp4nError
from sp4n.persistence.audit import AuditProblem
from sp4n.persistence.base import Store
from sp4n.persistence.records import ClockStatus, Event, TimerStatus
from sp4n.workflow.compiled import CompiledSop

_FIELDS = ("state", "agency", "classification", "category", "anonymous", "confidential")
_DEFAULTS: dict[str, Any] = {"agency": None, "classification": None, "category": None}


def derive(events: list[Event], compiled_for: Callable[[str], CompiledSop]) -> dict[str, Any]:
    """The fields of a complaint as its history says they are (``compiled_for`` gives the SOP of
    an event's ``sop_version``)."""
    first = events[0]
    fields: dict[str, Any] = {**_DEFAULTS, "anonymous": False, "confidential": False}
    fields.update({k: first.payload[k] for k in _FIELDS if k in first.payload and k != "state"})
    routed = first.payload.get("routed_by")
    if routed is not None:
        rule = next((r for r in compiled_for(first.sop_version).sop.routing if r.name == routed), None)
        if rule is not None:
            fields["agency"] = rule.agency
    for event in events:
        if event.trigger is not None and event.source is not None:
            definition = compiled_for(event.sop_version).transitions.get((event.trigger, event.source))
            for name in definition.assigns if definition is not None else ():
                if name.value in event.payload and name.value in fields:
                    fields[name.value] = event.payload[name.value]
        fields["state"] = event.dest
    fields["version"] = events[-1].seq
    return fields


def verify_complaints(
    store: Store, compiled_for: Callable[[str, str], CompiledSop], complaint_ids: Iterable[str]
) -> list[AuditProblem]:
    """Every disagreement between the complaints' rows, clocks and timers and their histories."""
    problems: list[AuditProblem] = []
    for complaint_id in complaint_ids:
        events = store.history(complaint_id)
        if not events:
            continue  # reported by the chain check
        snapshot = store.load(complaint_id)
        complaint = snapshot.complaint
        try:
            derived = derive(events, partial(compiled_for, complaint.sop_id))
            compiled = compiled_for(complaint.sop_id, complaint.sop_version)
        except Sp4nError as exc:
            problems.append(AuditProblem(complaint_id, 0, f"its history cannot be replayed: {exc}"))
            continue
        for name, value in derived.items():
            stored = getattr(complaint, name)
            if stored != value:
                reason = f"the row says {name}={stored!r}, its history says {value!r} (the row was edited)"
                problems.append(AuditProblem(complaint_id, 0, reason))
        problems.extend(_clock_problems(store, complaint_id, complaint.state, compiled, snapshot.clocks))
    return problems


def _clock_problems(
    store: Store, complaint_id: str, state: str, compiled: CompiledSop, ledgers: dict[str, Any]
) -> list[AuditProblem]:
    problems = []
    clocks = {clock.name: clock for clock in compiled.sop.clocks}
    for name, ledger in ledgers.items():
        clock = clocks.get(name)
        if clock is None:
            problems.append(AuditProblem(complaint_id, 0, f"a ledger of clock {name!r}, which its SOP does not have"))
        elif ledger.status is ClockStatus.RUNNING and state not in clock.runs_in:
            reason = f"clock {name!r} is running in state {state!r}, where its SOP does not run it"
            problems.append(AuditProblem(complaint_id, 0, reason))
        elif ledger.status is ClockStatus.PAUSED and state not in clock.pauses_in:
            reason = f"clock {name!r} is paused in state {state!r}, where its SOP does not pause it"
            problems.append(AuditProblem(complaint_id, 0, reason))
    for timer in store.timers(complaint_id):
        if timer.status is not TimerStatus.PENDING:
            continue
        ledger = ledgers.get(timer.clock)
        if ledger is None or (ledger.status is ClockStatus.RUNNING and ledger.generation < timer.generation):
            reason = f"a pending timer {timer.id!r} of a clock its history never started"
            problems.append(AuditProblem(complaint_id, 0, reason))
    return problems
