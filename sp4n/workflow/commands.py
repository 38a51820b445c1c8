"""Turning one command (or one deadline) into one ChangeSet: guards, the Machine, clocks, event.

Nothing here touches storage: it takes a loaded snapshot and returns what to save, so a
command that fails any guard has changed nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sp4n.agencies.model import EMPTY, AgencyRegistry
from sp4n.calendars.calendar import WorkingCalendar
from sp4n.calendars.duration import Duration
from sp4n.errors import InvalidData, MissingData, PermissionDenied, TransitionNotAllowed, UnknownAgency
from sp4n.persistence.base import ChangeSet, TimerClose
from sp4n.persistence.query import Visibility
from sp4n.persistence.records import ClockLedger, Complaint, Event
from sp4n.states.attributes import check_attributes_given
from sp4n.states.model import Assignable, Role, TransitionDef
from sp4n.workflow.actor import Actor
from sp4n.workflow.clocks import ClockPlan, ClockPlanner
from sp4n.workflow.compiled import CompiledSop

_STAFF_OF_AGENCY = frozenset({Role.AGENCY_ADMIN, Role.LIAISON_OFFICER})


def scope_problem(complaint: Complaint, actor: Actor, agencies: AgencyRegistry = EMPTY) -> str | None:
    """Why ``actor`` may not act on ``complaint`` at all (None when they may).

    Agency staff act on complaints of their agency and of the agencies below it in the registry
    (an admin of an agency that is ``admin_for`` a Pemda, on the Pemda's whole tree); a liaison
    officer with units, only on complaints of those units. A reporter acts on their own reports.
    """
    return scope_problem_of(complaint.agency, complaint.unit, complaint.reporter_id, actor, agencies)


def scope_problem_of(
    agency: str | None, unit: str | None, reporter_id: str | None, actor: Actor, agencies: AgencyRegistry = EMPTY
) -> str | None:
    """:func:`scope_problem` for a complaint of that agency, unit and reporter (all it depends
    on; the reporter only for a reporter)."""
    if actor.role in _STAFF_OF_AGENCY:
        assert actor.agency is not None  # Actor checks that agency staff have one
        if agency is None:
            return "the complaint is not assigned to an agency yet"
        scope = _scope(actor, agencies)
        if agency not in scope:
            if len(scope) == 1:
                return f"the complaint is assigned to agency {agency!r}, not {actor.agency!r}"
            return f"the complaint is assigned to agency {agency!r}, outside {_tree(actor, agencies)}"
        if actor.units and unit not in actor.units:
            return f"the complaint is assigned to unit {unit!r}, not to {', '.join(actor.units)}"
    if actor.role is Role.REPORTER and reporter_id != actor.id:
        return "a reporter may act only on their own reports"
    return None


def visibility_of(actor: Actor | None, agencies: AgencyRegistry = EMPTY) -> Visibility:
    """Which complaints ``actor`` may list (None: the public): the rule of :func:`scope_problem`,
    said for a whole list (confidential complaints only within scope, which follows the tree)."""
    if actor is None:
        return Visibility()
    if actor.role in _STAFF_OF_AGENCY:
        scope = _scope(actor, agencies) if actor.agency else frozenset()
        return Visibility(agencies=scope, units=frozenset(actor.units))
    if actor.role is Role.REPORTER:
        return Visibility(reporter_id=actor.id)
    return Visibility(everything=True)


def _scope(actor: Actor, agencies: AgencyRegistry) -> frozenset[str]:
    assert actor.agency is not None
    if actor.role is Role.AGENCY_ADMIN:
        return agencies.scope_of(actor.agency)
    return agencies.sub_agencies(actor.agency)


def _tree(actor: Actor, agencies: AgencyRegistry) -> str:
    """How an actor's scope reads in a message: "the tree of 'kota_x'"."""
    assert actor.agency is not None
    agency = agencies.get(actor.agency)
    root = agency.admin_for if actor.role is Role.AGENCY_ADMIN and agency and agency.admin_for else actor.agency
    return f"the agencies of {root!r} and below it"


def check_assignment(
    complaint_id: str, trigger: str, actor: Actor, agencies: AgencyRegistry, data: Mapping[str, Any]
) -> None:
    """An agency and unit a command assigns: known to the registry (when there is one), and for
    agency staff inside their own tree (a Pemda's admin re-routes between its own dinas only)."""
    agency = data.get("agency")
    if isinstance(agency, str) and agency:
        if len(agencies) and agency not in agencies:
            raise UnknownAgency("agency", agency)
        if actor.role in _STAFF_OF_AGENCY and agency not in _scope(actor, agencies):
            reason = f"agency {agency!r} is outside {_tree(actor, agencies)}"
            raise PermissionDenied(complaint_id, trigger, str(actor), reason)
    unit = data.get("unit")
    units = agencies.units_of(agency) if isinstance(agency, str) else ()
    if isinstance(unit, str) and units and unit not in units:
        raise InvalidData("unit", unit, f"a unit of agency {agency!r}: one of {', '.join(units)}")


def find_transition(compiled: CompiledSop, complaint: Complaint, trigger: str) -> TransitionDef:
    """The SOP's transition for ``trigger`` from the complaint's state, or TransitionNotAllowed."""
    definition = compiled.transitions.get((trigger, complaint.state))
    if definition is None:
        # what a person may fire instead: triggers only deadlines fire (as system) are left out
        allowed = tuple(
            t
            for t in compiled.triggers_from[complaint.state]
            if set(compiled.transitions[(t, complaint.state)].roles) - {Role.SYSTEM}
        )
        raise TransitionNotAllowed(complaint.id, trigger, complaint.state, allowed)
    return definition


def check_sees(complaint: Complaint, trigger: str, actor: Actor, agencies: AgencyRegistry = EMPTY) -> None:
    """Refuse a command on a confidential complaint by an actor outside its scope, as get
    refuses them, before the complaint's state or version can be told (by a trigger its state
    does not allow, or a version it is not at)."""
    if complaint.confidential:
        problem = scope_problem(complaint, actor, agencies)
        if problem is not None:
            raise PermissionDenied(complaint.id, trigger, str(actor), problem)


def check_guards(
    compiled: CompiledSop,
    complaint: Complaint,
    definition: TransitionDef,
    actor: Actor,
    data: dict[str, Any],
    agencies: AgencyRegistry = EMPTY,
) -> None:
    """Role, agency scope and required data; each failure names what was wrong."""
    trigger = definition.trigger
    if actor.role not in definition.roles:
        roles = ", ".join(r.value for r in definition.roles)
        raise PermissionDenied(complaint.id, trigger, str(actor), f"only {roles} may fire it")
    problem = scope_problem(complaint, actor, agencies)
    if problem is not None:
        raise PermissionDenied(complaint.id, trigger, str(actor), problem)
    missing = tuple(f for f in definition.requires if _blank(data.get(f)))
    if missing:
        raise MissingData(complaint.id, trigger, missing)
    for name in definition.assigns:
        if name._value_ in data:
            check_assignable(compiled, name, data[name._value_])
    declared = compiled.sop.attributes_by_name
    if declared:
        check_attributes_given(compiled.sop, {k: v for k, v in data.items() if k in declared}, prefix="data")
    if Assignable.AGENCY in definition.assigns or Assignable.UNIT in definition.assigns:
        assigned = {"agency": data.get("agency", complaint.agency), "unit": data.get("unit")}
        check_assignment(complaint.id, trigger, actor, agencies, assigned)
    problem = privacy_problem(complaint, actor, data)
    if problem is not None:
        raise PermissionDenied(complaint.id, trigger, str(actor), problem)


_PRIVACY_FLAGS = (Assignable.ANONYMOUS, Assignable.CONFIDENTIAL)


def privacy_problem(complaint: Complaint, actor: Actor, data: dict[str, Any]) -> str | None:
    """Why ``data`` may not clear the complaint's anonymity or confidentiality (None when it may).

    Only the reporter may lift their own protection; anyone else (staff, and ``system`` through an
    SOP's rung or routing data) may only set it, so an agency cannot unmask the person reporting it.
    """
    if actor.role is Role.REPORTER:
        return None
    for flag in _PRIVACY_FLAGS:
        if data.get(flag._value_) is False and getattr(complaint, flag._value_):
            return f"only the reporter may set {flag.value} to false; staff and system may only set it"
    return None


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) or value in ([], {})


