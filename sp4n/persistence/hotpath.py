"""The statements every command runs (load a complaint, save a change), prepared for one engine.

They are SQLAlchemy Core statements on sp4n's tables, compiled once by :mod:`driver` for the
engine's dialect; the UPDATE of a complaint is compiled once per set of changed fields.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import lru_cache, partial
from typing import Any

from sqlalchemy import Engine, and_, bindparam, insert, or_, select, update

from sp4n.errors import ConcurrencyConflict
from sp4n.persistence import tables as t
from sp4n.persistence.base import ChangeSet, IdempotencyRecord, Snapshot
from sp4n.persistence.driver import Prepared, Query, Transaction
from sp4n.persistence.feed_records import FeedEntry, entry_row
from sp4n.persistence.records import ClockLedger, ClockRun, Complaint, Event, Milestone, TimerStatus
from sp4n.persistence.report_facts import COLUMNS as FACT_COLUMNS
from sp4n.persistence.report_facts import fold, touches_facts
from sp4n.persistence.rows import (
    COMPLAINT_FIELDS,
    EVENT_FIELDS,
    complaint_from,
    ledger_from_join,
    milestone_row,
    run_row,
)

_CLOCK_COLUMNS = [c.label(f"clock_{c.name}") for c in t.clocks.c]
# one round trip: the complaint's columns, repeated beside each of its clocks (or once, with nulls)
LOAD_COMPLAINT = (
    select(t.complaints, *_CLOCK_COLUMNS)
    .select_from(t.complaints.outerjoin(t.clocks, t.clocks.c.complaint_id == t.complaints.c.id))
    .where(t.complaints.c.id == bindparam("cid"))
)
LOAD_MANY = select(t.complaints, *_CLOCK_COLUMNS).select_from(
    t.complaints.outerjoin(t.clocks, t.clocks.c.complaint_id == t.complaints.c.id)
)
"""The same join for several complaints (a WHERE on the ids is added), run through Core."""


def snapshots_from(rows: Sequence[Mapping[Any, Any]]) -> list[Snapshot]:
    """Snapshots from rows of :data:`LOAD_MANY`: a complaint's columns repeated beside each clock."""
    by_id: dict[str, Snapshot] = {}
    for row in rows:
        snapshot = by_id.get(row["id"])
        if snapshot is None:
            snapshot = by_id[row["id"]] = Snapshot(complaint_from(row), {}, row["last_seq"], row["last_hash"])
        if row["clock_name"] is not None:
            snapshot.clocks[row["clock_name"]] = ledger_from_join(row)
    return list(by_id.values())


_CLOCK_VALUES = tuple(c.name for c in t.clocks.c if c.name not in ("complaint_id", "name"))
_ALWAYS_WRITTEN = ("version", "last_seq", "last_hash")


def dialect_insert(dialect: str, table: Any) -> Any:
    """An INSERT that can say ON CONFLICT, which both SQLite and PostgreSQL speak."""
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert(table)
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert(table)


def upsert(dialect: str, table: Any, keys: list[str], update_cols: Any) -> Any:
    """INSERT ... ON CONFLICT DO NOTHING, or DO UPDATE of ``update_cols`` from the row proposed."""
    stmt = dialect_insert(dialect, table)
    if not update_cols:
        return stmt.on_conflict_do_nothing(index_elements=keys)
    return stmt.on_conflict_do_update(index_elements=keys, set_={c: stmt.excluded[c] for c in update_cols})


