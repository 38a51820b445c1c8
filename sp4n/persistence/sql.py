"""SqlStore: the store protocol on SQLAlchemy 2 Core, for an embedded SQLite file or PostgreSQL.

One ChangeSet is one transaction. The complaint row is updated only if its version is the one
the change was computed from (optimistic locking); a timer closed as fired must still be pending
(exactly-once firing); any failure rolls everything back. SQLAlchemy's errors are translated
into sp4n's at this boundary, in :func:`_translate`.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    Connection,
    Engine,
    Row,
    and_,
    bindparam,
    create_engine,
    delete,
    event,
    insert,
    select,
    tuple_,
    update,
)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, IntegrityError, NoSuchModuleError, OperationalError, SQLAlchemyError

from sp4n.calendars.duration import Duration
from sp4n.errors import (
    ComplaintNotFound,
    ConcurrencyConflict,
    DatabaseUnavailable,
    IdempotencyConflict,
    InvalidArgumentError,
    SchemaOutdated,
    Sp4nError,
    StoreError,
)
from sp4n.persistence import tables as t
from sp4n.persistence.base import ChangeSet, IdempotencyRecord, Snapshot, TimerClose
from sp4n.persistence.records import (
    ClockLedger,
    ClockStatus,
    Complaint,
    Event,
    OutboxItem,
    Timer,
    TimerStatus,
)

_COMPLAINT_FIELDS = tuple(f for f in Complaint.__dataclass_fields__)
_EVENT_FIELDS = tuple(f for f in Event.__dataclass_fields__)

_READ_ONLY = "sp4n_read_only"
"""Execution option of the connections that only read."""

# Hot statements are built once: building a statement costs more than running it on SQLite.
_CLOCK_COLUMNS = [c.label(f"clock_{c.name}") for c in t.clocks.c]
# one round trip: the complaint's columns, repeated beside each of its clocks (or once, with nulls)
_LOAD_COMPLAINT = (
    select(t.complaints, *_CLOCK_COLUMNS)
    .select_from(t.complaints.outerjoin(t.clocks, t.clocks.c.complaint_id == t.complaints.c.id))
    .where(t.complaints.c.id == bindparam("cid"))
)
_UPDATE_COMPLAINT = update(t.complaints).where(
    and_(t.complaints.c.id == bindparam("b_id"), t.complaints.c.version == bindparam("b_expected"))
)
_CLOSE_PENDING_TIMER = (
    update(t.timers)
    .where(and_(t.timers.c.id == bindparam("b_id"), t.timers.c.status == TimerStatus.PENDING.value))
    .values(status=bindparam("b_status"), closed_at=bindparam("b_at"), lateness_seconds=bindparam("b_late"))
)
_INSERT_EVENT = insert(t.events)
_DUE_TIMERS = (
    select(t.timers)
    .where(and_(t.timers.c.status == TimerStatus.PENDING.value, t.timers.c.due_at <= bindparam("now")))
    .order_by(t.timers.c.due_at, t.timers.c.priority, t.timers.c.id)
    .limit(bindparam("lim"))
)
_NEXT_DUE = (
    select(t.timers.c.due_at).where(t.timers.c.status == TimerStatus.PENDING.value).order_by(t.timers.c.due_at).limit(1)
)


def create_sql_engine(url: str) -> Engine:
    """An SQLAlchemy engine for a ``sqlite:///file`` or ``postgresql+psycopg://`` URL, set up for sp4n.

    SQLite gets WAL, foreign keys, a busy timeout, and ``BEGIN IMMEDIATE`` for every transaction
    so that writers queue on the lock instead of failing halfway through.
    """
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError, TypeError):
        raise InvalidArgumentError("database_url", url, "an SQLAlchemy URL such as sqlite:///sp4n.db") from None
    backend = parsed.get_backend_name()
    try:
        if backend == "sqlite":
            if parsed.database in (None, "", ":memory:"):
                raise InvalidArgumentError("database_url", url, "a SQLite file (sqlite:///path/to/sp4n.db)")
            engine = create_engine(parsed, connect_args={"timeout": 30})
            _setup_sqlite(engine)
            return engine
        if backend == "postgresql":
            if parsed.get_driver_name() != "psycopg":
                parsed = parsed.set(drivername="postgresql+psycopg")
            # no pre-ping (a round trip per checkout): a connection the server dropped fails one
            # command with DatabaseUnavailable, the pool replaces it, and the retry goes through
            return create_engine(parsed, pool_size=5, max_overflow=10, pool_recycle=1800)
    except NoSuchModuleError as exc:
        raise InvalidArgumentError("database_url", url, f"a driver that is installed ({exc})") from None
    except ModuleNotFoundError as exc:
        raise InvalidArgumentError(
            "database_url", url, f"its driver installed: pip install 'sp4n[postgres]' ({exc})"
        ) from None
    raise InvalidArgumentError("database_url", url, "a sqlite:/// or postgresql+psycopg:// URL")


def _setup_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # sp4n issues BEGIN itself (below)
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        # reads run without a transaction (WAL gives each statement a consistent snapshot, and a
        # save re-checks the complaint's version); writes take the write lock up front
        if not conn.get_execution_options().get(_READ_ONLY, False):
            conn.exec_driver_sql("BEGIN IMMEDIATE")


def safe_url(url: str) -> str:
    """The URL as it may be shown: without its password."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except (ArgumentError, ValueError, TypeError):
        return "<unparseable database URL>"


