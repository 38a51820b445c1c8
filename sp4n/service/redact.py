"""Events as a caller may see them: an anonymous reporter's identity removed for agency staff."""

from __future__ import annotations

from typing import Any

from sp4n.persistence.records import Complaint, Event
from sp4n.states.model import Role

SEES_REPORTER = frozenset({Role.REPORTER, Role.NATIONAL_ADMIN, Role.OMBUDSMAN})
"""Who may see the reporter of an anonymous complaint (the reporter only of their own)."""

_IDENTITY = ("reporter_id", "reporter_name")


def event_for(event: Event, complaint: Complaint, viewer: Role) -> dict[str, Any]:
    """JSON-ready data of ``event`` for a viewer of role ``viewer`` within the complaint's scope."""
    hide = complaint.anonymous and viewer not in SEES_REPORTER
    payload = dict(event.payload)
    actor_id: str | None = event.actor_id
    if hide:
        for name in _IDENTITY:
            payload.pop(name, None)
        if event.actor_role == Role.REPORTER.value:
            actor_id = None
    return {
        "seq": event.seq,
        "at": event.at.isoformat(),
        "kind": event.kind,
        "actor_id": actor_id,
        "actor_role": event.actor_role,
        "trigger": event.trigger,
        "source": event.source,
        "dest": event.dest,
        "payload": payload,
        "calendar_version": event.calendar_version,
        "sop_version": event.sop_version,
    }
