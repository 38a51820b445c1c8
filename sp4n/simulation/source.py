"""The history a simulation replays, read from the source database and never written to it.

A simulation needs, from the database that recorded what happened: the complaints of a period
filed under one SOP, each with its events; the SOP versions they are pinned to; the calendar,
agency registry and zones they counted on. :class:`Source` reads exactly that, through the
store's read paths only (no engine is built on the source: building one registers SOPs and
activates a calendar, which writes).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta

from sp4n.agencies.model import AgencyRegistry
from sp4n.calendars.calendar import WorkingCalendar
from sp4n.calendars.zones import zoneinfo
from sp4n.errors import InvalidArgumentError, SopNotFoundError, Sp4nError
from sp4n.persistence.base import Store
from sp4n.persistence.connect import require_existing
from sp4n.persistence.query import ComplaintQuery, Order, Visibility
from sp4n.persistence.records import Complaint, Event
from sp4n.reports.period import Period
from sp4n.states.loader import restore_sop
from sp4n.states.model import Sop
from sp4n.workflow.agencies import AgencyBook
from sp4n.workflow.calendars import active_calendar_version, stored_calendar
from sp4n.workflow.engine import Engine

PAGE = 500
"""Complaints read per query while listing a period."""

ZONE_MARGIN = timedelta(days=1)
"""How far around a period's UTC dates its complaints may have been received (by local dates in
zones from UTC-12 to UTC+14); each is then kept or not by its own local date."""


@dataclass(frozen=True)
class Recorded:
    """A complaint as the source recorded it: its current record and every event, oldest first."""

    complaint: Complaint
    history: list[Event]


@dataclass
class Source:
    """A store to read history from, with the calendar, registry and zones it counted on."""

    store: Store
    calendar: WorkingCalendar
    agencies: AgencyRegistry
    agency_zones: Mapping[str, str] = field(default_factory=dict)
    sop_of: Callable[[str, str], Sop] | None = None

    @classmethod
    def of_engine(cls, engine: Engine) -> Source:
        """What ``engine`` counts on (its zones given as ``agency_zones`` included)."""
        return cls(
            engine.store,
            engine.calendar,
            engine.agencies,
            dict(engine.runtime.zones.given),
            lambda sop_id, version: engine.registry.get(sop_id, version).sop,
        )

    @classmethod
    def of_store(cls, store: Store) -> Source:
        """What the engines sharing ``store`` count on: its active calendar (the Indonesian one
        when none was made active) and its active agency registry."""
        version = active_calendar_version(store)
        calendar = stored_calendar(store, version) if version is not None else None
        agencies = AgencyBook(store, None, _no_writes).active  # given none, the book only reads
        return cls(store, calendar or WorkingCalendar.indonesia(), agencies)

    def sop(self, sop_id: str, version: str) -> Sop:
        """The SOP version complaints are pinned to, as the source keeps it."""
        if self.sop_of is not None:
            return self.sop_of(sop_id, version)
        content = self.store.load_definition("sop", (sop_id, version))
        if content is None:
            raise SopNotFoundError(f"{sop_id}@{version}", ())
        return restore_sop(content, sop_id, version)

    def complaints(self, sop_id: str, period: Period) -> list[Recorded]:
        """The complaints filed under ``sop_id`` and received in ``period`` (by the local date of
        their receipt in their own zone, as reports count them), oldest first."""
        start, end = (datetime.combine(d, time(), UTC) for d in (period.start, period.end))
        found: list[Recorded] = []
        after: tuple[datetime, str] | None = None
        while True:
            query = ComplaintQuery(
                Visibility(everything=True),
                order=Order.SUBMITTED,
                limit=PAGE,
                after=after,
                sop_id=sop_id,
                submitted_from=start - ZONE_MARGIN,
                submitted_until=end + ZONE_MARGIN,
            )
            page = [complaint for complaint, _ in self.store.find(query)]
            found.extend(
                Recorded(c, self.store.history(c.id))
                for c in page
                if period.start <= c.submitted_at.astimezone(zoneinfo(c.zone)).date() < period.end
            )
            if len(page) < PAGE:
                return found
            after = (page[-1].submitted_at, page[-1].id)


@contextmanager
def open_source(source: Engine | Store | str) -> Iterator[Source]:
    """A :class:`Source` on an engine, a store or a database URL (opened without upgrading its
    schema, and closed afterwards)."""
    if isinstance(source, Engine):
        yield Source.of_engine(source)
        return
    if isinstance(source, Store):
        yield Source.of_store(source)
        return
    if not isinstance(source, str):
        raise InvalidArgumentError("source", source, "an Engine, a Store or a database URL")
    from sp4n.persistence.sql import open_store

    require_existing(source, "a simulation")
    store = open_store(source, upgrade=False)
    try:
        yield Source.of_store(store)
    finally:
        store.close()


def _no_writes() -> datetime:
    """The clock of the source's books: asked only to date a write, which a simulation never makes."""
    raise Sp4nError("a simulation writes nothing to its source")
