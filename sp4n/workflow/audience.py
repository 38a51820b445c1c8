"""What each audience may see of an event: the view decided by the facts stored with it.

The feed keeps, with every event, the complaint's anonim and rahasia flags as the event left
them (:class:`sp4n.persistence.feed_records.FeedEntry`); a later change that sets a flag gives
it to the complaint's earlier rows too. From those facts alone:

- ``national`` sees the event whole (the national system keeps identities from others itself);
- ``agency`` never sees an anonymous reporter's identity: the reporter fields of the payload
  (the attributes given at submission among them) are removed and, on the reporter's own
  events, ``actor_id`` becomes ``"anonim"``;
- ``public`` sees no reporter at all (as every public view of sp4n), and nothing of a
  confidential (rahasia) report.

A view names what it left out in ``masked``; its ``hash`` is the stored event's, so a receiver
that checks it must put the masked fields back aside (it cannot, by design, recompute it).
"""

from __future__ import annotations

from typing import Any

from sp4n.persistence.feed_records import Audience, FeedEntry
from sp4n.states.model import Role

MASKED_REPORTER = "anonim"
"""What an anonymous complaint's reporter is called in the views of agency and public audiences."""

REPORTER_FIELDS = (
    "reporter_id",
    "reporter_name",
    "reporter_phone",
    "reporter_email",
    "reporter_contact",
    "attributes",
)
"""Payload fields that name or reach a reporter (attributes such as a phone or an address
among them): left out of agency views of anonymous reports, and of every public view."""


def view(entry: FeedEntry, audience: Audience) -> dict[str, Any] | None:
    """The event of ``entry`` as ``audience`` may see it; None when it may see nothing of it."""
    event = entry.event
    if event is None:
        raise ValueError(f"feed entry {entry.position} was read without its event")
    if audience is Audience.PUBLIC and entry.confidential:
        return None
    data = event.content()
    data["hash"] = event.hash
    data["position"] = entry.position
    data["historical"] = entry.historical
    data["masked"] = []
    if audience is Audience.NATIONAL or (audience is Audience.AGENCY and not entry.anonymous):
        return data
    masked: list[str] = []
    payload = dict(event.payload)
    for name in REPORTER_FIELDS:
        if name in payload:
            del payload[name]
            masked.append(f"payload.{name}")
    if event.actor_role == Role.REPORTER.value:
        data["actor_id"] = MASKED_REPORTER
        masked.append("actor_id")
    data["payload"] = payload
    data["masked"] = masked
    return data
