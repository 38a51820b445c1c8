"""The engine: applies people's commands and the SOPs' own deadlines to complaints.

Every command loads one complaint, checks it against the SOP version the complaint is pinned
to, moves it on that SOP's Machine, plans its clocks and saves all of it in one ChangeSet.
Deadlines come back as timers that :meth:`Engine.run_due` fires, in due order, as ``system``.
"""

from __future__ import annotations

import logging
import sys
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sp4n.agencies.loader import resolve_agencies
from sp4n.agencies.model import AgencyRegistry
from sp4n.calendars.calendar import WorkingCalendar
from sp4n.calendars.zones import require_aware
from sp4n.clock import Clock, SystemClock
from sp4n.errors import (
    ConcurrencyConflict,
    DuplicateComplaint,
    InvalidArgumentError,
    InvalidData,
    PermissionDenied,
    Sp4nError,
)
from sp4n.persistence.audit import audit_key_bytes
from sp4n.persistence.base import Store
from sp4n.persistence.connect import safe_url
from sp4n.persistence.records import Event
from sp4n.states.loader import restore_sop
from sp4n.states.model import Role, Sop
from sp4n.workflow.actor import Actor
from sp4n.workflow.agencies import AgencyBook
from sp4n.workflow.arguments import (
    check_actor,
    check_command,
    check_count,
    check_engine_options,
    check_migration,
    check_name,
)
from sp4n.workflow.book import Book, BookResult
from sp4n.workflow.calendars import CalendarBook
from sp4n.workflow.commands import (
    apply_transition,
    check_guards,
    check_sees,
    find_transition,
)
from sp4n.workflow.compiled import CompiledSop, SopRegistry
from sp4n.workflow.deadlines import DeadlineRunner
from sp4n.workflow.feed import Feed
from sp4n.workflow.idempotency import Command
from sp4n.workflow.intake import DEFAULT_BACKDATE_LIMIT, SUBMITTERS, Intake, submission_fields
from sp4n.workflow.linking import link_external
from sp4n.workflow.migration import migrate
from sp4n.workflow.queries import Page, Queries
from sp4n.workflow.replay import replay_history
from sp4n.workflow.reprojection import reproject
from sp4n.workflow.runtime import Runtime, Subscriber, Zones
from sp4n.workflow.tracking import TrackingNumbers
from sp4n.workflow.views import ComplaintView, Deadline, Firing, make_view
from sp4n.workflow.worker import DeadlineWorker

log = logging.getLogger("sp4n.engine")

DEFAULT_DATABASE_URL = "sqlite:///sp4n.db"
"""The embedded default: a SQLite file in the working directory."""


