"""Moving complaints to a new SOP version, or to another SOP, explicitly and on the record.

A complaint stays on the SOP version it was submitted under. When a ministry decides that open
complaints should follow a new version (or another SOP: a report taken into a fast track),
``Engine.migrate`` moves the chosen ones, mapping each old state to a state of the target; the
old clocks stop, the target's clocks start from the migration, and a ``migrated`` event records
both SOPs and versions and the mapping. Within one SOP a state left out of the mapping keeps its
name; to another SOP every complaint's state must be mapped explicitly.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from sp4n.errors import InvalidData, PermissionDenied
from sp4n.persistence.base import ChangeSet
from sp4n.states.model import Role
from sp4n.workflow.actor import Actor
from sp4n.workflow.commands import make_event
from sp4n.workflow.runtime import Runtime
from sp4n.workflow.views import ComplaintView, make_view

_MIGRATED = "__migrated__"


def migrate(
    rt: Runtime,
    complaint_ids: Iterable[str],
    *,
    sop_id: str,
    version: str | None,
    state_map: Mapping[str, str],
    actor: Actor,
) -> list[ComplaintView]:
    """Move complaints to ``sop_id`` at ``version`` (its active version when None)."""
    if actor.role is not Role.NATIONAL_ADMIN:
        raise PermissionDenied("(migration)", "migrate", str(actor), "only a national_admin migrates complaints")
    target = rt.registry.get(sop_id, version) if version is not None else rt.registry.get(sop_id)
    version = target.sop.version
    states = {s.id for s in target.sop.states}
    for old, new in state_map.items():
        if new not in states:
            raise InvalidData(f"state_map[{old!r}]", new, f"a state of {sop_id}@{version}: {', '.join(sorted(states))}")
    views = []
    for complaint_id in complaint_ids:
        loaded = rt.load(complaint_id)
        snapshot, source = loaded.snapshot, loaded.compiled
        complaint = snapshot.complaint
        if complaint.sop_id != sop_id and complaint.state not in state_map:
            reason = (
                f"a state of {sop_id} for state {complaint.state!r} of complaint {complaint_id!r}: moving from "
                f"{complaint.sop_id} to another SOP maps every state explicitly"
            )
            raise InvalidData("state_map", dict(state_map), reason)
        new_state = state_map.get(complaint.state, complaint.state)
        if new_state not in states:
            raise InvalidData(
                "state_map", dict(state_map), f"a mapping for state {complaint.state!r}, which {version} does not have"
            )
        now = rt.now()
        updated = complaint.copy()
        expected = updated.version
        updated.version += 1
        updated.updated_at = now
        old_ctx = rt.context(source, now)
        ledgers = dict(snapshot.clocks)
        stop = old_ctx.planner(updated.zone).plan(updated, ledgers, _MIGRATED, now)
        updated.sop_id = sop_id
        updated.sop_version = version
        updated.state = new_state
        new_ctx = rt.context(target, now)
        start = new_ctx.planner(updated.zone).plan(updated, ledgers, new_state, now)
        payload = {
            "from_sop": complaint.sop_id,
            "to_sop": sop_id,
            "from_version": complaint.sop_version,
            "to_version": version,
            "from_state": complaint.state,
            "to_state": new_state,
            "state_map": dict(state_map),
        }
        stop.changes.extend(start.changes)
        event = make_event(
            new_ctx,
            updated,
            loaded.prev,
            kind="migrated",
            actor=actor,
            source=complaint.state,
            dest=new_state,
            payload=payload,
            plan=stop,
        )
        change = ChangeSet(
            complaint=updated,
            expected_version=expected,
            clocks=list({ledger.name: ledger for ledger in stop.ledgers + start.ledgers}.values()),
            add_timers=start.add_timers,
            close_timers=stop.close_timers,
            events=[event],
            runs=list({(r.clock, r.started_at): r for r in stop.runs + start.runs}.values()),
            next_due_at=start.next_due_at,
        )
        rt.commit(change)
        views.append(make_view(updated, target.sop, actor.role, change.next_due_at))
    return views
