"""SqlStore: the store protocol on SQLAlchemy 2, for an embedded SQLite file or PostgreSQL.

One ChangeSet is one transaction. The complaint row is updated only if its version is the one
the change was computed from (optimistic locking); a timer closed as fired must still be pending
(exactly-once firing); any failure rolls everything back. Loading a complaint and saving a
change, which every command does, run on the driver's connection with statements compiled once
(:mod:`sp4n.persistence.hotpath`); everything else runs through SQLAlchemy Core. The timer
queue (due timers, claims and leases) is a part of its own (:mod:`.timer_queue`). Errors of
either are translated into sp4n's at this boundary (:mod:`sp4n.persistence.connect`): a
refused change is a ConcurrencyConflict only when its version check failed, and a key that is
already taken has an error of its own. Connections are the process's own (:mod:`.pools`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, Select, and_, bindparam, delete, func, select, update

from sp4n.errors import (
    ComplaintNotFound,
    ConcurrencyConflict,
    DuplicateComplaint,
    DuplicateEvent,
    IdempotencyConflict,
    SchemaOutdated,
    Sp4nError,
    StoreError,
)
from sp4n.persistence import tables as t
from sp4n.persistence.base import (
    ChangeSet,
    IdempotencyRecord,
    Snapshot,
    check_change,
    check_count,
    distinct_complaints,
    feed_entries,
    tightened,
)
from sp4n.persistence.connect import create_sql_engine, safe_url, translate, violated_key
from sp4n.persistence.driver import (
    Transaction,
    no_transaction,
    postgres_autocommit,
    postgres_transaction,
    sqlite_transaction,
)
from sp4n.persistence.feed_rows import SqlFeed
from sp4n.persistence.hotpath import LOAD_MANY, HotPath, dialect_insert, snapshots_from, upsert
from sp4n.persistence.lists import Lister
from sp4n.persistence.orphans import orphan_rows
from sp4n.persistence.pools import Pools
from sp4n.persistence.query import ComplaintQuery, Rows
from sp4n.persistence.records import ClockLedger, ClockRun, Complaint, Event, Milestone
from sp4n.persistence.rows import complaint_from, event_from, milestone_from, run_from
from sp4n.persistence.timer_queue import SqlTimers

_CHUNK = 500
"""Ids in one IN list of a bulk read."""

__all__ = ["SqlStore", "create_sql_engine", "open_store", "safe_url"]

_AGGREGATE_SETTINGS = "SET jit = off; SET work_mem = '128MB'; SET random_page_cost = 1.1"
"""PostgreSQL settings of :meth:`SqlStore.aggregate`. The read model a report reads is cached or
on SSD, where an index probe costs little more than a sequential read: with the default
random_page_cost (4, for spinning disks) the planner hashed every clock run ever stored to find
the few of one week's complaints, so a report grew with the history."""

_COUNTER = t.counters.c
_RESERVE = (
    update(t.counters)
    .where(_COUNTER.name == bindparam("counter"))
    .values(next_value=_COUNTER.next_value + bindparam("count"))
    .returning(_COUNTER.next_value - bindparam("count"))
)


def _versioned(kind: str) -> Any:
    """The table of a definition kind kept by version alone: calendars or agency registries."""
    return t.agency_registries if kind == "agencies" else t.calendars


def _definition(kind: str, key: tuple[str, ...], column: str) -> Any:
    """The SELECT of one column of a stored definition: an SOP by (id, version), a calendar or
    an agency registry by (version,)."""
    if kind == "sop":
        return select(t.sops.c[column]).where(and_(t.sops.c.id == key[0], t.sops.c.version == key[1]))
    table = _versioned(kind)
    return select(table.c[column]).where(table.c.version == key[0])


