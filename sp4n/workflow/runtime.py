"""The runtime every change of a complaint goes through: load, decide, commit.

A command, a timer firing, a routing rule, a migration or a re-projection each loads a snapshot,
decides what changes (pure: :mod:`sp4n.workflow.commands` returns a ChangeSet and does no I/O)
and commits it (one version-checked save, then the events go to subscribers). The
:class:`Runtime` holds what that needs (store, SOP registry, calendars, zones, clock,
subscribers) so the modules of the workflow take it, not the whole Engine.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sp4n.agencies.model import AgencyRegistry
from sp4n.calendars.zones import require_aware, zone_name
from sp4n.clock import Clock
from sp4n.errors import InvalidData, SopError, SopNotFoundError
from sp4n.persistence.base import ChangeSet, Snapshot, Store
from sp4n.persistence.milestones import milestone, reached
from sp4n.persistence.records import Event
from sp4n.workflow.agencies import AgencyBook
from sp4n.workflow.calendars import CalendarBook
from sp4n.workflow.commands import CommandContext
from sp4n.workflow.compiled import CompiledSop, SopRegistry

log = logging.getLogger("sp4n.engine")

Subscriber = Callable[[Event], None]

REFRESH_EVERY = timedelta(seconds=5)
"""How stale a command may find the active calendar and SOP versions (a worker refreshes every sweep)."""


@dataclass(frozen=True)
class Zones:
    """Which zone a complaint counts in: its agency's zone, else the default zone.

    ``given`` are the zones given to the engine as ``agency_zones``; ``by_agency`` adds the
    zones of the agency registry (its own, or inherited from the agency above), given ones first.
    """

    default: str
    by_agency: Mapping[str, str]
    given: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def build(cls, calendar_zone: str, default_zone: str | None, agency_zones: Mapping[str, str] | None) -> Zones:
        """Check the zones given to an engine: ``default_zone`` (if given) must be the calendar's."""
        by_agency = {k: zone_name(v, f"agency_zones[{k!r}]") for k, v in (agency_zones or {}).items()}
        if default_zone is None:
            return cls(calendar_zone, by_agency, by_agency)
        default = zone_name(default_zone, "default_zone")
        if default != calendar_zone:
            raise InvalidData(
                "default_zone",
                default_zone,
                f"the zone of the calendar ({calendar_zone}); give a calendar in {default} "
                f"(WorkingCalendar.indonesia({default!r})) or leave default_zone out",
            )
        return cls(default, by_agency, by_agency)

    def with_registry(self, registry: AgencyRegistry) -> Zones:
        """These zones with the registry's under the given ones."""
        return Zones(self.default, {**registry.zones(), **self.given}, self.given)

    def of(self, agency: str | None) -> str:
        """The zone of ``agency`` (the default zone when it has none, or for no agency)."""
        return self.by_agency.get(agency or "", self.default)


@dataclass(frozen=True)
class Loaded:
    """A complaint's snapshot and the SOP version it is pinned to."""

    snapshot: Snapshot
    compiled: CompiledSop

    @property
    def prev(self) -> tuple[int, str]:
        """Sequence number and hash of the head of the complaint's event chain."""
        return (self.snapshot.last_seq, self.snapshot.last_hash)


