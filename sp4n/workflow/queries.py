"""Reading complaints back: one by id, by tracking number or external id, lists, history and deadlines.

Every read applies the privacy of :meth:`Engine.get`: outside their scope (another citizen's
report, another agency's) an actor sees what the public sees; a confidential report outside it
is refused (one by one) or left out (in lists); the public never sees a reporter's identity nor
a confidential report. Lists read the read model (:mod:`sp4n.persistence.query`), never events.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from dataclasses import dataclass, fields
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from json.encoder import encode_basestring_ascii as _json_text
from typing import Any, NamedTuple

from sp4n.agencies.model import EMPTY, AgencyRegistry
from sp4n.calendars.calendar import WorkingCalendar
from sp4n.calendars.zones import require_aware
from sp4n.errors import ComplaintNotFound, ComplaintNotVisible, InvalidData, PermissionDenied
from sp4n.persistence.query import ROW_FIELDS, ComplaintQuery, Order, Rows, Visibility
from sp4n.persistence.records import ClockStatus, Complaint, Event
from sp4n.states.model import Role
from sp4n.workflow.actor import Actor
from sp4n.workflow.commands import scope_problem, scope_problem_of, visibility_of
from sp4n.workflow.runtime import Runtime
from sp4n.workflow.tracking import normalize_tracking_number
from sp4n.workflow.views import HIDDEN, ComplaintView, hides_identity, hides_reporter, make_view, view_maker

MAX_LIMIT = 500
"""The most rows one page may hold."""

FILTERS = (
    "agency",
    "breached",
    "category",
    "channel",
    "classification",
    "due_before",
    "due_within",
    "external_id",
    "limit",
    "order",
    "reporter",
    "sop",
    "state",
    "submitted_from",
    "submitted_until",
    "tracking_number",
    "unit",
    "updated_from",
    "updated_until",
)
"""The keyword filters of :meth:`Engine.find` (besides ``cursor``)."""

_IDENTITY = ("reporter_id", "reporter_name", "attributes")
"""Payload keys of a submission that identify the reporter."""


@dataclass(frozen=True)
class Page:
    """One page of a list: the views the asking actor may see, and the cursor of the next page
    (None on the last one)."""

    items: tuple[ComplaintView, ...]
    next_cursor: str | None


def viewer_of(complaint: Complaint, actor: Actor | None, agencies: AgencyRegistry = EMPTY) -> Actor | None:
    """Whom ``actor`` counts as for ``complaint`` (themselves, or the public outside their
    scope, which follows the agency tree); PermissionDenied or ComplaintNotVisible when they may
    not see it at all."""
    problem = scope_problem(complaint, actor, agencies) if actor is not None else None
    return _viewer(complaint.id, complaint.confidential, problem, actor)


def _viewer(complaint_id: str, confidential: bool, problem: str | None, actor: Actor | None) -> Actor | None:
    """:func:`viewer_of` for a complaint that is ``confidential`` or not, given why ``actor``
    may not act on it (:func:`scope_problem`)."""
    if actor is not None and problem is not None:
        if confidential:
            raise PermissionDenied(complaint_id, "view", str(actor), problem)
        actor = None
    if actor is None and confidential:
        raise ComplaintNotVisible(complaint_id)
    return actor


_ID, _SOP, _SOP_VERSION, _STATE, _SUBMITTED, _ANONYMOUS, _CONFIDENTIAL, _AGENCY, _UNIT, _REPORTER, _DUE = (
    ROW_FIELDS.index(name)
    for name in (
        "id",
        "sop_id",
        "sop_version",
        "state",
        "submitted_at",
        "anonymous",
        "confidential",
        "agency",
        "unit",
        "reporter_id",
        "next_due_at",
    )
)


class _Seen(NamedTuple):
    """How an actor sees the complaints of one scope: why they may not act on them (None:
    they may), whether they see them as the public, and whether the reporter is hidden from
    them, for a complaint that is not anonymous and for one that is."""

    problem: str | None
    public: bool
    hide: tuple[bool, bool]

    @classmethod
    def of(cls, problem: str | None, actor: Actor | None) -> _Seen:
        role = actor.role if actor is not None and problem is None else None
        return cls(problem, role is None, (hides_identity(False, role), hides_identity(True, role)))


class Queries:
    """The read side of an engine."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self._last_horizon: tuple[WorkingCalendar, tuple[int, date], datetime] | None = None

    def _view(self, complaint: Complaint, actor: Actor | None, next_due_at: datetime | None) -> ComplaintView:
        viewer = viewer_of(complaint, actor, self.runtime.agencies)
        sop = self.runtime.registry.get(complaint.sop_id, complaint.sop_version).sop
        return make_view(complaint, sop, viewer.role if viewer else None, next_due_at)

    def _views(self, page: Rows, count: int, actor: Actor | None) -> tuple[ComplaintView, ...]:
        """The views of the first ``count`` rows of a page, as :meth:`_view` makes them: whom
        the actor counts as is decided once per agency and unit (and reporter, for a reporter)
        of a page, and the labels of each SOP state are looked up once a page. The values the
        rows' privacy depends on are plain text and flags, read as they are."""
        agencies, registry = self.runtime.agencies, self.runtime.registry
        make = view_maker(ROW_FIELDS, page.readers)
        reporter = actor is not None and actor.role is Role.REPORTER  # (only a reporter's scope depends on it)
        viewers: dict[tuple[str | None, str | None, str | None], _Seen] = {}
        labels: dict[tuple[str, str, str], tuple[str, str, bool]] = {}
        views = []
        for row in page.rows[:count]:
            scope = (row[_AGENCY], row[_UNIT], row[_REPORTER] if reporter else None)
            seen = viewers.get(scope)
            if seen is None:
                seen = viewers[scope] = _Seen.of(
                    scope_problem_of(*scope, actor, agencies) if actor is not None else None, actor
                )
            if seen.public and row[_CONFIDENTIAL]:
                _viewer(row[_ID], True, seen.problem, actor)  # refused, as get refuses
            state = (row[_SOP], row[_SOP_VERSION], row[_STATE])
            label = labels.get(state)
            if label is None:
                found = registry.get(state[0], state[1]).sop.state(state[2])
                label = labels[state] = (found.label_id, found.label_en, found.terminal)
            views.append(make(row, label, seen.hide[bool(row[_ANONYMOUS])], seen.public, None))
        return tuple(views)

    def get(self, complaint_id: str, actor: Actor | None) -> ComplaintView:
        """The complaint as ``actor`` may see it (see :meth:`Engine.get`)."""
        snapshot = self.runtime.store.load(complaint_id)
        running = [
            c.due_at for c in snapshot.clocks.values() if c.status is ClockStatus.RUNNING and c.due_at is not None
        ]
        return self._view(snapshot.complaint, actor, min(running, default=None))

    def lookup(
        self, actor: Actor | None, *, tracking_number: str | None = None, external_id: str | None = None
    ) -> ComplaintView:
        """The complaint with that tracking number (as typed: any case, O for 0) or external id."""
        if (tracking_number is None) == (external_id is None):
            raise InvalidData("tracking_number", tracking_number, "either a tracking number or an external id")
        wanted = normalize_tracking_number(tracking_number) if tracking_number is not None else None
        everything = Visibility(everything=True)  # privacy is applied to the one found, as get does
        query = ComplaintQuery(everything, limit=1, tracking_number=wanted, external_id=external_id)
        found = self.runtime.store.find(query)
        if not found:
            raise ComplaintNotFound(wanted if wanted is not None else f"external id {external_id}")
        complaint, next_due = found[0]
        return self._view(complaint, actor, next_due)

    def history(self, complaint_id: str, actor: Actor | None) -> list[Event]:
        """The complaint's events as ``actor`` may see them: refused as :meth:`get` refuses, and
        without the reporter's identity (in payloads, and as the actor of the reporter's own
        commands) for a viewer who may not see it. Redacted events are copies: their hashes no
        longer verify (``sp4n audit verify`` reads the store)."""
        complaint = self.runtime.store.load(complaint_id).complaint
        viewer = viewer_of(complaint, actor, self.runtime.agencies)
        events = self.runtime.store.history(complaint_id)
        if not hides_reporter(complaint, viewer.role if viewer else None):
            return events
        for event in events:
            for key in _IDENTITY:
                event.payload.pop(key, None)
            if event.actor_role == "reporter":
                event.actor_id = HIDDEN
        return events

    def check_visible(self, complaint_id: str, actor: Actor | None) -> None:
        """Refuse as :meth:`get` does when ``actor`` may not see the complaint."""
        viewer_of(self.runtime.store.load(complaint_id).complaint, actor, self.runtime.agencies)

    def allowed_triggers(self, complaint_id: str, actor: Actor) -> tuple[str, ...]:
        """The triggers ``actor`` may fire now on the complaint: none for ``system`` or outside
        the actor's scope, else those of its state whose roles include the actor's."""
        complaint = self.runtime.store.load(complaint_id).complaint
        if actor.role is Role.SYSTEM or scope_problem(complaint, actor, self.runtime.agencies) is not None:
            return ()
        compiled = self.runtime.registry.get(complaint.sop_id, complaint.sop_version)
        state = complaint.state
        return tuple(t for t in compiled.triggers_from[state] if actor.role in compiled.transitions[(t, state)].roles)

    def find(self, actor: Actor | None, *, cursor: str | None = None, **filters: Any) -> Page:
        """A page of complaints (filters as :meth:`Engine.find`)."""
        query = self._query(actor, filters)
        after = None if cursor is None else _decode(cursor, _fingerprint(query))
        page = self.runtime.store.find_rows(query.page(query.limit + 1, after))
        items = self._views(page, query.limit, actor)
        if len(page.rows) <= query.limit:
            return Page(items, None)
        last = page.rows[query.limit - 1]
        key = page.read(last, _DUE if query.order is Order.DUE else _SUBMITTED)
        assert key is not None
        return Page(items, _encode(_fingerprint(query), key, last[_ID]))

    def count(self, actor: Actor | None, **filters: Any) -> int:
        """How many complaints :meth:`find` would list for ``actor`` over all its pages (the
        same filters and order; no limit or cursor)."""
        for name in ("limit", "cursor"):
            if name in filters:
                raise InvalidData(name, filters[name], "no such argument: count() counts every page")
        return self.runtime.store.count(self._query(actor, filters))

    def _query(self, actor: Actor | None, f: dict[str, Any]) -> ComplaintQuery:
        limit = f.pop("limit", 50)
        if not isinstance(limit, int) or isinstance(limit, bool) or not 1 <= limit <= MAX_LIMIT:
            raise InvalidData("limit", limit, f"a whole number from 1 to {MAX_LIMIT}")
        order = f.pop("order", "submitted")
        try:
            order = Order(order)
        except ValueError:
            raise InvalidData("order", order, "'due' or 'submitted'") from None
        values: dict[str, Any] = {
            "visibility": visibility_of(actor, self.runtime.agencies),
            "order": order,
            "limit": limit,
        }
        # only the filters given are looked at (a query's other fields keep their None)
        for name, field in _TEXTS.items():
            if name in f:
                values[field] = _text(name, f.pop(name))
        state = f.pop("state", None)
        if state is not None:
            states = (state,) if isinstance(state, str) else tuple(state)
            values["states"] = frozenset(_text("state", s) for s in states)
        agency = _text("agency", f.pop("agency", None))
        if agency is not None:
            values["agencies"] = self.runtime.sub_agencies(agency)
        tracking = f.pop("tracking_number", None)
        if tracking is not None:
            values["tracking_number"] = normalize_tracking_number(tracking)
        for name in _INSTANTS:
            if name not in f:
                continue
            if f[name] is not None:
                values[name] = require_aware(f[name], name)
            del f[name]
        within = f.pop("due_within", None)
        if within is not None:
            values["due_before"] = min(filter(None, (values.get("due_before"), self._end_of_working_day(within))))
        if f.pop("breached", False):
            values["breached_at"] = self.runtime.now()
        reporter = values.get("reporter_id")
        if reporter is not None:
            values["reporter_scope"] = _reporter_scope(actor, reporter, values["visibility"])
        if f:
            raise InvalidData(sorted(f)[0], f[sorted(f)[0]], f"a filter of find(); not one of {', '.join(FILTERS)}")
        return ComplaintQuery.of(values)

    def _end_of_working_day(self, n: Any) -> datetime:
        """The end of the ``n``-th working day from today, in the default zone (the last one
        asked for is kept: it changes only with the day, the calendar or ``n``)."""
        if not isinstance(n, int) or isinstance(n, bool) or n < 0:
            raise InvalidData("due_within", n, "a whole number of working days, 0 or more")
        rt = self.runtime
        cal = rt.calendars.for_zone(rt.zones.default, True)
        today = rt.now().astimezone(cal.tzinfo).date()
        last = self._last_horizon
        if last is not None and last[0] is cal and last[1] == (n, today):
            return last[2]
        day = cal.add_working_days(today, n) if n else today
        end = datetime.combine(day + timedelta(days=1), time(0), cal.tzinfo)
        self._last_horizon = (cal, (n, today), end)
        return end


