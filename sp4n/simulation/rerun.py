"""Replaying recorded complaints on an in-memory engine, under the SOP a simulation chooses.

Every person's action (a submission, a trigger a person fired) is taken again at its recorded
instant, by the same person (id, role, the agency that held the complaint then), with the same
data. Deadlines are not taken from the record: the engine's own timers fire as its SOP says,
each at its due instant, because a manual clock is moved from one due timer to the next
(:func:`~sp4n.testing.scenario.run_until`, the worker's path in tests) before each action.

An action the SOP no longer allows where the complaint now stands (a reply to a report already
closed by a shorter deadline) is a :class:`Refusal`, recorded, not raised: the complaint's
replay goes on with its next action, as the SOP allows.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sp4n.persistence.records import Complaint, Event
from sp4n.persistence.sql import SqlStore, open_store
from sp4n.simulation.source import Recorded, Source
from sp4n.states.model import Role, Sop
from sp4n.testing.clock import ManualClock
from sp4n.testing.scenario import run_until
from sp4n.workflow.actor import Actor
from sp4n.workflow.engine import Engine
from sp4n.workflow.replay import REFUSED

SUBMISSION_KEYS = (
    "title",
    "description",
    "channel",
    "category",
    "classification",
    "anonymous",
    "confidential",
    "agency",
    "reporter_id",
    "reporter_name",
    "attributes",
    "external_id",
)
"""What a submitted event's payload holds of the submission (routing and receipt facts aside)."""

NOT_DATA = frozenset({"actor_unit", "via_key", "imported_at"})
"""Keys an event's payload has beside the command's data: who acted through what, and imports."""

ANY_AGE = timedelta(days=365 * 100)
"""The replaying engine takes backdated receipts of any age: the source already accepted them."""

_STAFF = frozenset({Role.AGENCY_ADMIN, Role.LIAISON_OFFICER})


@dataclass(frozen=True)
class Action:
    """One person's recorded action: the submission (``trigger`` None) or a trigger fired."""

    at: datetime
    recorded: Recorded
    event: Event

    @property
    def trigger(self) -> str | None:
        """The trigger fired, None for the submission."""
        return None if self.event.kind == "submitted" else self.event.trigger


@dataclass(frozen=True)
class Refusal:
    """A recorded action the replaying SOP did not allow where the complaint stood."""

    complaint_id: str
    tracking_number: str
    trigger: str
    """The trigger refused, or ``submit`` for a submission."""
    at: datetime
    state: str | None
    """The complaint's state then (None when it could not be filed)."""
    reason: str


@dataclass
class Rerun:
    """The engine a replay ran on, and the actions it refused."""

    engine: Engine
    """Its engine, on a database in memory: :meth:`close` releases it."""
    refusals: list[Refusal] = field(default_factory=list)
    events: dict[str, list[Event]] = field(default_factory=dict)
    """The events it committed, by complaint (handed over by the engine as they are committed,
    rather than read back one history at a time)."""

    @property
    def filed(self) -> set[str]:
        """The ids of the complaints it filed (a refused submission files none)."""
        return set(self.events)

    def close(self) -> None:
        """Release the engine and its database."""
        self.engine.close()

    def keep(self, event: Event) -> None:
        """A subscriber of the engine: keep ``event``."""
        self.events.setdefault(event.complaint_id, []).append(event)


def memory_database() -> SqlStore:
    """A new SQLite database in this process's memory (SQLite's ``memdb`` file system: no file;
    the store's connections share it by its name; it is gone when the last of them closes), with
    sp4n's schema: the same read model as the source's, so the same KPI report runs on it."""
    name = f"sp4n-simulation-{uuid.uuid4().hex}"
    return open_store(f"sqlite:///file:/{name}?vfs=memdb&uri=true", upgrade=True)


def person_actions(recorded: Recorded) -> list[Action]:
    """The actions people took on a complaint: its submission and the triggers they fired
    (deadlines, routing rules and migrations are left to the replaying engine or out)."""
    return [
        Action(event.at, recorded, event)
        for event in recorded.history
        if event.actor_role != Role.SYSTEM.value
        and (event.kind == "submitted" or (event.kind == "transition" and event.trigger))
    ]


def rerun(source: Source, recorded: Iterable[Recorded], sop_for: Callable[[Complaint], Sop], until: datetime) -> Rerun:
    """Replay ``recorded`` on a new in-memory engine, each complaint under ``sop_for(complaint)``,
    with deadlines firing up to ``until`` (actions after it are not taken)."""
    actions = sorted(
        (a for r in recorded for a in person_actions(r) if a.at <= until),
        key=lambda a: (a.at, a.recorded.complaint.submitted_at, a.recorded.complaint.id, a.event.seq),
    )
    clock = ManualClock(actions[0].at if actions else until)
    ids: list[str] = []
    engine = Engine(
        store=memory_database(),
        sops=(),
        calendar=source.calendar,
        clock=clock,
        agencies=source.agencies if len(source.agencies) else None,
        agency_zones=source.agency_zones or None,
        backdate_limit=ANY_AGE,
        id_factory=ids.pop,
    )
    result = Rerun(engine)
    engine.subscribe(result.keep)
    try:
        for action in actions:
            run_until(engine, clock, action.at)
            complaint = action.recorded.complaint
            if action.trigger is None:
                ids.append(complaint.id)  # filed under the id it has in the source
                _submit(result, action, sop_for(complaint))
            elif complaint.id in result.events:
                _fire(result, action)
        run_until(engine, clock, max(until, clock.now()))
    except BaseException:
        result.close()
        raise
    return result


def _submit(result: Rerun, action: Action, sop: Sop) -> None:
    engine, complaint, event = result.engine, action.recorded.complaint, action.event
    if engine.registry.latest().get(sop.id) != sop.version:
        engine.register(sop)
    fields: dict[str, Any] = {k: event.payload[k] for k in SUBMISSION_KEYS if k in event.payload}
    if complaint.submitted_at != event.at:
        fields["received_at"] = complaint.submitted_at
    agency = fields.get("agency") or complaint.agency
    try:
        engine.submit(_actor(event, agency), sop=sop.id, **fields)
    except REFUSED as exc:
        result.refusals.append(_refusal(action, "submit", None, exc))


def _fire(result: Rerun, action: Action) -> None:
    engine, event = result.engine, action.event
    cid = action.recorded.complaint.id
    now = engine.store.load(cid).complaint
    data = {k: v for k, v in event.payload.items() if k not in NOT_DATA}
    assert action.trigger is not None
    try:
        engine.fire(cid, action.trigger, _actor(event, now.agency or action.recorded.complaint.agency), **data)
    except REFUSED as exc:
        result.refusals.append(_refusal(action, action.trigger, now.state, exc))


def _actor(event: Event, agency: str | None) -> Actor:
    """The person of ``event``; agency staff act for ``agency`` (the one holding the complaint
    then), since events do not record the actor's own agency."""
    role = Role(event.actor_role)
    unit = event.payload.get("actor_unit")
    return Actor(
        event.actor_id,
        role,
        agency=agency if role in _STAFF else None,
        unit=unit if isinstance(unit, str) else None,
    )


def _refusal(action: Action, trigger: str, state: str | None, exc: Exception) -> Refusal:
    """The refusal of ``action``; a reporter is not named in it (they may be anonymous)."""
    complaint, event = action.recorded.complaint, action.event
    reason = str(exc)
    if event.actor_role == Role.REPORTER.value:
        reason = reason.replace(f"{Role.REPORTER.value} {event.actor_id!r}", "the reporter")
    return Refusal(complaint.id, complaint.tracking_number, trigger, action.at, state, reason)
