"""Intake: deciding a new complaint (pure but for ids), as one ChangeSet.

A submission is checked (title, channel, SOP names, the receipt instant), gets an id and a
tracking number, is routed by the SOP's rules, and starts its clocks at the instant the report
was received. That instant may be in the past (a report taken by WhatsApp two days ago, typed in
now): the clocks count from it, the rungs already past are armed and fire on the next sweep with
their lateness recorded (or are recorded missed, as their late policy says), and the event keeps
both instants (``at``: when it was entered; ``payload.received_at``: when it was received).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

from sp4n.calendars.zones import require_aware
from sp4n.errors import InvalidData, PermissionDenied, UnknownAgency
from sp4n.persistence.base import ChangeSet
from sp4n.persistence.records import Complaint
from sp4n.states.attributes import check_attributes_given
from sp4n.states.model import Assignable, Role, RoutingRule
from sp4n.workflow.actor import SYSTEM, Actor
from sp4n.workflow.arguments import check_complaint_texts, check_name
from sp4n.workflow.commands import CommandContext, apply_transition, check_assignable, find_transition, make_event
from sp4n.workflow.compiled import CompiledSop, SopRegistry
from sp4n.workflow.routing import match_rule, route_by_registry
from sp4n.workflow.runtime import Runtime
from sp4n.workflow.tracking import TrackingNumbers

SUBMITTERS = frozenset({Role.REPORTER, Role.NATIONAL_ADMIN, Role.AGENCY_ADMIN, Role.LIAISON_OFFICER})

DEFAULT_BACKDATE_LIMIT = timedelta(days=365)
"""How long before now a report may have been received (``Engine(backdate_limit=...)``)."""


class Intake:
    """Decides submissions for an engine: ids, tracking numbers, routing and clocks."""

    def __init__(
        self, runtime: Runtime, new_id: Callable[[], str], tracking: TrackingNumbers, backdate_limit: timedelta
    ) -> None:
        if not isinstance(backdate_limit, timedelta) or backdate_limit < timedelta(0):
            raise InvalidData("backdate_limit", backdate_limit, "a timedelta, 0 or more")
        self.runtime = runtime
        self.new_id = new_id
        self.tracking = tracking
        self.backdate_limit = backdate_limit

    def check(self, compiled: CompiledSop, actor: Actor, fields: dict[str, Any], now: datetime) -> datetime:
        """Check a submission's fields; the instant it was received (now unless given)."""
        if actor.role not in SUBMITTERS:
            raise PermissionDenied("(new)", "submit", str(actor), "only reporters and agency or national staff submit")
        if not isinstance(fields["title"], str) or not fields["title"].strip():
            raise InvalidData("title", fields["title"], "a non-empty string")
        if not isinstance(fields["channel"], str) or not fields["channel"].strip():
            raise InvalidData("channel", fields["channel"], "a non-empty string, such as web, sms or whatsapp")
        check_complaint_texts(fields)
        external = fields.get("external_id")
        if external is not None and (not isinstance(external, str) or not external.strip() or len(external) > 128):
            raise InvalidData("external_id", external, "a non-empty string of at most 128 characters")
        for name in ("classification", "category", "agency"):
            if fields[name] is not None:
                check_assignable(compiled, Assignable(name), fields[name])
        for name in ("anonymous", "confidential"):
            check_assignable(compiled, Assignable(name), fields[name])
        if not isinstance(fields["attributes"], dict) or not all(isinstance(k, str) for k in fields["attributes"]):
            raise InvalidData("attributes", fields["attributes"], "a mapping from attribute name to value")
        check_attributes_given(compiled.sop, fields["attributes"])
        agency = fields["agency"]
        if agency is not None and len(self.runtime.agencies) and agency not in self.runtime.agencies:
            raise UnknownAgency("agency", agency)
        return self.receipt(fields.get("received_at"), now)

    def receipt(self, received_at: Any, now: datetime) -> datetime:
        """The receipt instant in UTC: not in the future, not before ``backdate_limit`` ago."""
        if received_at is None:
            return now
        if not isinstance(received_at, datetime):
            raise InvalidData("received_at", received_at, "an aware datetime (when the report was received)")
        received = require_aware(received_at, "received_at").astimezone(now.tzinfo)
        if received > now:
            raise InvalidData("received_at", received_at, f"an instant not in the future (now is {now.isoformat()})")
        if received < now - self.backdate_limit:
            limit = (now - self.backdate_limit).isoformat()
            back = _span(self.backdate_limit)
            raise InvalidData(
                "received_at", received_at, f"an instant after {limit} (this engine takes reports back {back})"
            )
        return received

    def decide(
        self,
        compiled: CompiledSop,
        actor: Actor,
        fields: dict[str, Any],
        now: datetime,
        fast_tracks: Iterable[str] = (),
        *,
        checked: datetime | None = None,
    ) -> tuple[ChangeSet, CompiledSop]:
        """The ChangeSet of a checked submission (the new complaint, its clocks from the receipt,
        its event, and the routing rule's transition if one fires one), and the SOP it is filed
        under. Routing, in order: a switched-on fast track whose rules match files the report
        under the fast track; else the SOP's own rules (keywords, categories); else the agency of
        the registry that handles the category; else a named queue, recorded in the first event.
        ``checked`` is the receipt instant :meth:`check` gave for these fields, when the caller
        checked them already (a book checks every row before it decides any)."""
        received = self.check(compiled, actor, fields, now) if checked is None else checked
        compiled, fast_rule = choose_sop(self.runtime.registry, compiled, fast_tracks, fields)
        complaint = self._new_complaint(compiled, actor, fields, received, now)
        rule = fast_rule or match_rule(compiled.sop, complaint.title, complaint.description, complaint.category)
        skip = ("sop", "received_at")
        payload = {k: v for k, v in fields.items() if v not in (None, "", {}, False) and k not in skip}
        if received != now:
            payload["received_at"] = received.isoformat()
        if fast_rule is not None:
            payload["fast_track"] = {"sop": compiled.sop.id, "rule": fast_rule.name}
        if rule is not None:
            complaint.agency, complaint.official = rule.agency, rule.official
            payload["routed_by"] = rule.name
        else:
            routed = route_by_registry(self.runtime.agencies, complaint.agency, complaint.category)
            if routed is not None:
                complaint.agency = routed.agency or complaint.agency
                payload.update(routed.payload)
        complaint.zone = self.runtime.zones.of(complaint.agency)
        ctx = self.runtime.context(compiled, now)
        initial = compiled.sop.initial_state.id
        plan = ctx.planner(complaint.zone).plan(complaint, {}, initial, received)
        event = make_event(
            ctx, complaint, (0, ""), kind="submitted", actor=actor, dest=initial, payload=payload, plan=plan
        )
        change = ChangeSet(
            complaint=complaint,
            expected_version=0,
            clocks=plan.ledgers,
            add_timers=plan.add_timers,
            events=[event],
            runs=plan.runs,
            next_due_at=plan.next_due_at,
        )
        if rule is not None and rule.trigger is not None:
            change = _with_routing(ctx, compiled, change, rule)
        return change, compiled

    def _new_complaint(
        self, compiled: CompiledSop, actor: Actor, fields: dict[str, Any], received: datetime, now: datetime
    ) -> Complaint:
        agency = fields["agency"] or (actor.agency if actor.role is not Role.REPORTER else None)
        zone = self.runtime.zones.of(agency)
        local = received.astimezone(self.runtime.calendars.for_zone(zone, True).tzinfo)
        return Complaint(
            id=check_name(self.new_id(), "id_factory()"),
            tracking_number=self.tracking.next(local.date()),
            sop_id=compiled.sop.id,
            sop_version=compiled.sop.version,
            state=compiled.sop.initial_state.id,
            zone=zone,
            submitted_at=received,
            updated_at=now,
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
            external_id=fields.get("external_id"),
        )