class HotPath:
    """Load and save of one engine's store, on the driver's connection."""

    def __init__(self, engine: Engine) -> None:
        dialect = engine.dialect.name
        self._engine = engine
        self.load_query = Query(LOAD_COMPLAINT, engine)
        self._first_clock_column = len(t.complaints.c)
        self._clock_name = self.load_query.index("clock_name")
        self.insert_complaint = Prepared(insert(t.complaints), engine)
        self.upsert_clocks = Prepared(upsert(dialect, t.clocks, ["complaint_id", "name"], _CLOCK_VALUES), engine)
        self.insert_timers = Prepared(upsert(dialect, t.timers, ["id"], ()), engine)
        self.close_pending_timer = Prepared(
            update(t.timers)
            .where(and_(t.timers.c.id == bindparam("b_id"), t.timers.c.status == TimerStatus.PENDING.value))
            .values(
                status=bindparam("b_status", type_=t.timers.c.status.type),
                closed_at=bindparam("b_at", type_=t.timers.c.closed_at.type),
                lateness_seconds=bindparam("b_late", type_=t.timers.c.lateness_seconds.type),
            ),
            engine,
        )
        self.insert_event = Prepared(insert(t.events), engine)
        run_values = [c.name for c in t.clock_runs.c if c.name not in ("complaint_id", "clock", "started_at")]
        self.upsert_runs = Prepared(
            upsert(dialect, t.clock_runs, ["complaint_id", "clock", "started_at"], run_values), engine
        )
        self.insert_milestones = Prepared(upsert(dialect, t.milestones, ["complaint_id", "name"], ()), engine)
        facts = dialect_insert(dialect, t.report_facts)
        facts = facts.from_select(FACT_COLUMNS, fold(t.complaints.c.id == bindparam("f_cid")))
        self.refresh_facts = Prepared(
            facts.on_conflict_do_update(
                index_elements=["complaint_id"], set_={c: facts.excluded[c] for c in FACT_COLUMNS[1:]}
            ),
            engine,
        )
        self.insert_idempotency = Prepared(insert(t.idempotency), engine)
        feed_columns = {c.name: bindparam(c.name, type_=c.type) for c in t.feed.c if c.name != "id"}
        self.insert_feed = Prepared(insert(t.feed).values(feed_columns), engine)
        f = t.feed.c
        self.tighten = Prepared(
            update(t.feed)
            .where(f.complaint_id == bindparam("f_cid"))
            .values(
                anonymous=or_(f.anonymous, bindparam("f_anon", type_=f.anonymous.type)),
                confidential=or_(f.confidential, bindparam("f_conf", type_=f.confidential.type)),
            ),
            engine,
        )
        self.head_query = Query(
            select(t.complaints.c.version, t.complaints.c.last_seq).where(t.complaints.c.id == bindparam("cid")), engine
        )
        self.written_query = Query(
            select(t.complaints.c.version, t.complaints.c.last_hash).where(t.complaints.c.id == bindparam("cid")),
            engine,
        )
        self.idempotency_query = Query(select(t.idempotency).where(t.idempotency.c.key == bindparam("key")), engine)
        self.active_query = Query(
            select(t.active.c.name, t.active.c.version).where(t.active.c.kind == bindparam("kind")), engine
        )
        self.update_complaint = lru_cache(maxsize=64)(self._update_complaint)

    def _update_complaint(self, columns: tuple[str, ...]) -> Prepared:
        c = t.complaints.c
        return Prepared(
            update(t.complaints)
            .where(and_(c.id == bindparam("b_id"), c.version == bindparam("b_expected")))
            .values({name: bindparam(name, type_=c[name].type) for name in columns}),
            self._engine,
        )

    # ------------------------------------------------------------------ load

    def snapshot(self, cursor: Any, complaint_id: str) -> Snapshot | None:
        """The complaint with its clocks and chain head, or None when there is no such complaint."""
        query, split = self.load_query, self._first_clock_column
        rows = query.run(cursor, {"cid": complaint_id})
        if not rows:
            return None
        row = query.decode(rows[0], 0, split)  # the complaint's columns are repeated on every row
        clocks = [query.decode(r, split) for r in rows if r[self._clock_name] is not None]
        ledgers = {c["clock_name"]: ledger_from_join(c) for c in clocks}
        return Snapshot(complaint_from(row), ledgers, row["last_seq"], row["last_hash"])

    def stored_version(self, connection: Any, complaint_id: str) -> int | None:
        """The version a complaint is stored at (None if there is none)."""
        head = self.stored_head(connection, complaint_id)
        return head[0] if head is not None else None

    def stored_head(self, connection: Any, complaint_id: str) -> tuple[int, int] | None:
        """The version and the last event number of a stored complaint (None if there is none)."""
        rows = self.head_query.run(connection.cursor(), {"cid": complaint_id})
        return (int(rows[0][0]), int(rows[0][1])) if rows else None

    def idempotency(self, connection: Any, key: str) -> IdempotencyRecord | None:
        """The record of a command with this key (None if there is none)."""
        query = self.idempotency_query
        rows = query.run(connection.cursor(), {"key": key})
        if not rows:
            return None
        row = query.decode(rows[0])
        return IdempotencyRecord(row["key"], row["fingerprint"], row["complaint_id"], dict(row["result"]))

    def active(self, connection: Any, kind: str) -> dict[str, str]:
        """The active versions of ``kind`` (see :meth:`sp4n.persistence.Store.active`), by name."""
        return {str(name): str(version) for name, version in self.active_query.run(connection.cursor(), {"kind": kind})}

    # ------------------------------------------------------------------ save

    def write_complaints(self, tx: Transaction, changes: Sequence[ChangeSet]) -> None:
        """Insert the new complaints, and update each other one if it is still at the version its
        change expects (statements of the same shape go together)."""
        inserts: list[dict[str, Any]] = []
        updates: dict[tuple[str, ...], list[dict[str, Any]]] = {}
        for change in changes:
            complaint = change.complaint
            values = {f: getattr(complaint, f) for f in COMPLAINT_FIELDS}
            if change.events:
                values["last_seq"] = change.events[-1].seq
                values["last_hash"] = change.events[-1].hash
            if change.expected_version == 0:
                values.setdefault("last_seq", 0)
                values.setdefault("last_hash", "")
                values["next_due_at"] = change.next_due_at
                values["breached"] = change.breached
                inserts.append(values)
                continue
            del values["id"]
            if change.fields is not None:
                keep = {*_ALWAYS_WRITTEN, *change.fields}
                values = {k: v for k, v in values.items() if k in keep}
            if change.runs:
                values["next_due_at"] = change.next_due_at
            if change.breached:
                values["breached"] = True
            columns = tuple(sorted(values))
            values["b_id"] = complaint.id
            values["b_expected"] = change.expected_version
            updates.setdefault(columns, []).append(values)
        if inserts:
            tx.execute(self.insert_complaint, inserts)
        for columns, rows in updates.items():
            tx.execute(self.update_complaint(columns), rows, one_row=partial(self._moved_on, rows=rows))

    def _moved_on(self, connection: Any, rows: Sequence[Mapping[str, Any]]) -> ConcurrencyConflict:
        """The conflict of the first complaint among ``rows`` that its UPDATE did not reach (in
        the same transaction, the others already carry their new version and chain head)."""
        for row in rows:
            found = self.written_query.run(connection.cursor(), {"cid": row["b_id"]})
            if not found:
                return ConcurrencyConflict(row["b_id"], row["b_expected"], None)
            version, head = found[0]
            if (version, head) != (row["version"], row.get("last_hash", head)):  # (no event: no new head)
                return ConcurrencyConflict(row["b_id"], row["b_expected"], int(version))
        return ConcurrencyConflict(rows[0]["b_id"], rows[0]["b_expected"], None)

    def write_clocks(self, tx: Transaction, ledgers: Sequence[ClockLedger]) -> None:
        """Insert or update clock ledgers."""
        if ledgers:
            tx.execute(
                self.upsert_clocks,
                [
                    {
                        "complaint_id": c.complaint_id,
                        "name": c.name,
                        "budget": str(c.budget),
                        "status": c.status._value_,
                        "generation": c.generation,
                        "consumed": c.consumed,
                        "running_since": c.running_since,
                        "extended_by": c.extended_by,
                        "started_at": c.started_at,
                        "due_at": c.due_at,
                    }
                    for c in ledgers
                ],
            )

    def write_read_model(self, tx: Transaction, runs: list[ClockRun], milestones: list[Milestone]) -> None:
        """Write clock runs over the stored ones, and milestones not reached before."""
        if runs:
            tx.execute(
                self.upsert_runs,
                [run_row(r) for r in runs],
            )
        if milestones:
            tx.execute(
                self.insert_milestones,
                [milestone_row(m) for m in milestones],
            )

    def write_report_facts(self, tx: Transaction, changes: Sequence[ChangeSet]) -> None:
        """Rewrite the report facts of the complaints whose change can move them, from the
        complaint and milestones just written (one upsert per complaint)."""
        rows = [{"f_cid": c.complaint.id} for c in changes if touches_facts(c)]
        if rows:
            tx.execute(self.refresh_facts, rows)

    def write_timers(self, tx: Transaction, changes: Sequence[ChangeSet]) -> None:
        """Close timers (a fired one must still be pending) and arm new ones."""
        pending: list[dict[str, Any]] = []
        stale: list[dict[str, Any]] = []
        for change in changes:
            for close in change.close_timers:
                row = {
                    "b_id": close.timer_id,
                    "b_status": close.status._value_,
                    "b_at": close.closed_at,
                    "b_late": close.lateness_seconds,
                }
                (pending if close.must_be_pending else stale).append(row)
        if pending:
            first = changes[0]
            tx.execute(
                self.close_pending_timer,
                pending,
                one_row=lambda _: ConcurrencyConflict(first.complaint.id, first.expected_version, None),
            )
        if stale:
            tx.execute(self.close_pending_timer, stale)
        armed = [tm for change in changes for tm in change.add_timers]
        if armed:
            tx.execute(
                self.insert_timers,
                [
                    {
                        "id": tm.id,
                        "complaint_id": tm.complaint_id,
                        "clock": tm.clock,
                        "generation": tm.generation,
                        "rung": tm.rung,
                        "due_at": tm.due_at,
                        "priority": tm.priority,
                        "status": tm.status._value_,
                        "closed_at": None,
                        "lateness_seconds": None,
                        "lease_owner": None,
                        "lease_expires": None,
                    }
                    for tm in armed
                ],
            )

    def write_events(self, tx: Transaction, events: Sequence[Event]) -> None:
        """Append events."""
        if events:
            tx.execute(self.insert_event, [{f: getattr(e, f) for f in EVENT_FIELDS} for e in events])

    def write_feed(self, tx: Transaction, entries: Sequence[FeedEntry]) -> None:
        """Append the events' feed rows, unnumbered (the sequencer numbers them once committed)."""
        if entries:
            tx.execute(self.insert_feed, [entry_row(e) for e in entries])

    def tighten_feed(self, tx: Transaction, complaints: Sequence[Complaint]) -> None:
        """Give the earlier feed rows of ``complaints`` the privacy flags they carry now."""
        if complaints:
            rows = [{"f_cid": c.id, "f_anon": c.anonymous, "f_conf": c.confidential} for c in complaints]
            tx.execute(self.tighten, rows)

    def write_idempotency(self, tx: Transaction, records: Sequence[IdempotencyRecord]) -> None:
        """Keep what commands with an idempotency key did."""
        if records:
            tx.execute(
                self.insert_idempotency,
                [
                    {
                        "key": r.key,
                        "fingerprint": r.fingerprint,
                        "complaint_id": r.complaint_id,
                        "result": r.result,
                    }
                    for r in records
                ],
            )