class Runtime:
    """Store, SOP registry, calendars, agencies, zones, clock and subscribers: what every change needs."""

    def __init__(
        self,
        *,
        store: Store,
        registry: SopRegistry,
        calendars: CalendarBook,
        agencies: AgencyBook,
        zones: Zones,
        clock: Clock,
        late_grace: timedelta,
    ) -> None:
        self.store = store
        self.registry = registry
        self.calendars = calendars
        self.agency_book = agencies
        self.zones = zones.with_registry(agencies.active)
        self.clock = clock
        self.late_grace = late_grace
        self.refresh_every = REFRESH_EVERY
        self.audit_key: bytes | None = None
        self._subscribers: list[Subscriber] = []
        self._refreshed_at: datetime | None = None

    def now(self) -> datetime:
        """The injected clock's now, checked to be aware, in UTC."""
        return require_aware(self.clock.now(), "clock.now()").astimezone(UTC)

    @property
    def agencies(self) -> AgencyRegistry:
        """The active agency registry (empty when none was given or applied)."""
        return self.agency_book.active

    def sub_agencies(self, agency: str) -> frozenset[str]:
        """``agency`` and every agency below it in the active registry (a filter's "with its
        sub-agencies")."""
        return self.agency_book.active.sub_agencies(agency)

    def apply_agencies(self, registry: AgencyRegistry) -> None:
        """Make ``registry`` the active one of every process sharing the store."""
        self.agency_book.activate(registry)
        self.zones = self.zones.with_registry(registry)

    def context(self, compiled: CompiledSop, now: datetime) -> CommandContext:
        """What deciding a change of a complaint on ``compiled`` at ``now`` needs."""
        joint_leave = compiled.sop.calendar.joint_leave
        calendars = self.calendars
        return CommandContext(
            compiled,
            lambda z: calendars.for_zone(z, joint_leave),
            now,
            self.zones.of,
            audit_key=self.audit_key,
            agencies=self.agencies,
        )

    def load(self, complaint_id: str) -> Loaded:
        """A complaint's snapshot with the SOP version it is pinned to."""
        snapshot = self.store.load(complaint_id)
        complaint = snapshot.complaint
        return Loaded(snapshot, self.registry.get(complaint.sop_id, complaint.sop_version))

    def commit(self, change: ChangeSet) -> None:
        """Save ``change`` (version-checked, in one transaction, with its read-model rows), then
        hand its events on."""
        self.add_milestones(change)
        self.store.save(change)
        self.publish(change.events)

    def commit_many(self, changes: Sequence[ChangeSet]) -> None:
        """Save changes of distinct complaints in ONE transaction (all or none), then hand their
        events on; ConcurrencyConflict if any complaint moved meanwhile."""
        for change in changes:
            self.add_milestones(change)
        self.store.save_many(changes)
        for change in changes:
            self.publish(change.events)

    def add_milestones(self, change: ChangeSet) -> None:
        """Put on ``change`` the milestones its events reach (see :mod:`sp4n.persistence.milestones`),
        with who reached them and the working days since receipt on the complaint's own calendar;
        the store keeps the first of each."""
        complaint = change.complaint
        sop = self.registry.get(complaint.sop_id, complaint.sop_version).sop
        reached_before = {m.name for m in change.milestones}
        calendar = None
        for event in change.events:
            for name, at in reached(event, complaint.submitted_at, lambda s: sop.state(s).terminal):
                if name not in reached_before:
                    reached_before.add(name)
                    if calendar is None:
                        calendar = self.calendars.for_zone(complaint.zone, sop.calendar.joint_leave)
                    change.milestones.append(milestone(event, name, at, complaint.submitted_at, calendar))

    def subscribe(self, callback: Subscriber) -> Callable[[], None]:
        """Call ``callback`` with every event after it is committed; returns an unsubscribe."""
        self._subscribers.append(callback)
        return lambda: self._subscribers.remove(callback) if callback in self._subscribers else None

    def publish(self, events: Iterable[Event]) -> None:
        """Hand committed events to subscribers; a failing subscriber is logged, not raised."""
        for event in events:
            for callback in list(self._subscribers):
                try:
                    callback(event)
                except Exception:
                    log.exception("subscriber %r failed on event %s/%s", callback, event.complaint_id, event.seq)

    def refresh(self) -> bool:
        """Take up the calendar, the agency registry and the SOP versions that another process
        made active (a decree applied, a registry applied, an SOP registered); returns whether
        anything changed."""
        self._refreshed_at = self.now()
        changed = self.calendars.refresh()
        if self.agency_book.refresh():
            self.zones = self.zones.with_registry(self.agency_book.active)
            changed = True
        for sop_id, version in self.store.active("sop").items():
            try:
                changed = self.registry.activate(sop_id, version) or changed
            except SopNotFoundError:
                log.warning(
                    "SOP %s@%s is active but not stored; new complaints stay on the version before", sop_id, version
                )
            except SopError as exc:
                log.error(
                    "SOP %s@%s is active but refused: %s; new complaints stay on the version before",
                    sop_id,
                    version,
                    exc,
                )
        return changed

    def refresh_if_due(self) -> bool:
        """:meth:`refresh` when the last one is ``refresh_every`` old (a command's way: one read
        every few seconds, not one per command)."""
        last = self._refreshed_at
        if last is not None and timedelta(0) <= self.now() - last < self.refresh_every:
            return False
        return self.refresh()
