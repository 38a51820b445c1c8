"""Giving a complaint its id in another system, after it was filed (the national LAPOR! id).

A complaint filed here and sent to the national LAPOR! gets its national id only then. The id
is stored as the complaint's ``external_id`` by one change through the runtime's commit, with a
``linked`` event, so it is versioned, audited and in the feed like any other change. Linking the
id a complaint already carries changes nothing; another complaint's id is DuplicateComplaint,
and replacing a different id is refused.
"""

from __future__ import annotations

from sp4n.errors import InvalidData, PermissionDenied
from sp4n.persistence.base import ChangeSet
from sp4n.states.model import Role
from sp4n.workflow.actor import Actor
from sp4n.workflow.commands import make_event
from sp4n.workflow.runtime import Runtime
from sp4n.workflow.views import ComplaintView, make_view

LINKERS = frozenset({Role.SYSTEM, Role.NATIONAL_ADMIN})
"""Who records a complaint's id elsewhere: the connector (as system) or the national admin."""


def link_external(rt: Runtime, complaint_id: str, external_id: str, actor: Actor, system: str) -> ComplaintView:
    """Store ``external_id`` (the complaint's id in ``system``) on the complaint."""
    if actor.role not in LINKERS:
        raise PermissionDenied(complaint_id, "link", str(actor), "only the system or a national_admin links ids")
    if not isinstance(external_id, str) or not external_id.strip() or len(external_id) > 128:
        raise InvalidData("external_id", external_id, "a non-empty string of at most 128 characters")
    loaded = rt.load(complaint_id)
    complaint, compiled = loaded.snapshot.complaint, loaded.compiled
    if complaint.external_id == external_id:
        return make_view(complaint, compiled.sop, actor.role, None)
    if complaint.external_id is not None:
        reason = f"complaint {complaint_id!r} already carries external id {complaint.external_id!r}"
        raise InvalidData("external_id", external_id, reason)
    now = rt.now()
    updated = complaint.copy()
    updated.external_id = external_id
    updated.updated_at = now
    updated.version += 1
    payload = {"external_id": external_id, "system": system}
    event = make_event(rt.context(compiled, now), updated, loaded.prev, kind="linked", actor=actor, payload=payload)
    change = ChangeSet(
        complaint=updated,
        expected_version=complaint.version,
        events=[event],
        fields=("updated_at", "external_id"),
    )
    rt.commit(change)
    return make_view(updated, compiled.sop, actor.role, None)