def _own_error(exc: SQLAlchemyError) -> Exception | None:
    """An sp4n error that SQLAlchemy wrapped (raised while binding a parameter, say)."""
    orig = getattr(exc, "orig", None)
    return orig if isinstance(orig, Sp4nError) else None


def _translate(exc: SQLAlchemyError, url: str) -> StoreError:
    """sp4n's error for a database error that is not a conflict the caller can retry."""
    if isinstance(exc, OperationalError):
        return DatabaseUnavailable(safe_url(url), str(exc.orig) if exc.orig else str(exc))
    return StoreError(f"database error on {safe_url(url)}: {exc}")


class SqlStore:
    """The store protocol on SQLite or PostgreSQL."""

    def __init__(self, url: str, *, engine: Engine | None = None, check_schema: bool = True) -> None:
        self.url = url
        self.engine = engine or create_sql_engine(url)
        self.dialect = self.engine.dialect.name
        # PostgreSQL reads go through a pool of autocommit connections of their own: no BEGIN /
        # ROLLBACK, and no isolation-level switch (a round trip) at every checkout
        self._reads = (
            create_engine(
                self.engine.url, isolation_level="AUTOCOMMIT", pool_size=5, max_overflow=10, pool_recycle=1800
            )
            if self.dialect == "postgresql"
            else self.engine
        )
        self._own_engine = engine is None
        self._lock = threading.Lock()
        self._upsert_clocks = self._upsert(
            t.clocks, ["complaint_id", "name"], [c.name for c in t.clocks.c if c.name not in ("complaint_id", "name")]
        )
        self._insert_timers = self._upsert(t.timers, ["id"], ())
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
        if self._reads is not self.engine:
            self._reads.dispose()
        self.engine.dispose()

    @contextmanager
    def _begin(self) -> Iterator[Connection]:
        try:
            with self.engine.begin() as conn:
                yield conn
        except (IntegrityError, ConcurrencyConflict, IdempotencyConflict, StoreError):
            raise
        except OperationalError as exc:
            if "database is locked" in str(exc):
                raise ConcurrencyConflict("(database)", -1, None) from exc
            raise _translate(exc, self.url) from exc
        except SQLAlchemyError as exc:
            raise _own_error(exc) or _translate(exc, self.url) from exc

    @contextmanager
    def _read(self) -> Iterator[Connection]:
        try:
            with self._reads.connect().execution_options(**{_READ_ONLY: True}) as conn:
                yield conn
        except SQLAlchemyError as exc:
            raise _own_error(exc) or _translate(exc, self.url) from exc

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
        """Keep an SOP version or a calendar version; the first one stored stays (they are immutable),
        and engines starting together may both try (ON CONFLICT DO NOTHING)."""
        if kind == "sop":
            row = {"id": key[0], "version": key[1], "content": content, "registered_at": at}
            stmt = self._upsert(t.sops, ["id", "version"], ())
        else:
            row = {"version": key[0], "name": name, "content": content, "registered_at": at}
            stmt = self._upsert(t.calendars, ["version"], ())
        with self._begin() as conn:
            conn.execute(stmt, [row])

    def load_definition(self, kind: str, key: tuple[str, ...]) -> dict[str, Any] | None:
        """The content of a stored SOP version or calendar version."""
        with self._read() as conn:
            if kind == "sop":
                query = select(t.sops.c.content).where(and_(t.sops.c.id == key[0], t.sops.c.version == key[1]))
            else:
                query = select(t.calendars.c.content).where(t.calendars.c.version == key[0])
            content = conn.execute(query).scalar_one_or_none()
        return dict(content) if content is not None else None

    def definitions(self, kind: str) -> list[tuple[str, ...]]:
        """Keys of the stored SOP versions ((id, version)) or calendar versions ((version,))."""
        with self._read() as conn:
            if kind == "sop":
                return [(r.id, r.version) for r in conn.execute(select(t.sops.c.id, t.sops.c.version))]
            return [(r.version,) for r in conn.execute(select(t.calendars.c.version))]

    # ------------------------------------------------------------------ complaints

    def load(self, complaint_id: str) -> Snapshot:
        """The complaint, its clocks and the head of its event chain."""
        with self._read() as conn:
            rows = conn.execute(_LOAD_COMPLAINT, {"cid": complaint_id}).all()
        if not rows:
            raise ComplaintNotFound(complaint_id)
        row = rows[0]
        clocks = {r.clock_name: _ledger_from_join(r) for r in rows if r.clock_name is not None}
        return Snapshot(_complaint(row), clocks, row.last_seq, row.last_hash)

    def save(self, change: ChangeSet) -> None:
        """Apply one change in one transaction, or nothing of it."""
        try:
            with self._begin() as conn:
                self._write_complaint(conn, change)
                self._write_clocks(conn, change.clocks)
                self._write_timers(conn, change)
                self._write_events(conn, change.events)
                self._write_idempotency(conn, change.idempotency)
        except IntegrityError as exc:
            cid = change.complaint.id
            if change.idempotency is not None and "idempotency" in str(exc).lower():
                raise IdempotencyConflict(change.idempotency.key) from exc
            raise ConcurrencyConflict(cid, change.expected_version, None) from exc

    def _write_complaint(self, conn: Connection, change: ChangeSet) -> None:
        complaint = change.complaint
        values = {f: getattr(complaint, f) for f in _COMPLAINT_FIELDS}
        if change.events:
            values["last_seq"] = change.events[-1].seq
            values["last_hash"] = change.events[-1].hash
        if change.expected_version == 0:
            values.setdefault("last_seq", 0)
            values.setdefault("last_hash", "")
            conn.execute(insert(t.complaints), [values])
            return
        del values["id"]
        if change.fields is not None:
            keep = {"version", "last_seq", "last_hash", *change.fields}
            values = {k: v for k, v in values.items() if k in keep}
        values["b_id"] = complaint.id
        values["b_expected"] = change.expected_version
        result = conn.execute(_UPDATE_COMPLAINT, values)
        if result.rowcount != 1:
            actual = conn.execute(select(t.complaints.c.version).where(t.complaints.c.id == complaint.id)).scalar()
            raise ConcurrencyConflict(complaint.id, change.expected_version, actual)

    def _write_clocks(self, conn: Connection, ledgers: list[ClockLedger]) -> None:
        if not ledgers:
            return
        rows = [
            {
                "complaint_id": c.complaint_id,
                "name": c.name,
                "budget": str(c.budget),
                "status": c.status.value,
                "generation": c.generation,
                "consumed": c.consumed,
                "running_since": c.running_since,
                "extended_by": c.extended_by,
                "started_at": c.started_at,
            }
            for c in ledgers
        ]
        conn.execute(self._upsert_clocks, _one_or_many(rows))

    def _upsert(self, table: Any, keys: list[str], update_cols: Any) -> Any:
        """INSERT ... ON CONFLICT, which both SQLite and PostgreSQL speak."""
        stmt: Any
        if self.dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert as pg_insert

            stmt = pg_insert(table)
        else:
            from sqlalchemy.dialects.sqlite import insert as sqlite_insert

            stmt = sqlite_insert(table)
        if not update_cols:
            return stmt.on_conflict_do_nothing(index_elements=keys)
        return stmt.on_conflict_do_update(index_elements=keys, set_={c: stmt.excluded[c] for c in update_cols})

    def _write_timers(self, conn: Connection, change: ChangeSet) -> None:
        stale = [c for c in change.close_timers if not c.must_be_pending]
        for close in change.close_timers:
            if close.must_be_pending:
                result = conn.execute(
                    _CLOSE_PENDING_TIMER,
                    {
                        "b_id": close.timer_id,
                        "b_status": close.status.value,
                        "b_at": close.closed_at,
                        "b_late": close.lateness_seconds,
                    },
                )
                if result.rowcount != 1:
                    raise ConcurrencyConflict(change.complaint.id, change.expected_version, None)
        if stale:
            conn.execute(
                _CLOSE_PENDING_TIMER,
                _one_or_many(
                    [
                        {
                            "b_id": c.timer_id,
                            "b_status": c.status.value,
                            "b_at": c.closed_at,
                            "b_late": c.lateness_seconds,
                        }
                        for c in stale
                    ]
                ),
            )
        if change.add_timers:
            rows = [
                {
                    "id": tm.id,
                    "complaint_id": tm.complaint_id,
                    "clock": tm.clock,
                    "generation": tm.generation,
                    "rung": tm.rung,
                    "due_at": tm.due_at,
                    "priority": tm.priority,
                    "status": tm.status.value,
                    "closed_at": None,
                    "lateness_seconds": None,
                    "lease_owner": None,
                    "lease_expires": None,
                }
                for tm in change.add_timers
            ]
            conn.execute(self._insert_timers, _one_or_many(rows))

    def _write_events(self, conn: Connection, events: list[Event]) -> None:
        for e in events:
            conn.execute(_INSERT_EVENT, {f: getattr(e, f) for f in _EVENT_FIELDS})

    def _write_idempotency(self, conn: Connection, record: IdempotencyRecord | None) -> None:
        if record is not None:
            conn.execute(
                insert(t.idempotency),
                {
                    "key": record.key,
                    "fingerprint": record.fingerprint,
                    "complaint_id": record.complaint_id,
                    "result": record.result,
                },
            )

    def close_stale_timer(self, close: TimerClose) -> bool:
        """Close one pending timer alone (its clock moved on)."""
        with self._begin() as conn:
            result = conn.execute(
                update(t.timers)
                .where(and_(t.timers.c.id == close.timer_id, t.timers.c.status == TimerStatus.PENDING.value))
                .values(status=close.status.value, closed_at=close.closed_at, lateness_seconds=close.lateness_seconds)
            )
            return bool(result.rowcount == 1)

    # ------------------------------------------------------------------ reads

    def last_event(self, complaint_id: str) -> Event | None:
        """The newest event of a complaint."""
        with self._read() as conn:
            row = conn.execute(
                select(t.events).where(t.events.c.complaint_id == complaint_id).order_by(t.events.c.seq.desc()).limit(1)
            ).first()
        return _event(row) if row is not None else None

    def history(self, complaint_id: str) -> list[Event]:
        """Every event of a complaint, oldest first."""
        with self._read() as conn:
            exists = conn.execute(select(t.complaints.c.id).where(t.complaints.c.id == complaint_id)).first()
            if exists is None:
                raise ComplaintNotFound(complaint_id)
            rows = conn.execute(
                select(t.events).where(t.events.c.complaint_id == complaint_id).order_by(t.events.c.seq)
            ).all()
        return [_event(r) for r in rows]

    def timers(self, complaint_id: str) -> list[Timer]:
        """Every timer of a complaint."""
        with self._read() as conn:
            rows = conn.execute(
                select(t.timers)
                .where(t.timers.c.complaint_id == complaint_id)
                .order_by(t.timers.c.due_at, t.timers.c.priority, t.timers.c.id)
            ).all()
        return [_timer(r) for r in rows]

    def timer(self, timer_id: str) -> Timer | None:
        """One timer by id."""
        with self._read() as conn:
            row = conn.execute(select(t.timers).where(t.timers.c.id == timer_id)).first()
        return _timer(row) if row is not None else None

    def due_timers(self, now: datetime, limit: int) -> list[Timer]:
        """Pending timers due by ``now``, earliest first (ties by id)."""
        with self._read() as conn:
            rows = conn.execute(_DUE_TIMERS, {"now": now, "lim": limit}).all()
        return [_timer(r) for r in rows]

    def next_due_at(self) -> datetime | None:
        """The earliest pending due instant."""
        with self._read() as conn:
            value: datetime | None = conn.execute(_NEXT_DUE).scalar()  # UtcDateTime: aware UTC already
        return value

    def idempotency(self, key: str) -> IdempotencyRecord | None:
        """The record of a command with this key."""
        with self._read() as conn:
            row = conn.execute(select(t.idempotency).where(t.idempotency.c.key == key)).first()
        if row is None:
            return None
        return IdempotencyRecord(row.key, row.fingerprint, row.complaint_id, dict(row.result))

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
            return [_complaint(r) for r in conn.execute(query)]

    def pending_outbox(self, limit: int) -> list[OutboxItem]:
        """Undelivered outbox items, oldest first."""
        with self._read() as conn:
            rows = conn.execute(
                select(t.outbox)
                .where(t.outbox.c.delivered_at.is_(None))
                .order_by(t.outbox.c.created_at, t.outbox.c.id)
                .limit(limit)
            ).all()
            return self._outbox_items(conn, rows)

    @staticmethod
    def _outbox_items(conn: Connection, rows: Sequence[Row[Any]]) -> list[OutboxItem]:
        """Outbox rows with their payloads: the events they carry (content and hash)."""
        if not rows:
            return []
        keys = [(r.complaint_id, r.event_seq) for r in rows]
        found = conn.execute(select(t.events).where(tuple_(t.events.c.complaint_id, t.events.c.seq).in_(keys)))
        events = {(e.complaint_id, e.seq): _event(e) for e in found}
        return [_outbox(r, events[(r.complaint_id, r.event_seq)]) for r in rows]

    def mark_delivered(self, item_ids: Sequence[str], at: datetime) -> None:
        """Record delivery."""
        with self._begin() as conn:
            conn.execute(update(t.outbox).where(t.outbox.c.id.in_(list(item_ids))).values(delivered_at=at))

    def claim_outbox(self, owner: str, now: datetime, lease: timedelta, limit: int) -> list[OutboxItem]:
        """Lease up to ``limit`` undelivered items no one else holds, oldest first.

        On PostgreSQL the candidates are locked with ``FOR UPDATE SKIP LOCKED``, so concurrent
        drainers take different items; SQLite has one writer at a time.
        """
        o = t.outbox
        free = and_(o.c.delivered_at.is_(None), (o.c.lease_expires.is_(None)) | (o.c.lease_expires <= now))
        query = select(o.c.id).where(free).order_by(o.c.created_at, o.c.id).limit(limit)
        if self.dialect == "postgresql":
            query = query.with_for_update(skip_locked=True)
        with self._begin() as conn:
            ids = [r.id for r in conn.execute(query)]
            if not ids:
                return []
            conn.execute(update(o).where(o.c.id.in_(ids)).values(lease_owner=owner, lease_expires=now + lease))
            rows = conn.execute(select(o).where(o.c.id.in_(ids)).order_by(o.c.created_at, o.c.id)).all()
            return self._outbox_items(conn, rows)

    def finish_outbox(self, item_id: str, owner: str, delivered_at: datetime | None, error: str | None) -> None:
        """End a lease held by ``owner``: delivered, or failed with ``error`` (it stays pending)."""
        o = t.outbox
        with self._begin() as conn:
            conn.execute(
                update(o)
                .where(and_(o.c.id == item_id, o.c.lease_owner == owner))
                .values(
                    delivered_at=delivered_at,
                    last_error=error,
                    attempts=o.c.attempts + 1,
                    lease_owner=None,
                    lease_expires=None,
                )
            )

    def claim_due(self, owner: str, now: datetime, lease: timedelta, limit: int) -> list[Timer]:
        """Lease up to ``limit`` due pending timers that no live lease holds, earliest first.

        PostgreSQL locks the candidate rows with ``FOR UPDATE SKIP LOCKED``, so concurrent
        workers claim disjoint batches without waiting for each other; SQLite serializes writers.
        A candidate is left out when an earlier due timer of its complaint is pending outside the
        batch (leased, or being claimed, by another worker): a complaint's timers fire in order.
        """
        tm = t.timers
        free = (tm.c.lease_expires.is_(None)) | (tm.c.lease_expires <= now)
        due = and_(tm.c.status == TimerStatus.PENDING.value, tm.c.due_at <= now)
        order = (tm.c.due_at, tm.c.priority, tm.c.id)
        query = select(tm.c.id, tm.c.complaint_id, *order[:2]).where(and_(due, free)).order_by(*order).limit(limit)
        if self.dialect == "postgresql":
            query = query.with_for_update(skip_locked=True)
        with self._begin() as conn:
            candidates = conn.execute(query).all()
            if not candidates:
                return []
            chosen = {r.id for r in candidates}
            complaints = list({r.complaint_id for r in candidates})
            first_outside: dict[str, tuple[datetime, int, str]] = {}
            others = select(tm.c.id, tm.c.complaint_id, *order[:2]).where(and_(due, tm.c.complaint_id.in_(complaints)))
            for r in conn.execute(others):
                key, current = (r.due_at, r.priority, r.id), first_outside.get(r.complaint_id)
                if r.id not in chosen and (current is None or key < current):
                    first_outside[r.complaint_id] = key
            ids = [
                r.id
                for r in candidates
                if r.complaint_id not in first_outside or (r.due_at, r.priority, r.id) < first_outside[r.complaint_id]
            ]
            if not ids:
                return []
            conn.execute(update(tm).where(tm.c.id.in_(ids)).values(lease_owner=owner, lease_expires=now + lease))
            rows = conn.execute(select(tm).where(tm.c.id.in_(ids)).order_by(*order)).all()
        return [_timer(r) for r in rows]

    def release_timers(self, owner: str, timer_ids: Sequence[str]) -> None:
        """Give back leases ``owner`` holds on timers it did not close."""
        if not timer_ids:
            return
        tm = t.timers
        with self._begin() as conn:
            conn.execute(
                update(tm)
                .where(and_(tm.c.id.in_(list(timer_ids)), tm.c.lease_owner == owner))
                .values(lease_owner=None, lease_expires=None)
            )

    def complaints_with_pending_timers(self) -> list[str]:
        """Ids of complaints that have at least one pending timer."""
        tm = t.timers
        with self._read() as conn:
            rows = conn.execute(
                select(tm.c.complaint_id).where(tm.c.status == TimerStatus.PENDING.value).distinct()
            ).all()
        return sorted(r.complaint_id for r in rows)

    def delete_everything(self) -> None:
        """Empty every sp4n table (for tests and demos that reuse a database)."""
        with self._begin() as conn:
            for table in reversed(t.metadata.sorted_tables):
                conn.execute(delete(table))


