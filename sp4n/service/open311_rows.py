"""Complaints as Open311 GeoReport v2 rows: service requests, their updates, and their status.

``status`` is ``open`` or ``closed`` (a terminal state), or, when a client asks for
FixMyStreet's extended statuses, the one of that set a state of the SOP reads as (states the
table does not name: ``closed`` when terminal, else ``open``). Rows render as JSON or as XML.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import datetime
from typing import Any, Literal

from fastapi.responses import JSONResponse, Response

from sp4n.errors import InvalidArgumentError
from sp4n.persistence.records import Event
from sp4n.workflow.engine import Engine
from sp4n.workflow.views import ComplaintView

Format = Literal["json", "xml"]

REQUEST_FIELDS = (
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
)
"""The fields of a service request, in the order GeoReport v2 lists them."""

UPDATE_FIELDS = ("update_id", "service_request_id", "status", "updated_datetime", "description", "media_url")
"""The fields of a service request update, in the order FixMyStreet's extension lists them."""

SERVICE_FIELDS = ("service_code", "service_name", "description", "metadata", "type", "keywords", "group")
"""The fields of a service."""

EXTENDED_STATUSES = (
    "open",
    "for_triage",
    "investigating",
    "action_scheduled",
    "in_progress",
    "planned",
    "fixed",
    "closed",
    "duplicate",
    "not_councils_responsibility",
    "no_further_action",
    "internal_referral",
)
"""FixMyStreet's statuses beyond open and closed (what a client may filter by when it asks for them)."""

EXTENDED = {
    "received": "open",
    "on_hold": "investigating",
    "verified": "investigating",
    "distributed": "action_scheduled",
    "rerouting": "for_triage",
    "followed_up": "in_progress",
    "escalated": "investigating",
    "referred": "internal_referral",
    "closed": "fixed",
    "archived": "no_further_action",
}
"""The extended status of each state of the national SOP (and of variants that keep its states):
a report put on hold or escalated is being looked into; distributed to an agency, action is
scheduled; followed up, the agency is working on it; done (selesai), fixed; archived without
follow-up, no further action; referred to the Ombudsman, referred on."""


def status_of_state(state: str, terminal: bool, extended: bool) -> str:
    """The Open311 status of a complaint in ``state``."""
    plain = "closed" if terminal else "open"
    return EXTENDED.get(state, plain) if extended else plain


def _expected(engine: Engine, complaint_id: str) -> str | None:
    for deadline in engine.deadlines(complaint_id, None):  # (what Open311 shows is public)
        if deadline.clock == "completion" and deadline.due is not None:
            return deadline.due.at.isoformat()
    return None


def request_row(engine: Engine, view: ComplaintView, extended: bool = False) -> dict[str, Any]:
    """A complaint (as the public sees it) as an Open311 service request."""
    row: dict[str, Any] = dict.fromkeys(REQUEST_FIELDS)
    row.update(
        service_request_id=view.id,
        status=status_of_state(view.state, view.terminal, extended),
        status_notes=view.state_label_en,
        service_name=(view.category or "").replace("_", " ").capitalize() or None,
        service_code=view.category,
        description=view.description or view.title,
        agency_responsible=view.agency,
        requested_datetime=view.submitted_at.isoformat(),
        updated_datetime=view.updated_at.isoformat(),
        expected_datetime=None if view.terminal else _expected(engine, view.id),
    )
    return row


def update_row(engine: Engine, view: ComplaintView, event: Event, extended: bool) -> dict[str, Any]:
    """One change of state of a complaint (as the public sees it) as a service request update:
    the status after it, and the label of the state it reached as its text (nothing the
    public may not see: no person, no command data)."""
    assert event.dest is not None
    # the SOP version the event was made under (the complaint may have moved to a newer one since)
    state = engine.registry.get(view.sop_id, event.sop_version or view.sop_version).sop.state(event.dest)
    return {
        "update_id": f"{view.id}-{event.seq}",
        "service_request_id": view.id,
        "status": status_of_state(state.id, state.terminal, extended),
        "updated_datetime": event.at.isoformat(),
        "description": state.label_en,
        "media_url": None,
    }


def instant(value: str | None, name: str) -> datetime | None:
    """A W3C date-time parameter (with its offset), or None when it is not given."""
    if value is None:
        return None
    try:
        found = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise InvalidArgumentError(name, value, "a W3C date-time such as 2026-03-02T10:00:00+07:00") from None
    if found.tzinfo is None:
        raise InvalidArgumentError(name, value, "a date-time with its offset")
    return found


def render(fmt: Format, root: str, item: str, rows: list[dict[str, Any]], code: int = 200) -> Response:
    """Rows as a JSON list, or as XML: ``<root><item>...</item></root>``."""
    if fmt == "json":
        return JSONResponse(rows, status_code=code)
    top = ET.Element(root)
    for row in rows:
        node = ET.SubElement(top, item)
        for name, value in row.items():
            ET.SubElement(node, name).text = (
                "" if value is None else str(value).lower() if isinstance(value, bool) else str(value)
            )
    body = b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(top, encoding="utf-8")
    return Response(body, status_code=code, media_type="text/xml")