class Engine:
    """Runs complaints through their SOPs on a working calendar, with an injected clock.

    A complaint counts in its agency's zone (``agency_zones``, else the zone the agency registry
    gives it), else in ``default_zone``, which is the calendar's zone unless given (and then must
    be the calendar's zone). ``agencies`` (a registry or a registry file) becomes the active
    registry of every process sharing the store; without it the engine works with the active one.
    """

    def __init__(
        self,
        *,
        sops: Iterable[Sop | str | Path] = ("national",),
        calendar: WorkingCalendar | None = None,
        clock: Clock | None = None,
        store: Store | None = None,
        database_url: str | None = None,
        agency_zones: Mapping[str, str] | None = None,
        agencies: AgencyRegistry | str | Path | None = None,
        default_zone: str | None = None,
        late_grace: timedelta = timedelta(minutes=15),
        id_factory: Callable[[], str] | None = None,
        backdate_limit: timedelta = DEFAULT_BACKDATE_LIMIT,
        audit_key: str | bytes | None = None,
        fast_tracks: Iterable[str] = (),
    ) -> None:
        key = audit_key_bytes(audit_key)
        check_engine_options(sops, clock, agency_zones, late_grace)
        if store is not None and database_url is not None:
            raise InvalidData("database_url", safe_url(database_url), "either a store or a database_url, not both")
        own_store = store is None
        if store is None:
            from sp4n.persistence.sql import open_store

            store = open_store(database_url or DEFAULT_DATABASE_URL)
        self.store: Store = store
        self.worker: DeadlineWorker | None = None
        try:
            given = resolve_agencies(agencies) if agencies is not None else None
            self._setup(
                sops, calendar, clock, default_zone, agency_zones, given, late_grace, id_factory, backdate_limit
            )
            self.runtime.audit_key = key
            self.fast_tracks: tuple[str, ...] = ()
            for sop_id in fast_tracks:
                self.switch_fast_track(sop_id)
        except BaseException:
            if own_store:
                self.close()
            raise

    def _setup(
        self,
        sops: Iterable[Sop | str | Path],
        calendar: WorkingCalendar | None,
        clock: Clock | None,
        default_zone: str | None,
        agency_zones: Mapping[str, str] | None,
        agencies: AgencyRegistry | None,
        late_grace: timedelta,
        id_factory: Callable[[], str] | None,
        backdate_limit: timedelta,
    ) -> None:
        from sp4n.states.loader import resolve_sop

        clock = clock if clock is not None else SystemClock()

        def now() -> datetime:
            return require_aware(clock.now(), "clock.now()")

        calendars = CalendarBook(self.store, calendar, now)
        zones = Zones.build((calendar or calendars.active).zone, default_zone, agency_zones)
        self.runtime = Runtime(
            store=self.store,
            registry=SopRegistry(fallback=self._stored_sop),
            calendars=calendars,
            agencies=AgencyBook(self.store, agencies, now),
            zones=zones,
            clock=clock,
            late_grace=late_grace,
        )
        self._new_id = id_factory or (lambda: uuid.uuid4().hex)
        self.tracking = TrackingNumbers(self.store)
        self.intake = Intake(self.runtime, self._new_id, self.tracking, backdate_limit)
        self.book = Book(self.runtime, self.intake)
        self.deadlines_runner = DeadlineRunner(self.runtime)
        self.feed = Feed(self.runtime)
        self.queries = Queries(self.runtime)
        for sop in sops:
            self.register(resolve_sop(sop))

    # ------------------------------------------------------------------ configuration

    @property
    def clock(self) -> Clock:
        """The injected clock."""
        return self.runtime.clock

    @property
    def registry(self) -> SopRegistry:
        """Every SOP version this engine knows."""
        return self.runtime.registry

    @property
    def calendar(self) -> WorkingCalendar:
        """The active calendar (in its own zone; complaints count on its variant in theirs)."""
        return self.runtime.calendars.active

    @property
    def default_zone(self) -> str:
        """The zone of a complaint whose agency has none."""
        return self.runtime.zones.default

    @property
    def agency_zones(self) -> Mapping[str, str]:
        """The zone of each agency that has one."""
        return self.runtime.zones.by_agency

    @property
    def agencies(self) -> AgencyRegistry:
        """The active agency registry (empty when none was given or applied)."""
        return self.runtime.agencies

    def sub_agencies(self, agency: str) -> frozenset[str]:
        """``agency`` and every agency below it in the active registry."""
        return self.runtime.sub_agencies(agency)

    def apply_agencies(self, agencies: AgencyRegistry | str | Path) -> AgencyRegistry:
        """Make a registry the active one of every process sharing the store (they take it up at
        their next refresh); complaints already filed keep their zone until their agency changes."""
        registry = resolve_agencies(agencies)
        self.runtime.apply_agencies(registry)
        return registry

    @property
    def late_grace(self) -> timedelta:
        """How late a timer may fire and still count as on time."""
        return self.runtime.late_grace

    def switch_fast_track(self, sop_id: str, on: bool = True) -> None:
        """Switch a fast track on (or off) for this engine: a report filed under the SOP the fast
        track extends (``national`` for ``covid19_fasttrack``) that matches one of the fast
        track's routing rules is filed under the fast track, the rule recorded in its first event."""
        extends = self.registry.get(sop_id).sop.extends
        if extends is None:
            raise InvalidData("fast_track", sop_id, "a variant (extends) of the SOP whose reports it takes")
        kept = tuple(t for t in self.fast_tracks if t != sop_id)
        self.fast_tracks = (*kept, sop_id) if on else kept

    def register(self, sop: Sop) -> CompiledSop:
        """Make an SOP version available and active: it is kept in the store (so complaints
        pinned to it can be reloaded after a restart), and new complaints of its id, in this and
        every other process sharing the store, are filed under it."""
        now = self.now()
        self.store.save_definition("sop", sop.key, sop.title, sop.model_dump(mode="json"), now)
        compiled = self.registry.register(sop)
        self.store.activate("sop", sop.id, sop.version, now)
        return compiled

    def _stored_sop(self, sop_id: str, version: str) -> Sop | None:
        content = self.store.load_definition("sop", (sop_id, version))
        return restore_sop(content, sop_id, version) if content is not None else None

    def stored_calendar(self, version: str) -> WorkingCalendar | None:
        """A calendar version an event refers to, as stored (to explain an old due date)."""
        return self.runtime.calendars.stored(version)

    def migrate(
        self,
        complaint_ids: Iterable[str],
        *,
        sop_id: str,
        version: str | None = None,
        state_map: Mapping[str, str],
        actor: Actor,
    ) -> list[ComplaintView]:
        """Move complaints to another version of their SOP, or to another SOP (its active version
        when ``version`` is None), with an explicit state mapping and a ``migrated`` event (see
        :mod:`sp4n.workflow.migration`)."""
        complaint_ids = check_migration(complaint_ids, sop_id, version, state_map, actor)
        return migrate(self.runtime, complaint_ids, sop_id=sop_id, version=version, state_map=state_map, actor=actor)

    def link_external(
        self, complaint_id: str, external_id: str, actor: Actor, *, system: str = "lapor"
    ) -> ComplaintView:
        """Record a filed complaint's id in another system (its national LAPOR! id) as its
        ``external_id``, with a ``linked`` event (see :mod:`sp4n.workflow.linking`)."""
        check_actor(actor)
        return link_external(self.runtime, check_name(complaint_id, "complaint_id"), external_id, actor, system)

    def apply_calendar(self, calendar: WorkingCalendar) -> list[str]:
        """Make ``calendar`` the active calendar of every process sharing the store, and
        re-project the running clocks it moves (see :mod:`sp4n.workflow.reprojection`); returns
        the ids of the complaints re-armed. Applying the active calendar again changes nothing."""
        if not isinstance(calendar, WorkingCalendar):
            raise InvalidArgumentError("calendar", calendar, "a WorkingCalendar")
        calendars = self.runtime.calendars
        if calendar.version == calendars.active.version:
            return []
        old = calendars.active
        calendars.switch(calendar)
        calendars.activate(calendar)
        return reproject(self.runtime, old)

    def start_worker(self, **options: Any) -> DeadlineWorker:
        """Run a deadline worker inside this process (options as :class:`DeadlineWorker`)."""
        if self.worker is not None and self.worker.running:
            raise InvalidData("worker", self.worker.owner, "one worker per engine; stop_worker() first")
        self.worker = DeadlineWorker(self, **options)
        self.worker.start()
        return self.worker

    def stop_worker(self, wait: bool = True) -> None:
        """Stop the in-process deadline worker, finishing the timer at hand."""
        if self.worker is not None:
            self.worker.stop(wait=wait)

    def close(self) -> None:
        """Stop the worker and release the store's resources (database connections)."""
        self.stop_worker()
        close = getattr(self.store, "close", None)
        if callable(close):
            close()

    def calendar_for(self, zone: str, joint_leave: bool = True) -> WorkingCalendar:
        """The engine's calendar in ``zone``, without joint leave days if the SOP says so."""
        return self.runtime.calendars.for_zone(zone, joint_leave)

    def now(self) -> datetime:
        """The injected clock's now, checked to be aware."""
        return self.runtime.now()

    def subscribe(self, callback: Subscriber) -> Callable[[], None]:
        """Call ``callback`` with every event after it is committed; returns an unsubscribe."""
        if not callable(callback):
            raise InvalidArgumentError("callback", callback, "a function taking an Event")
        return self.runtime.subscribe(callback)

    # ------------------------------------------------------------------ commands

    def submit(
        self,
        actor: Actor,
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
        idempotency_key: str | None = None,
    ) -> ComplaintView:
        """File a new complaint under the latest registered version of ``sop``.

        ``received_at`` is when the report was received, if before now (it arrived by another
        channel and is typed in later): its clocks count from then (see :mod:`.intake`).
        ``external_id`` is its id in the system it came from (unique: DuplicateComplaint).
        """
        check_command(actor, idempotency_key, {"attributes": attributes}, sop=sop)
        if actor.role not in SUBMITTERS:
            raise PermissionDenied("(new)", "submit", str(actor), "only reporters and agency or national staff submit")
        self.runtime.refresh_if_due()
        compiled = self.registry.get(sop)
        fields = submission_fields(
            title=title,
            description=description,
            sop=sop,
            channel=channel,
            category=category,
            classification=classification,
            anonymous=anonymous,
            confidential=confidential,
            agency=agency,
            reporter_id=reporter_id,
            reporter_name=reporter_name,
            attributes=attributes,
            received_at=received_at,
            external_id=external_id,
        )
        command = Command("submit", "", actor, fields, idempotency_key)
        replay = command.replay(self.runtime)
        if replay is not None:
            return replay
        change, compiled = self.intake.decide(compiled, actor, fields, self.now(), self.fast_tracks)
        try:
            return command.commit(self.runtime, change, compiled)
        except Sp4nError as exc:
            return command.raced(self.runtime, exc)

    def import_history(
        self,
        actor: Actor,
        *,
        external_id: str,
        received_at: datetime,
        steps: Sequence[Mapping[str, Any]],
        sop: str = "national",
        **submission: Any,
    ) -> ComplaintView:
        """Import a complaint in progress elsewhere (forwarded by the national LAPOR!, migrated):
        filed at ``received_at`` and ``steps`` (trigger, actor, at, data) replayed through the SOP,
        each as if fired at its ``at``, written as ONE change; ``submission`` takes the fields of
        :meth:`submit`. Idempotent by ``external_id``: a second import returns the stored one and
        writes nothing. A refused step is InvalidData naming ``steps[i]`` (see :mod:`.replay`)."""
        check_command(actor, None, {"attributes": submission.get("attributes")}, sop=sop)
        if not isinstance(external_id, str) or not external_id.strip():
            raise InvalidData("external_id", external_id, "a non-empty string (the complaint's id elsewhere)")
        if received_at is None:
            raise InvalidData("received_at", received_at, "an aware datetime (when the report was received)")
        if self.store.taken_external_ids([external_id]):
            return self.lookup(actor, external_id=external_id)
        self.runtime.refresh_if_due()
        fields = submission_fields(sop=sop, received_at=received_at, external_id=external_id, **submission)
        change, compiled = replay_history(
            self.intake, self.registry.get(sop), actor, fields, steps, self.now(), self.fast_tracks
        )
        try:
            self.runtime.commit(change)
        except DuplicateComplaint:
            if not self.store.taken_external_ids([external_id]):
                raise
            return self.lookup(actor, external_id=external_id)  # a concurrent import won
        return make_view(change.complaint, compiled.sop, actor.role, change.next_due_at)

    def import_book(self, rows: Sequence[Mapping[str, Any]], actor: Actor, **options: Any) -> BookResult:
        """Take in a manual form book: rows keyed by the Indonesian column names of
        :data:`sp4n.workflow.book.COLUMNS` (options: sop, partial, dry_run, max_rows,
        duplicate_days, progress); see :mod:`sp4n.workflow.book` and docs/import.md."""
        return self.book.run(rows, actor, **options)

    def fire(
        self,
        complaint_id: str,
        trigger: str,
        actor: Actor,
        *,
        idempotency_key: str | None = None,
        expected_version: int | None = None,
        **data: Any,
    ) -> ComplaintView:
        """Fire ``trigger`` on a complaint as ``actor`` with the command's data; with
        ``expected_version``, only while the complaint is at that version (ConcurrencyConflict
        otherwise, checked on the version the trigger is fired on, as HTTP's If-Match asks)."""
        check_command(actor, idempotency_key, data, complaint_id=complaint_id, trigger=trigger)
        if actor.role is Role.SYSTEM:
            raise PermissionDenied(complaint_id, trigger, str(actor), "system acts only through deadlines")
        if expected_version is not None:
            check_count(expected_version, "expected_version", sys.maxsize)
        command = Command("fire", complaint_id, actor, {"trigger": trigger, **data}, idempotency_key)
        runtime = self.runtime
        replay = command.replay(runtime)
        if replay is not None:
            return replay
        now = runtime.now()
        runtime.refresh_if_due(now)
        try:
            loaded = runtime.load(complaint_id)
            compiled, complaint = loaded.compiled, loaded.snapshot.complaint
            check_sees(complaint, trigger, actor, runtime.agencies)
            if expected_version is not None and complaint.version != expected_version:
                raise ConcurrencyConflict(complaint_id, expected_version, complaint.version)
            definition = find_transition(compiled, complaint, trigger)
            check_guards(compiled, complaint, definition, actor, data, runtime.agencies)
            ctx = runtime.context(compiled, now)
            change = apply_transition(ctx, complaint, loaded.snapshot.clocks, definition, actor, data, loaded.prev)
            return command.commit(runtime, change, compiled)
        except Sp4nError as exc:
            return command.raced(runtime, exc)

    # ------------------------------------------------------------------ queries

    def get(self, complaint_id: str, actor: Actor | None = None) -> ComplaintView:
        """The complaint as ``actor`` may see it (``None``: the public). Outside their scope (another
        citizen's report, another agency's), an actor sees what the public sees; a confidential
        report outside their scope is refused with the reason."""
        check_name(complaint_id, "complaint_id")
        if actor is not None:
            check_actor(actor)
        return self.queries.get(complaint_id, actor)

    def lookup(
        self, actor: Actor | None, *, tracking_number: str | None = None, external_id: str | None = None
    ) -> ComplaintView:
        """The complaint with that tracking number (as a person types it) or external id, as
        :meth:`get` shows it; ComplaintNotFound when there is none."""
        return self.queries.lookup(actor, tracking_number=tracking_number, external_id=external_id)

    def find(self, actor: Actor | None, *, cursor: str | None = None, **filters: Any) -> Page:
        """A page of the complaints ``actor`` may see that pass ``filters`` (see docs/engine.md):
        state (one or several), agency (with its sub-agencies), unit, sop, category,
        classification, channel, reporter, submitted_from / submitted_until, updated_from /
        updated_until, breached, due_before,
        due_within (working days), tracking_number, external_id; ``order`` "submitted" or "due";
        ``limit``; ``cursor`` from the previous page."""
        return self.queries.find(actor, cursor=cursor, **filters)

    def count(self, actor: Actor | None, **filters: Any) -> int:
        """How many complaints :meth:`find` lists for ``actor`` with ``filters``, over all its
        pages: one COUNT on the read model (``limit`` and ``cursor`` are not arguments)."""
        return self.queries.count(actor, **filters)

    def allowed_triggers(self, complaint_id: str, actor: Actor) -> tuple[str, ...]:
        """The triggers ``actor`` may fire now (role and scope; data is checked when firing)."""
        check_actor(actor)
        return self.queries.allowed_triggers(check_name(complaint_id, "complaint_id"), actor)

    def history(self, complaint_id: str, actor: Actor | None) -> list[Event]:
        """Every event of the complaint, oldest first, as ``actor`` may see them (privacy as
        :meth:`get`; the reporter's identity taken out where the view hides it)."""
        if actor is not None:
            check_actor(actor)
        return self.queries.history(check_name(complaint_id, "complaint_id"), actor)

    def deadlines(self, complaint_id: str, actor: Actor | None) -> list[Deadline]:
        """The complaint's clocks that run or are paused, each with its Due and rungs (refused
        as :meth:`get` refuses)."""
        if actor is not None:
            check_actor(actor)
        self.queries.check_visible(check_name(complaint_id, "complaint_id"), actor)
        return self.deadlines_runner.deadlines(complaint_id)

    def run_due(self, limit: int = 1000) -> list[Firing]:
        """Fire every timer due by the clock's now, in due order; returns what was processed."""
        return self.deadlines_runner.run_due(check_count(limit, "limit", 1_000_000))

    def next_due_at(self) -> datetime | None:
        """When the next pending timer comes due."""
        return self.store.next_due_at()