def check_assignable(compiled: CompiledSop, name: Assignable, value: Any) -> None:
    """A value for a complaint field: booleans for the flags, declared names for the lists."""
    sop = compiled.sop
    if name in (Assignable.ANONYMOUS, Assignable.CONFIDENTIAL):
        if not isinstance(value, bool):
            raise InvalidData(name.value, value, "true or false")
        return
    if not isinstance(value, str) or not value.strip():
        raise InvalidData(name.value, value, "a non-empty string")
    if name is Assignable.CLASSIFICATION and sop.classifications and value not in sop.classifications:
        raise InvalidData(name.value, value, f"one of {', '.join(sop.classifications)}")
    if name is Assignable.CATEGORY and sop.categories and value not in sop.categories:
        raise InvalidData(name.value, value, f"one of {', '.join(sop.categories)}")


def parse_extension(
    compiled: CompiledSop, definition: TransitionDef, ledgers: dict[str, ClockLedger], data: dict[str, Any]
) -> tuple[str, int] | None:
    """The (clock, amount) an ``extends`` transition adds, checked against the clock's maximum."""
    if definition.extends is None:
        return None
    clock = compiled.clocks[definition.extends]
    raw = data.get("extend_by")
    try:
        amount = Duration.parse(raw, "extend_by")
    except ValueError as exc:
        raise InvalidData("extend_by", raw, str(exc)) from None
    ledger = ledgers.get(clock.name)
    if ledger is None:
        raise InvalidData("extend_by", raw, f"clock {clock.name!r} has not started")
    if amount.unit is not ledger.budget.unit:
        raise InvalidData("extend_by", raw, f"clock {clock.name!r} counts {ledger.budget.unit.value}")
    limit = clock.extension_max.value if clock.extension_max else 0
    if amount.value <= 0 or ledger.extended_by + amount.value > limit:
        raise InvalidData(
            "extend_by",
            raw,
            f"extensions of {clock.name!r} total at most {clock.extension_max} ({ledger.extended_by} used)",
        )
    return (clock.name, amount.value)


