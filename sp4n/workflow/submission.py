"""Deciding a submission: checks, the new complaint, the SOP it is filed under, its routing.

Pure like :mod:`sp4n.workflow.commands`: it returns the ChangeSet of a new complaint (the
``submitted`` event, and the routing rule's transition when the rule fires one) and the engine
commits it. Routing, in order: a switched-on fast track whose rules match files the report under
the fast track; else the SOP's own rules (keywords, categories); else the agency of the registry
that handles the category; else a named queue, recorded in the first event.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sp4n.errors import InvalidData, UnknownAgency
from sp4n.persistence.base import ChangeSet
from sp4n.persistence.records import Complaint
from sp4n.states.attributes import check_attributes_given
from sp4n.states.model import Assignable, Role, RoutingRule
from sp4n.workflow.actor import SYSTEM, Actor
from sp4n.workflow.commands import CommandContext, apply_transition, check_assignable, find_transition, make_event
from sp4n.workflow.compiled import CompiledSop, SopRegistry
from sp4n.workflow.routing import match_rule, route_by_registry
from sp4n.workflow.runtime import Runtime


def check_submission(rt: Runtime, compiled: CompiledSop, fields: dict[str, Any]) -> None:
    """The submitted fields: text where text is needed, declared values, known agency, attributes."""
    if not isinstance(fields["title"], str) or not fields["title"].strip():
        raise InvalidData("title", fields["title"], "a non-empty string")
    if not isinstance(fields["channel"], str) or not fields["channel"].strip():
        raise InvalidData("channel", fields["channel"], "a non-empty string, such as web, sms or whatsapp")
    for name in ("classification", "category", "agency"):
        if fields[name] is not None:
            check_assignable(compiled, Assignable(name), fields[name])
    for name in ("anonymous", "confidential"):
        check_assignable(compiled, Assignable(name), fields[name])
    if not isinstance(fields["attributes"], dict) or not all(isinstance(k, str) for k in fields["attributes"]):
        raise InvalidData("attributes", fields["attributes"], "a mapping from attribute name to value")
    check_attributes_given(compiled.sop, fields["attributes"])
    agency = fields["agency"]
    if agency is not None and len(rt.agencies) and agency not in rt.agencies:
        raise UnknownAgency("agency", agency)


def choose_sop(
    registry: SopRegistry, requested: CompiledSop, fast_tracks: Iterable[str], fields: dict[str, Any]
) -> tuple[CompiledSop, RoutingRule | None]:
    """The SOP a report is filed under: the first switched-on fast track that is a variant of the
    requested SOP and whose routing rules match the report, with the rule that matched; else the
    requested SOP."""
    for sop_id in fast_tracks:
        fast = registry.get(sop_id)
        if fast.sop.extends != requested.sop.id:
            continue
        rule = match_rule(fast.sop, fields["title"], fields["description"], fields["category"])
        if rule is not None:
            return fast, rule
    return requested, None


@dataclass(frozen=True)
class NewComplaint:
    """What the engine needs to file a report: its id, tracking number and now."""

    id: str
    tracking_number: str
    now: datetime


def new_complaint(
    compiled: CompiledSop, actor: Actor, fields: dict[str, Any], made: NewComplaint, zone: str
) -> Complaint:
    """The complaint as filed, before routing."""
    agency = fields["agency"] or (actor.agency if actor.role is not Role.REPORTER else None)
    return Complaint(
        id=made.id,
        tracking_number=made.tracking_number,
        sop_id=compiled.sop.id,
        sop_version=compiled.sop.version,
        state=compiled.sop.initial_state.id,
        zone=zone,
        submitted_at=made.now,
        updated_at=made.now,
        title=fields["title"].strip(),
        description=fields["description"],
        channel=fields["channel"],
        classification=fields["classification"],
        category=fields["category"],
        reporter_id=actor.id if actor.role is Role.REPORTER else fields["reporter_id"],
        reporter_name=fields["reporter_name"] or actor.name,
        anonymous=fields["anonymous"],
        confidential=fields["confidential"],
        agency=agency,
        attributes=fields["attributes"],
        version=1,
    )


def filing_agency(actor: Actor, fields: dict[str, Any]) -> str | None:
    """The agency a report is filed with: the one named, else the staff member's own."""
    return fields["agency"] or (actor.agency if actor.role is not Role.REPORTER else None)


def decide_submission(
    rt: Runtime,
    compiled: CompiledSop,
    actor: Actor,
    fields: dict[str, Any],
    made: NewComplaint,
    fast_rule: RoutingRule | None = None,
) -> ChangeSet:
    """The ChangeSet that files the report under ``compiled`` and routes it (``fast_rule``: the
    fast track's rule that chose ``compiled``)."""
    complaint = new_complaint(compiled, actor, fields, made, rt.zones.of(filing_agency(actor, fields)))
    rule = fast_rule or match_rule(compiled.sop, complaint.title, complaint.description, complaint.category)
    payload = {k: v for k, v in fields.items() if v not in (None, "", {}, False) and k != "sop"}
    if fast_rule is not None:
        payload["fast_track"] = {"sop": compiled.sop.id, "rule": fast_rule.name}
    if rule is not None:
        complaint.agency, complaint.official = rule.agency, rule.official
        payload["routed_by"] = rule.name
    else:
        routed = route_by_registry(rt.agencies, complaint.agency, complaint.category)
        if routed is not None:
            complaint.agency = routed.agency or complaint.agency
            payload.update(routed.payload)
    complaint.zone = rt.zones.of(complaint.agency)
    ctx = rt.context(compiled, made.now)
    initial = compiled.sop.initial_state.id
    plan = ctx.planner(complaint.zone).plan(complaint, {}, initial, made.now)
    event = make_event(ctx, complaint, (0, ""), kind="submitted", actor=actor, dest=initial, payload=payload, plan=plan)
    change = ChangeSet(
        complaint=complaint, expected_version=0, clocks=plan.ledgers, add_timers=plan.add_timers, events=[event]
    )
    if rule is not None and rule.trigger is not None:
        change = _with_routing(ctx, compiled, change, rule)
    return change


def _with_routing(ctx: CommandContext, compiled: CompiledSop, submitted: ChangeSet, rule: RoutingRule) -> ChangeSet:
    """The submission and the routing rule's transition (fired with the rule's ``data``), as
    ONE change (a retry sees both)."""
    complaint = submitted.complaint
    assert rule.trigger is not None  # the caller checked
    definition = find_transition(compiled, complaint, rule.trigger)
    head = submitted.events[-1]
    routed = apply_transition(
        ctx,
        complaint,
        {c.name: c for c in submitted.clocks},
        definition,
        SYSTEM,
        {**rule.trigger_data, "routing_rule": rule.name},
        (head.seq, head.hash),
    )
    closed = {c.timer_id for c in routed.close_timers}
    return ChangeSet(  # version 2 after two events, as if saved one by one
        complaint=routed.complaint,
        expected_version=0,
        clocks=list({c.name: c for c in submitted.clocks + routed.clocks}.values()),
        add_timers=[t for t in submitted.add_timers if t.id not in closed] + routed.add_timers,
        events=submitted.events + routed.events,
    )