class SqlStore(SqlTimers):
    """The store protocol on SQLite or PostgreSQL."""

    def __init__(self, url: str, *, engine: Engine | None = None, check_schema: bool = True) -> None:
        self.url = url
        self.engine = engine or create_sql_engine(url)
        self.dialect = self.engine.dialect.name
        self._pools = Pools(url, self.engine)
        self._reads = self._pools.reads
        self._begin = self._pools.begin
        self._read = self._pools.read
        self._driver = self._pools.driver
        self._lister = self._pools.lister
        self._own_engine = engine is None
        self._dbapi: Any = self._pools.dbapi
        self._hot = HotPath(self.engine)
        self._lists = Lister(self.engine)
        self.feed = SqlFeed(self._begin, self._read, self.dialect)
        self._transaction = postgres_transaction if self.dialect == "postgresql" else sqlite_transaction
        self._autocommit = postgres_autocommit if self.dialect == "postgresql" else no_transaction
        if check_schema:
            try:
                self.check_schema()
            except Sp4nError:
                if self._own_engine:
                    self.engine.dispose()
                raise

    def __repr__(self) -> str:
        return f"SqlStore({self.engine.url.render_as_string(hide_password=True)!r})"

    def close(self) -> None:
        """Release the connection pools."""
        self._pools.close()

    # ------------------------------------------------------------------ schema

    def schema_revision(self) -> str | None:
        """The Alembic revision of the database (None when it has no sp4n schema)."""
        from sp4n.persistence.migrate import current_revision

        return current_revision(self.engine)

    def check_schema(self) -> None:
        """SchemaOutdated unless the database is at the revision this code expects."""
        revision = self.schema_revision()
        if revision != t.SCHEMA_REVISION:
            raise SchemaOutdated(safe_url(self.url), revision, t.SCHEMA_REVISION)

    # ------------------------------------------------------------------ definitions

    def save_definition(
        self, kind: str, key: tuple[str, ...], name: str, content: dict[str, Any], at: datetime
    ) -> None:
        """Keep an SOP version, a calendar version or an agency registry version ("agencies",
        (version,)); the first one stored stays (they are immutable), and engines starting
        together may both try (ON CONFLICT DO NOTHING)."""
        if key in self._stored_keys(kind, key):
            return  # read first: an engine opening on a shared file takes no write lock for nothing
        if kind == "sop":
            row = {"id": key[0], "version": key[1], "content": content, "registered_at": at}
            stmt = upsert(self.dialect, t.sops, ["id", "version"], ())
        else:
            row = {"version": key[0], "name": name, "content": content, "registered_at": at}
            stmt = upsert(self.dialect, _versioned(kind), ["version"], ())
        with self._begin() as conn:
            conn.execute(stmt, [row])

    def _stored_keys(self, kind: str, key: tuple[str, ...]) -> set[tuple[str, ...]]:
        """``{key}`` when that definition is stored, else the empty set (a read, no content)."""
        with self._read() as conn:
            return {key} if conn.execute(_definition(kind, key, "version")).first() is not None else set()

    def load_definition(self, kind: str, key: tuple[str, ...]) -> dict[str, Any] | None:
        """The content of a stored SOP version, calendar version or agency registry version."""
        with self._read() as conn:
            content = conn.execute(_definition(kind, key, "content")).scalar_one_or_none()
        return dict(content) if content is not None else None

    def activate(self, kind: str, name: str, version: str, at: datetime) -> None:
        """Make ``version`` the active one of ``kind`` and ``name`` for every process."""
        if self.active(kind).get(name) == version:
            return  # already active: no write lock taken
        stmt = upsert(self.dialect, t.active, ["kind", "name"], ["version", "activated_at"])
        with self._begin() as conn:
            conn.execute(stmt, [{"kind": kind, "name": name, "version": version, "activated_at": at}])

    def active(self, kind: str) -> dict[str, str]:
        """The active versions of ``kind``, by name (read where commands load: each command
        may ask, every few seconds)."""
        with self._driver() as connection, self._autocommit(connection):
            return self._hot.active(connection, kind)

    def definitions(self, kind: str) -> list[tuple[str, ...]]:
        """Keys of the stored SOP versions ((id, version)) or calendar versions ((version,))."""
        with self._read() as conn:
            if kind == "sop":
                return [(r.id, r.version) for r in conn.execute(select(t.sops.c.id, t.sops.c.version))]
            return [(r.version,) for r in conn.execute(select(_versioned(kind).c.version))]

    # ------------------------------------------------------------------ complaints

    def load(self, complaint_id: str) -> Snapshot:
        """The complaint, its clocks and the head of its event chain."""
        # on the connections that save, so that a process talks to one server process; on
        # PostgreSQL in autocommit (no BEGIN, no ROLLBACK: the save re-checks the version)
        with self._driver() as connection, self._autocommit(connection):
            snapshot = self._hot.snapshot(connection.cursor(), complaint_id)
        if snapshot is None:
            raise ComplaintNotFound(complaint_id)
        return snapshot

    def save(self, change: ChangeSet) -> None:
        """Apply one change in one transaction, or nothing of it."""
        self.save_many([change])

    def _refusal(self, change: ChangeSet, exc: Exception) -> StoreError:
        """Why the database refused a change, as sp4n's error: the key that is taken, or the
        version check when that is what failed (in a PostgreSQL pipeline the statements after a
        stale UPDATE still run, and the first event then takes a number the winner took)."""
        complaint = change.complaint
        key = violated_key(exc)
        if key == ("sp4n_idempotency", ("key",)) and change.idempotency is not None:
            return IdempotencyConflict(change.idempotency.key)
        with self._driver() as connection, self._autocommit(connection):
            head = self._hot.stored_head(connection, complaint.id)
        version, last_seq = head if head is not None else (None, 0)
        if key is not None and key[0] == "sp4n_complaints":  # (SQLite may name either key when both are)
            if change.expected_version == 0 and head is not None:
                return DuplicateComplaint("id", complaint.id)
            if key[1] == ("tracking_number",):
                return DuplicateComplaint("tracking_number", complaint.tracking_number)
            if key[1] == ("external_id",) and complaint.external_id is not None:
                return DuplicateComplaint("external_id", complaint.external_id)
        if (version or 0) != change.expected_version:
            return ConcurrencyConflict(complaint.id, change.expected_version, version)
        taken = [e.seq for e in change.events if e.seq <= last_seq]
        if key == ("sp4n_events", ("complaint_id", "seq")) and taken:
            return DuplicateEvent(complaint.id, taken[0])
        return translate(exc, self.url, self._dbapi)

    def _batch_refusal(self, changes: Sequence[ChangeSet], exc: Exception) -> StoreError:
        """Why the database refused a batch: a complaint that moved on (in a PostgreSQL pipeline a
        stale UPDATE shows up as a taken event number), else the key that is taken, named for the
        change it belongs to."""
        if len(changes) == 1:
            return self._refusal(changes[0], exc)
        refusals = [self._refusal(change, exc) for change in changes]
        conflict = next((r for r in refusals if isinstance(r, ConcurrencyConflict)), None)
        if conflict is not None:
            return conflict
        if violated_key(exc) == ("sp4n_complaints", ("tracking_number",)):
            numbers = Counter(c.complaint.tracking_number for c in changes)
            with self._read() as conn:
                query = select(t.complaints.c.tracking_number).where(t.complaints.c.tracking_number.in_(list(numbers)))
                taken = {r.tracking_number for r in conn.execute(query)}
            for number, count in numbers.items():
                if count > 1 or number in taken:
                    return DuplicateComplaint("tracking_number", number)
        return next((r for r in refusals if type(r) is not StoreError), translate(exc, self.url, self._dbapi))

    def reserve_serials(self, count: int) -> int:
        """Reserve ``count`` consecutive serials; the first. One UPDATE ... RETURNING of the
        counter row: the row lock orders concurrent reservations, each in its own short
        transaction, so none waits for a command's transaction."""
        params = {"counter": t.TRACKING_COUNTER, "count": check_count(count)}
        with self._begin() as conn:
            first = conn.execute(_RESERVE, params).scalar()
            if first is None:  # the row went (delete_everything): count on from the complaints stored
                start = conn.execute(select(func.count()).select_from(t.complaints)).scalar_one() + 1
                row = {"name": t.TRACKING_COUNTER, "next_value": start + count}
                stmt = dialect_insert(self.dialect, t.counters).values(row)
                again = stmt.on_conflict_do_update(  # another process put it back meanwhile
                    index_elements=["name"], set_={"next_value": _COUNTER.next_value + count}
                )
                first = conn.execute(again.returning(_COUNTER.next_value - count)).scalar_one()
        return int(first)

    def load_many(self, complaint_ids: Sequence[str]) -> list[Snapshot]:
        """The snapshots of those complaints that exist, read together (in chunks)."""
        out: list[Snapshot] = []
        for start in range(0, len(complaint_ids), _CHUNK):
            chunk = list(complaint_ids[start : start + _CHUNK])
            with self._read() as conn:
                rows = conn.execute(LOAD_MANY.where(t.complaints.c.id.in_(chunk))).mappings().all()
            out.extend(snapshots_from(rows))
        return out

    def save_many(self, changes: Sequence[ChangeSet]) -> None:
        """Apply changes of distinct complaints in one transaction, all or none of them."""
        distinct_complaints(changes)
        for change in changes:
            check_change(change)
        if not changes:
            return
        try:
            with self._driver() as connection, self._transaction(connection) as tx:
                self._write_changes(tx, changes)
        except self._dbapi.IntegrityError as exc:
            raise self._batch_refusal(changes, exc) from exc

    def _write_changes(self, tx: Transaction, changes: Sequence[ChangeSet]) -> None:
        self._write_complaints(tx, changes)
        self._write_clocks(tx, [ledger for c in changes for ledger in c.clocks])
        self._write_timers(tx, changes)
        self._write_events(tx, [e for c in changes for e in c.events])
        self._hot.write_feed(tx, [entry for c in changes for entry in feed_entries(c)])
        self._hot.tighten_feed(tx, [c.complaint for c in changes if tightened(c)])
        self._hot.write_read_model(tx, [r for c in changes for r in c.runs], [m for c in changes for m in c.milestones])
        self._hot.write_report_facts(tx, changes)
        self._write_idempotency(tx, [c.idempotency for c in changes if c.idempotency is not None])

    def _write_complaints(self, tx: Transaction, changes: Sequence[ChangeSet]) -> None:
        self._hot.write_complaints(tx, changes)

    def _write_clocks(self, tx: Transaction, ledgers: Sequence[ClockLedger]) -> None:
        self._hot.write_clocks(tx, ledgers)

    def _write_timers(self, tx: Transaction, changes: Sequence[ChangeSet]) -> None:
        self._hot.write_timers(tx, changes)

    def _write_events(self, tx: Transaction, events: Sequence[Event]) -> None:
        self._hot.write_events(tx, events)

    def _write_idempotency(self, tx: Transaction, records: Sequence[IdempotencyRecord]) -> None:
        self._hot.write_idempotency(tx, records)

    # ------------------------------------------------------------------ reads

    def last_event(self, complaint_id: str) -> Event | None:
        """The newest event of a complaint."""
        with self._read() as conn:
            row = conn.execute(
                select(t.events).where(t.events.c.complaint_id == complaint_id).order_by(t.events.c.seq.desc()).limit(1)
            ).first()
        return event_from(row._mapping) if row is not None else None

    def find(self, query: ComplaintQuery) -> list[tuple[Complaint, datetime | None]]:
        """A page of complaints that pass ``query`` (one indexed SELECT, see :mod:`.lists`)."""
        # on a driver connection kept for lists: a list is a read that every screen makes
        with self._lister() as connection:
            return self._lists.find(connection.cursor(), query)

    def find_rows(self, query: ComplaintQuery) -> Rows:
        """The page of :meth:`find`, as rows."""
        with self._lister() as connection:
            return self._lists.rows(connection.cursor(), query)

    def count(self, query: ComplaintQuery) -> int:
        """How many complaints pass ``query`` (one SELECT COUNT on the indexes of find)."""
        with self._lister() as connection:
            return self._lists.count(connection.cursor(), query)

    def aggregate(self, statement: Select[Any]) -> list[tuple[Any, ...]]:
        """The rows of one read-only SELECT that sums the read model up (KPI reports).

        On PostgreSQL it runs with memory enough to group in memory rather than in sorted runs
        on disk, without JIT compilation (which costs more than it saves on one statement) and
        with index probes priced as on SSD (see :data:`_AGGREGATE_SETTINGS`); the session's own
        settings are restored afterwards."""
        with self._read() as conn:
            if self.dialect != "postgresql":
                return [tuple(r) for r in conn.execute(statement)]
            conn.exec_driver_sql(_AGGREGATE_SETTINGS)
            try:
                return [tuple(r) for r in conn.execute(statement)]
            finally:
                conn.exec_driver_sql("RESET jit; RESET work_mem; RESET random_page_cost")

    def taken_external_ids(self, external_ids: Sequence[str]) -> set[str]:
        """Those of ``external_ids`` that stored complaints carry (on the unique index)."""
        column = t.complaints.c.external_id
        with self._read() as conn:
            return {r[0] for r in conn.execute(select(column).where(column.in_(list(external_ids))))}

    def clock_runs(self, complaint_id: str) -> list[ClockRun]:
        """Every clock run of a complaint, by clock and start."""
        runs = t.clock_runs
        query = select(runs).where(runs.c.complaint_id == complaint_id).order_by(runs.c.clock, runs.c.started_at)
        with self._read() as conn:
            return [run_from(r._mapping) for r in conn.execute(query)]

    def milestones(self, complaint_id: str) -> list[Milestone]:
        """The milestones of a complaint, earliest first."""
        ms = t.milestones
        query = select(ms).where(ms.c.complaint_id == complaint_id).order_by(ms.c.at, ms.c.name)
        with self._read() as conn:
            return [milestone_from(r._mapping) for r in conn.execute(query)]

    def history(self, complaint_id: str) -> list[Event]:
        """Every event of a complaint, oldest first."""
        with self._read() as conn:
            exists = conn.execute(select(t.complaints.c.id).where(t.complaints.c.id == complaint_id)).first()
            if exists is None:
                raise ComplaintNotFound(complaint_id)
            rows = conn.execute(
                select(t.events).where(t.events.c.complaint_id == complaint_id).order_by(t.events.c.seq)
            ).all()
        return [event_from(r._mapping) for r in rows]

    def idempotency(self, key: str) -> IdempotencyRecord | None:
        """The record of a command with this key."""
        # on the hot path's connections: a submit with a key reads it before every save
        with self._driver() as connection, self._autocommit(connection):
            return self._hot.idempotency(connection, key)

    def orphans(self) -> list[tuple[str, int, str]]:
        """Rows left by a deleted complaint or event (see :mod:`sp4n.persistence.orphans`)."""
        with self._read() as conn:
            return orphan_rows(conn)

    def complaint_ids(self) -> Iterator[str]:
        """Every complaint id, in submission order."""
        with self._read() as conn:
            ids = conn.execute(select(t.complaints.c.id).order_by(t.complaints.c.submitted_at, t.complaints.c.id))
            return iter([r.id for r in ids])

    def complaints(self, ids: Sequence[str] | None = None) -> list[Complaint]:
        """Complaints (all, or those with the given ids)."""
        query = select(t.complaints).order_by(t.complaints.c.submitted_at, t.complaints.c.id)
        if ids is not None:
            query = query.where(t.complaints.c.id.in_(list(ids)))
        with self._read() as conn:
            return [complaint_from(r._mapping) for r in conn.execute(query)]

    def delete_everything(self) -> None:
        """Empty every sp4n table (for tests and demos that reuse a database)."""
        with self._begin() as conn:
            for table in reversed(t.metadata.sorted_tables):
                conn.execute(delete(table))


def open_store(url: str, *, upgrade: bool | None = None) -> SqlStore:
    """A SqlStore on ``url``, checked to be at the current schema.

    ``upgrade=None`` (the default) creates the schema in an empty SQLite file, the embedded
    case, and otherwise leaves upgrading to ``sp4n db upgrade``; ``True`` always upgrades;
    ``False`` never does.
    """
    from sp4n.persistence.migrate import current_revision
    from sp4n.persistence.migrate import upgrade as run_upgrade

    engine = create_sql_engine(url)
    try:
        revision = current_revision(engine)
        if upgrade is True or (upgrade is None and revision is None and engine.dialect.name == "sqlite"):
            run_upgrade(engine)
        return SqlStore(url, engine=engine)
    except BaseException:
        engine.dispose()
        raise
