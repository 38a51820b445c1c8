"""What the monitoring room shows, as counts and lists of :meth:`Engine.find`'s filters.

Every tile is :meth:`Engine.count` with find's filters (or the difference of two), so a tile
always equals what the API lists for the same viewer; the queue is one page of ``find``. The
viewer's scope decides what is counted: national staff and the Ombudsman see every agency,
agency staff their agency's tree, the public (no key) every report that is not confidential,
and never a queue of single complaints. Days are those of the engine's default zone, as in
``due_within``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sp4n.calendars.calendar import WorkingCalendar
from sp4n.persistence.records import ClockStatus
from sp4n.service.problems import Problem
from sp4n.states.model import Role
from sp4n.workflow.actor import Actor
from sp4n.workflow.engine import Engine
from sp4n.workflow.views import ComplaintView

UNVERIFIED_DAYS = 3
"""Working days after which a report still ``received`` counts as verified late (the national
SOP's verification budget)."""

QUEUE_LIMIT = 50
"""The most complaints the queue shows (the earliest due first)."""

_EVERY_AGENCY = frozenset({Role.NATIONAL_ADMIN, Role.OMBUDSMAN})
_AGENCY_STAFF = frozenset({Role.AGENCY_ADMIN, Role.LIAISON_OFFICER})


@dataclass(frozen=True)
class Scope:
    """Who is looking (None: the public) and the agency tree they look at (None: every agency)."""

    actor: Actor | None
    agency: str | None

    @property
    def filters(self) -> dict[str, Any]:
        """The agency filter of find for this scope."""
        return {"agency": self.agency} if self.agency is not None else {}


def scope_of(engine: Engine, actor: Actor | None, agency: str | None) -> Scope:
    """The scope of ``actor`` looking at ``agency`` (a drill-down; None for their whole view):
    agency staff stay inside their own tree, reporters have no dashboard (403)."""
    if actor is None or actor.role in _EVERY_AGENCY:
        return Scope(actor, agency)
    if actor.role not in _AGENCY_STAFF or actor.agency is None:
        raise Problem(
            403,
            "OutsideKeyScope",
            "the dashboard is for national and agency staff and the Ombudsman (or the public, without a key)",
            field="Sp4n-Actor-Role",
            value=actor.role.value,
        )
    if agency is not None and agency not in engine.sub_agencies(actor.agency):
        raise Problem(
            403,
            "OutsideKeyScope",
            f"{actor.agency!r} sees only its own agency tree",
            field="agency",
            value=agency,
        )
    return Scope(actor, agency or actor.agency)


@dataclass(frozen=True)
class Tiles:
    """The numbers at the top of the room, each with the find filters that list it."""

    now: datetime
    today: date
    received_today: int
    received_this_week: int
    due_within_1_working_day: int
    breached_now: int
    escalated: int
    unverified_beyond_3_working_days: int

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready data."""
        data = dict(self.__dict__)
        data["now"], data["today"] = self.now.isoformat(), self.today.isoformat()
        return data


def _calendar(engine: Engine) -> WorkingCalendar:
    return engine.calendar_for(engine.default_zone)


def tile_filters(engine: Engine) -> dict[str, dict[str, Any]]:
    """The find filters of each tile as of the engine's now (``due_within_1_working_day`` is
    its filters' count less ``breached_now``'s: due later today or by the next working day)."""
    cal = _calendar(engine)
    now = engine.now()
    today = now.astimezone(cal.tzinfo).date()

    def start(day: date) -> datetime:
        return datetime.combine(day, time(0), cal.tzinfo)

    tomorrow = start(today + timedelta(days=1))
    return {
        "received_today": {"submitted_from": start(today), "submitted_until": tomorrow},
        "received_this_week": {
            "submitted_from": start(today - timedelta(days=today.weekday())),
            "submitted_until": tomorrow,
        },
        "due_within_1_working_day": {"due_within": 1},
        "breached_now": {"due_before": now},
        "escalated": {"state": "escalated"},
        "unverified_beyond_3_working_days": {
            "state": "received",
            "submitted_until": start(cal.add_working_days(today, -UNVERIFIED_DAYS)),
        },
    }


def tiles(engine: Engine, scope: Scope) -> Tiles:
    """The tiles of ``scope`` now."""
    now = engine.now()
    counts = {
        name: engine.count(scope.actor, **scope.filters, **filters) for name, filters in tile_filters(engine).items()
    }
    counts["due_within_1_working_day"] -= counts["breached_now"]
    return Tiles(now=now, today=now.astimezone(_calendar(engine).tzinfo).date(), **counts)


@dataclass(frozen=True)
class QueueItem:
    """One complaint of the queue: where it is, which clock is next due, and how much working
    time is left (negative working days: that many past due)."""

    view: ComplaintView
    clock: str | None
    clock_label_id: str | None
    clock_label_en: str | None
    due_at: datetime | None
    due_date: date | None
    """The local date the deadline falls on (a day-based one passes at the end of it)."""
    breached: bool
    working_days_left: int | None
    agency_names: tuple[str, str] | None = None
    """The agency's Indonesian and English names (from the agency registry)."""

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready data: the complaint's listing fields, without its reporter or text."""
        v = self.view
        return {
            "id": v.id,
            "tracking_number": v.tracking_number,
            "title": v.title,
            "agency": v.agency,
            "agency_name_id": self.agency_names[0] if self.agency_names else v.agency,
            "agency_name_en": self.agency_names[1] if self.agency_names else v.agency,
            "unit": v.unit,
            "zone": v.zone,
            "state": v.state,
            "state_label_id": v.state_label_id,
            "state_label_en": v.state_label_en,
            "clock": self.clock,
            "clock_label_id": self.clock_label_id,
            "clock_label_en": self.clock_label_en,
            "due_at": self.due_at.isoformat() if self.due_at else None,
            "due_date": self.due_date.isoformat() if self.due_date else None,
            "breached": self.breached,
            "working_days_left": self.working_days_left,
        }


def queue(engine: Engine, scope: Scope) -> list[QueueItem]:
    """Complaints past due or due within one working day, the earliest due first."""
    if scope.actor is None:
        raise Problem(401, "Unauthenticated", "the queue lists single complaints: it needs an API key")
    page = engine.find(scope.actor, **scope.filters, due_within=1, order="due", limit=QUEUE_LIMIT)
    now = engine.now()
    return [_item(engine, scope.actor, view, now) for view in page.items]


def _item(engine: Engine, actor: Actor, view: ComplaintView, now: datetime) -> QueueItem:
    running = [d for d in engine.deadlines(view.id, actor) if d.status is ClockStatus.RUNNING and d.due is not None]
    if not running:
        return QueueItem(view, None, None, None, view.next_due_at, None, False, None)
    first = min(running, key=lambda d: d.due.at if d.due else now)
    assert first.due is not None
    cal = engine.calendar_for(first.due.zone)
    today = now.astimezone(cal.tzinfo).date()
    breached = first.due.at <= now
    left = (
        -cal.working_days_between(first.due.local_date, today)
        if breached
        else cal.working_days_between(today, first.due.local_date)
    )
    due = first.due
    found = engine.agencies.get(view.agency) if view.agency else None
    names = (found.name_id, found.name_en or found.name_id) if found else None
    return QueueItem(view, first.clock, first.label_id, first.label_en, due.at, due.local_date, breached, left, names)