def _one_or_many(rows: list[dict[str, Any]]) -> dict[str, Any] | list[dict[str, Any]]:
    """One row as a plain execute (one round trip), several as an executemany."""
    return rows[0] if len(rows) == 1 else rows


def _complaint(row: Row[Any]) -> Complaint:
    values = {f: getattr(row, f) for f in _COMPLAINT_FIELDS}
    values["attributes"] = dict(values["attributes"] or {})
    return Complaint(**values)


def _ledger_from_join(row: Row[Any]) -> ClockLedger:
    """A clock ledger from the ``clock_``-labelled columns of the complaint-and-clocks query."""
    return ClockLedger(
        complaint_id=row.clock_complaint_id,
        name=row.clock_name,
        budget=_budget(row.clock_budget),
        status=ClockStatus(row.clock_status),
        generation=row.clock_generation,
        consumed=row.clock_consumed,
        running_since=row.clock_running_since,
        extended_by=row.clock_extended_by,
        started_at=row.clock_started_at,
    )


@lru_cache(maxsize=256)
def _budget(text: str) -> Duration:
    return Duration.parse(text)


def _event(row: Row[Any]) -> Event:
    values = {f: getattr(row, f) for f in _EVENT_FIELDS}
    values["payload"] = dict(values["payload"])
    values["clock_changes"] = list(values["clock_changes"])
    return Event(**values)


def _timer(row: Row[Any]) -> Timer:
    return Timer(
        id=row.id,
        complaint_id=row.complaint_id,
        clock=row.clock,
        generation=row.generation,
        rung=row.rung,
        due_at=row.due_at,
        priority=row.priority,
        status=TimerStatus(row.status),
        closed_at=row.closed_at,
        lateness_seconds=row.lateness_seconds,
        lease_owner=row.lease_owner,
        lease_expires=row.lease_expires,
    )


def _outbox(row: Row[Any], event: Event) -> OutboxItem:
    payload = event.content()
    payload["hash"] = event.hash
    return OutboxItem(
        id=row.id,
        complaint_id=row.complaint_id,
        event_seq=row.event_seq,
        topic=row.topic,
        payload=payload,
        created_at=row.created_at,
        delivered_at=row.delivered_at,
        attempts=row.attempts,
    )


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