def submission_fields(
    *,
    title: str,
    description: str = "",
    sop: str = "national",
    channel: str = "web",
    category: str | None = None,
    classification: str | None = None,
    anonymous: bool = False,
    confidential: bool = False,
    agency: str | None = None,
    reporter_id: str | None = None,
    reporter_name: str | None = None,
    attributes: Mapping[str, str] | None = None,
    received_at: datetime | None = None,
    external_id: str | None = None,
) -> dict[str, Any]:
    """The fields of a submission (``Engine.submit``'s keywords) with their defaults, as
    :meth:`Intake.decide` takes them."""
    fields: dict[str, Any] = {
        "title": title,
        "description": description,
        "sop": sop,
        "channel": channel,
        "category": category,
        "classification": classification,
        "anonymous": anonymous,
        "confidential": confidential,
        "agency": agency,
        "reporter_id": reporter_id,
        "reporter_name": reporter_name,
        "attributes": dict(attributes or {}),
    }
    if received_at is not None:  # (left out when not given: keys of earlier retries still match)
        fields["received_at"] = received_at
    if external_id is not None:
        fields["external_id"] = external_id
    return fields


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


def _with_routing(ctx: CommandContext, compiled: CompiledSop, submitted: ChangeSet, rule: RoutingRule) -> ChangeSet:
    """The submission and the routing rule's transition (fired with the rule's ``data``), as
    ONE change (a retry sees both)."""
    complaint = submitted.complaint
    assert rule.trigger is not None
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
        runs=list({(r.clock, r.started_at): r for r in submitted.runs + routed.runs}.values()),
        next_due_at=routed.next_due_at if routed.runs else submitted.next_due_at,
    )


def _span(delta: timedelta) -> str:
    """A backdate limit as a person says it: "30 days", or "36:00:00" below a day's multiple."""
    return f"{delta.days} days" if delta == timedelta(days=delta.days) else str(delta)