@dataclass
class CommandContext:
    """Everything deciding a change needs besides the snapshot: the SOP, calendars, now, zones."""

    compiled: CompiledSop
    calendar_for: Callable[[str], WorkingCalendar]
    now: datetime
    zone_of: Callable[[str | None], str]
    audit_key: bytes | None = None
    agencies: AgencyRegistry = EMPTY

    def planner(self, zone: str) -> ClockPlanner:
        """A clock planner on the calendar of ``zone`` under the SOP's counting policy."""
        return ClockPlanner(self.compiled.sop, self.calendar_for(zone), self.compiled.sop.counting)


def apply_transition(
    ctx: CommandContext,
    complaint: Complaint,
    ledgers: dict[str, ClockLedger],
    definition: TransitionDef,
    actor: Actor,
    data: dict[str, Any],
    prev: tuple[int, str],
    *,
    kind: str = "transition",
    timer_close: TimerClose | None = None,
    payload_extra: dict[str, Any] | None = None,
) -> ChangeSet:
    """Move the complaint, plan its clocks and write the event, as one ChangeSet."""
    extension = parse_extension(ctx.compiled, definition, ledgers, data)
    before = complaint.state
    after = ctx.compiled.move(before, definition.trigger)
    expected = complaint.version
    updated = complaint.copy()
    old_zone = updated.zone
    for name in definition.assigns:
        field = name._value_  # (not .value: an enum's property costs a call each time)
        if field in data:
            setattr(updated, field, data[field])
    declared = ctx.compiled.sop.attributes_by_name
    attributes = {k: v for k, v in data.items() if k in declared} if declared else {}
    if attributes:
        # a command may set a declared attribute (an urgency set when verifying, say)
        updated.attributes = {**updated.attributes, **attributes}
    if updated.agency != complaint.agency and updated.agency:
        # a complaint counts in the zone of the agency that holds it
        updated.zone = ctx.zone_of(updated.agency)
    updated.state = after
    updated.updated_at = ctx.now
    updated.version = expected + 1
    plan = ctx.planner(updated.zone).plan(
        updated,
        dict(ledgers),
        after,
        ctx.now,
        resets=definition.resets,
        extend=extension,
        rearm_all=updated.zone != old_zone,
    )
    payload = dict(data)
    if payload_extra:
        payload.update(payload_extra)
    event = make_event(
        ctx,
        updated,
        prev,
        kind=kind,
        actor=actor,
        trigger=definition.trigger,
        source=before,
        dest=after,
        payload=payload,
        plan=plan,
    )
    closes = list(plan.close_timers)
    if timer_close is not None:
        closes.insert(0, timer_close)
    return ChangeSet(
        complaint=updated,
        expected_version=expected,
        clocks=plan.ledgers,
        add_timers=plan.add_timers,
        close_timers=closes,
        events=[event],
        fields=(
            "state",
            "updated_at",
            "zone",
            *(a._value_ for a in definition.assigns),
            *(["attributes"] if attributes else []),
        ),
        runs=plan.runs,
        next_due_at=plan.next_due_at,
    )


def make_event(
    ctx: CommandContext,
    complaint: Complaint,
    prev: tuple[int, str],
    *,
    kind: str,
    actor: Actor,
    trigger: str | None = None,
    source: str | None = None,
    dest: str | None = None,
    payload: dict[str, Any] | None = None,
    plan: ClockPlan | None = None,
) -> Event:
    """A sealed event that follows ``prev`` (seq and hash of the chain's head) in the hash chain."""
    event = Event(
        complaint_id=complaint.id,
        seq=prev[0] + 1,
        at=ctx.now,
        kind=kind,
        actor_id=actor.id,
        actor_role=actor.role._value_,
        trigger=trigger,
        source=source,
        dest=dest,
        payload={**(payload or {}), **actor.provenance()},
        clock_changes=plan.changes if plan else [],
        calendar_version=ctx.calendar_for(complaint.zone).version,
        sop_version=complaint.sop_version,
    )
    event.seal(prev[1], ctx.audit_key)
    return event