_TEXTS = {
    "unit": "unit",
    "category": "category",
    "classification": "classification",
    "channel": "channel",
    "external_id": "external_id",
    "sop": "sop_id",
    "reporter": "reporter_id",
}
"""The filters of text, and the fields of a query they set (in the order they are checked)."""

_INSTANTS = ("submitted_from", "submitted_until", "updated_from", "updated_until", "due_before")


def _reporter_scope(actor: Actor | None, reporter: str, visibility: Visibility) -> Visibility | None:
    """Where a list by reporter may look for ``actor``: only among complaints whose reporter
    they see (:func:`hides_reporter`), so the filter never tells who filed what they may not
    see. The public sees no reporter; a reporter, only themselves."""
    if actor is None:
        raise InvalidData("reporter", reporter, "a filter the public may not use (it sees no reporter)")
    if actor.role is Role.REPORTER and reporter != actor.id:
        raise InvalidData("reporter", reporter, "a reporter lists by reporter only their own reports")
    return None if visibility.everything or actor.role is Role.REPORTER else visibility


def _text(name: str, value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise InvalidData(name, value, "a non-empty string")
    return value


@lru_cache(maxsize=256)
def _fingerprint(query: ComplaintQuery) -> str:
    """What a cursor must have been made for: the same filters, order and viewer."""
    canonical = {
        f.name: sorted(v) if isinstance(v, frozenset) else v
        for f in fields(ComplaintQuery)
        if f.name != "after" and (v := getattr(query, f.name)) is not None
    }
    for name in ("visibility", "reporter_scope"):
        v = getattr(query, name)
        if v is not None:
            canonical[name] = [v.everything, sorted(v.agencies), v.reporter_id, sorted(v.units)]
    blob = json.dumps(canonical, sort_keys=True, default=str).encode()
    return hashlib.sha256(blob).hexdigest()[:16]


def _encode(fingerprint: str, key: datetime, cid: str) -> str:
    # json.dumps([fingerprint, key.isoformat(), cid], separators=(",", ":")), written out: the
    # same text (each string as json.dumps writes it, in ASCII) without the encoder's set-up
    blob = f"[{_json_text(fingerprint)},{_json_text(key.isoformat())},{_json_text(cid)}]".encode()
    return base64.urlsafe_b64encode(blob).decode().rstrip("=")


def _decode(cursor: Any, fingerprint: str) -> tuple[datetime, str]:
    problem = "the next_cursor of a page of this same query (same filters, order and viewer)"
    if not isinstance(cursor, str):
        raise InvalidData("cursor", cursor, problem)
    try:
        found, key, cid = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        instant = datetime.fromisoformat(key)
    except (ValueError, TypeError, binascii.Error):
        raise InvalidData("cursor", cursor, problem) from None
    if found != fingerprint or not isinstance(cid, str) or instant.tzinfo is None:
        raise InvalidData("cursor", cursor, problem)
    return instant, cid
