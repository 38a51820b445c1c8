"""(b) of the store benchmark, the loading: a million complaints copied from a real lifecycle."""

from __future__ import annotations

import contextlib
import hashlib
import json
import queue
import random
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy
from sqlalchemy import Engine as SqlEngine
from sqlalchemy import Table
from sqlalchemy.exc import DBAPIError

from sp4n.persistence import tables as t
from sp4n.persistence.records import TimerStatus
from sp4n.persistence.sql import SqlStore, create_sql_engine
from sp4n.testing import DEFAULT_START, Scenario
from sp4n.workflow import SYSTEM

from lifecycle import DESCRIPTION, STEPS
from store_setup import Lifecycles, Sizes, plain, row_of

NOW = datetime.fromisoformat(DEFAULT_START)
"""The benchmark clock's instant: bulk-loaded complaints were submitted in the two years before."""

AGENCIES = tuple(
    f"{kind}_{place}"
    for kind in ("dinas_kesehatan", "dinas_pendidikan", "dinas_pupr", "dinas_perhubungan", "dinas_sosial")
    for place in ("dki", "jabar", "jateng", "jatim", "sumut", "sulsel", "kalsel", "bali")
)
OPEN_STATES = ("received", "verified", "distributed", "followed_up", "escalated")
CLOSED_STATES = ("closed", "closed", "closed", "archived")
CATEGORIES = ("kesehatan", "pendidikan", "infrastruktur", "perhubungan", "sosial", "kependudukan")
CHANNELS = ("web", "web", "web", "sms", "whatsapp", "mobile")
TITLES = (
    "Jalan berlubang di depan sekolah dasar",
    "Puskesmas tutup pada jam pelayanan",
    "Bantuan sosial belum diterima sejak tiga bulan",
    "Pungutan liar saat mengurus KTP elektronik",
    "Lampu penerangan jalan mati",
    "Sampah tidak diangkut lebih dari seminggu",
)


SQLITE_LOAD_CACHE_KIB = 256 << 10
"""Page cache of the SQLite connection that bulk-loads (256 MiB; the default is 2 MiB)."""


class Formatter:
    """Column values as the database stores them, for bulk writes that skip SQLAlchemy's per-row
    type processing: instants as UTC text in SQLAlchemy's own format (with ``+00`` on PostgreSQL),
    JSON as text, booleans as the backend has them."""

    def __init__(self, postgres: bool) -> None:
        self.postgres = postgres
        self.suffix = "+00" if postgres else ""

    def utc(self, value: datetime) -> str:
        """A naive UTC instant as stored."""
        return value.isoformat(" ", "microseconds") + self.suffix

    def value(self, column: sqlalchemy.Column[Any], value: Any) -> Any:
        """Any record value of ``column`` as stored."""
        value = plain(value)
        if value is None:
            return None
        if isinstance(value, datetime):
            return self.utc(naive_utc(value))
        if isinstance(column.type, sqlalchemy.JSON):
            return json.dumps(value)
        if isinstance(value, bool) and not self.postgres:
            return int(value)
        return value


def naive_utc(value: datetime) -> datetime:
    """An aware instant as a naive UTC datetime (cheaper to shift and format in bulk)."""
    return value.astimezone(UTC).replace(tzinfo=None)


def _naive(value: datetime | None) -> datetime | None:
    return naive_utc(value) if value is not None else None


class Shape:
    """The columns of one table: template rows as lists, and rows made from them by name."""

    def __init__(self, table: Table, fmt: Formatter) -> None:
        self.table = table
        self.fmt = fmt
        self.index = {c.name: i for i, c in enumerate(table.columns)}

    def template(self, record: Any, **values: Any) -> list[Any]:
        """A row from a record's attributes of the same names (then ``values``), formatted."""
        row = row_of(self.table, record, **values)
        return [self.fmt.value(c, row[c.name]) for c in self.table.columns]

    def positions(self, *names: str) -> list[int]:
        """Where the named columns are in a row."""
        return [self.index[n] for n in names]


class Templates:
    """Real rows of the national lifecycle (events, clock ledgers, timers) to copy at scale, formatted."""

    def __init__(self, lifecycles: Lifecycles, fmt: Formatter) -> None:
        scenario = Scenario(sops=["national"])
        cid = scenario.submit(title="template", description=DESCRIPTION)
        ledgers = []  # the clock ledgers after 1, 2, 3 and 4 events
        for trigger, data in STEPS[:3]:
            ledgers.append(list(scenario.engine.store.load(cid).clocks.values()))
            scenario.fire(cid, trigger, lifecycles.actors[trigger], **data)
        ledgers.append(list(scenario.engine.store.load(cid).clocks.values()))
        self.fmt = fmt
        self.start = naive_utc(scenario.engine.history(cid, SYSTEM)[0].at)
        self.complaint = Shape(t.complaints, fmt)
        self.clock = Shape(t.clocks, fmt)
        self.event = Shape(t.events, fmt)
        self.timer = Shape(t.timers, fmt)
        self.events = [self.event.template(e) for e in scenario.engine.history(cid, SYSTEM)]
        self.clocks = [  # in key order, as the rows are loaded
            [
                (self.clock.template(c, budget=str(c.budget)), _naive(c.running_since), _naive(c.started_at))
                for c in sorted(group, key=lambda c: c.name)
            ]
            for group in ledgers
        ]
        timers = [
            (self.timer.template(tm), naive_utc(tm.due_at), f"{tm.clock}/{tm.generation}/{tm.rung}")
            for tm in scenario.engine.store.timers(cid)
        ]
        self.timer_sets = {n: sorted(timers[:n], key=lambda x: x[2]) for n in range(1, len(timers) + 1)}
        """The first ``n`` timers (by due instant), in key order."""
        probe = scenario.engine.store.load(cid).complaint
        self.complaint_row = self.complaint.template(
            probe, last_seq=0, last_hash="", classification="pengaduan", breached=False
        )
        self.sop_version = probe.sop_version


@dataclass
class Batch:
    """The rows of a batch of bulk-loaded complaints, as tuples in column order."""

    complaints: list[tuple[Any, ...]] = field(default_factory=list)
    clocks: list[tuple[Any, ...]] = field(default_factory=list)
    events: list[tuple[Any, ...]] = field(default_factory=list)
    timers: list[tuple[Any, ...]] = field(default_factory=list)

    def tables(self) -> list[tuple[Table, list[tuple[Any, ...]]]]:
        """(table, rows) in foreign-key order."""
        return [
            (t.complaints, self.complaints),
            (t.clocks, self.clocks),
            (t.events, self.events),
            (t.timers, self.timers),
        ]


def complaint_id(i: int, total: int) -> str:
    """The 32-hex id of bulk complaint ``i`` of ``total``: the ids are spread evenly, with random
    jitter, over the whole id space (as uuid4 hex ids are), and increase with ``i``, so that a
    load in order appends to the indexes instead of touching random pages."""
    spacing = (1 << 128) // total
    jitter = (i * 0x9E3779B97F4A7C15F39CC0605CEDC835) % (1 << 128) % spacing
    return f"{i * spacing + jitter:032x}"


def make_batch(tpl: Templates, start: int, count: int, total: int, seed: int) -> Batch:
    """Rows of complaints ``start`` to ``start + count``, copied from the templates.

    A quarter are open (submitted in the last 60 days; their timers pending while due in the future,
    and 1% of the past ones as a backlog), the rest closed over two years (timers fired or stale).
    Complaint ``i`` has ``2 + i % 3`` events and ``3 + (i // 3) % 3`` timers.
    """
    rng = random.Random(seed * 1_000_003 + start)
    fmt = tpl.fmt
    ts = fmt.utc
    now = naive_utc(NOW)
    batch = Batch()
    c_id, c_track, c_ver, c_state, c_sub, c_upd, c_title, c_desc, c_chan, c_cat, c_rep, c_anon, c_conf, c_agency = (
        tpl.complaint.positions(
            "id",
            "tracking_number",
            "sop_version",
            "state",
            "submitted_at",
            "updated_at",
            "title",
            "description",
            "channel",
            "category",
            "reporter_id",
            "anonymous",
            "confidential",
            "agency",
        )
    )
    c_version, c_seq, c_hash = tpl.complaint.positions("version", "last_seq", "last_hash")
    e_cid, e_at, e_prev, e_hash = tpl.event.positions("complaint_id", "at", "prev_hash", "hash")
    k_cid, k_since, k_started = tpl.clock.positions("complaint_id", "running_since", "started_at")
    m_id, m_cid, m_due, m_status, m_closed = tpl.timer.positions("id", "complaint_id", "due_at", "status", "closed_at")
    pending, closed = TimerStatus.PENDING.value, (TimerStatus.STALE.value, TimerStatus.FIRED.value)
    yes, no = (True, False) if fmt.postgres else (1, 0)
    for i in range(start, start + count):
        cid = complaint_id(i, total)
        is_open = rng.random() < 0.25
        submitted = now - timedelta(days=rng.uniform(0.5, 60) if is_open else rng.uniform(60, 730))
        shift = submitted - tpl.start
        n_events = 2 + i % 3
        hashes = [hashlib.sha256(f"{cid}/{k}".encode()).hexdigest() for k in range(n_events)]
        for k in range(n_events):
            row = tpl.events[k].copy()
            row[e_cid], row[e_at] = cid, ts(submitted + timedelta(hours=3 * k))
            row[e_prev], row[e_hash] = (hashes[k - 1] if k else ""), hashes[k]
            batch.events.append(tuple(row))
        for template, since, started in tpl.clocks[n_events - 1]:
            row = template.copy()
            row[k_cid] = cid
            row[k_since] = ts(since + shift) if since else None
            row[k_started] = ts(started + shift) if started else None
            batch.clocks.append(tuple(row))
        for template, due_at, key in tpl.timer_sets[3 + (i // 3) % 3]:
            due = due_at + shift
            is_pending = is_open and (due > now or rng.random() < 0.01)
            row = template.copy()
            row[m_id] = f"{cid}/{key}"
            row[m_cid], row[m_due] = cid, ts(due)
            row[m_status] = pending if is_pending else rng.choice(closed)
            row[m_closed] = None if is_pending else ts(min(due, now))
            batch.timers.append(tuple(row))
        row = tpl.complaint_row.copy()
        row[c_id] = cid
        row[c_track] = f"SP4N-{submitted + timedelta(hours=7):%Y%m%d}-{i:08X}"
        row[c_ver] = tpl.sop_version
        row[c_state] = rng.choice(OPEN_STATES if is_open else CLOSED_STATES)
        row[c_sub], row[c_upd] = ts(submitted), ts(submitted + timedelta(hours=3 * (n_events - 1)))
        row[c_title] = f"{rng.choice(TITLES)} ({rng.randrange(1, 9999)})"
        row[c_desc] = DESCRIPTION[: rng.randrange(80, len(DESCRIPTION) + 1)]
        row[c_chan], row[c_cat] = rng.choice(CHANNELS), rng.choice(CATEGORIES)
        row[c_rep] = f"warga-{rng.randrange(500_000)}"
        row[c_anon] = yes if rng.random() < 0.1 else no
        row[c_conf] = yes if rng.random() < 0.05 else no
        row[c_agency] = rng.choice(AGENCIES)
        row[c_version], row[c_seq], row[c_hash] = n_events, n_events, hashes[-1]
        batch.complaints.append(tuple(row))
    return batch


def batches(tpl: Templates, count: int, size: int, seed: int, background: bool) -> Iterator[Batch]:
    """The batches of ``count`` complaints; with ``background``, made by a thread at most two ahead
    of the writer (for PostgreSQL, whose writer mostly waits on the server: making and writing
    overlap; SQLite's in-process writer would only contend for the GIL)."""
    if not background:
        for first in range(0, count, size):
            yield make_batch(tpl, first, min(size, count - first), count, seed)
        return
    ready: queue.Queue[Batch | BaseException | None] = queue.Queue(maxsize=2)
    stop = threading.Event()

    def produce() -> None:
        try:
            for first in range(0, count, size):
                if stop.is_set():
                    return
                ready.put(make_batch(tpl, first, min(size, count - first), count, seed))
            ready.put(None)
        except BaseException as exc:
            ready.put(exc)

    thread = threading.Thread(target=produce, name="bench-store-batches", daemon=True)
    thread.start()
    try:
        while (item := ready.get()) is not None:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        while thread.is_alive():  # unblock a producer waiting to put
            try:
                ready.get_nowait()
            except queue.Empty:
                thread.join(0.05)


def write_executemany(conn: sqlalchemy.Connection, batch: Batch) -> None:
    """Insert a batch with one executemany per table (the values are already as stored)."""
    for table, rows in batch.tables():
        columns = ", ".join(f'"{c.name}"' for c in table.columns)
        marks = ", ".join("?" for _ in table.columns)
        conn.exec_driver_sql(f"INSERT INTO {table.name} ({columns}) VALUES ({marks})", rows)


def write_copy(conn: sqlalchemy.Connection, batch: Batch) -> None:
    """Insert a batch with PostgreSQL COPY, through psycopg 3."""
    raw = conn.connection.driver_connection
    assert raw is not None
    with raw.cursor() as cur:
        for table, rows in batch.tables():
            columns = ", ".join(f'"{c.name}"' for c in table.columns)
            with cur.copy(f"COPY {table.name} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)


@dataclass(frozen=True)
class Loaded:
    """A bulk-loaded database."""

    url: str
    complaints: int
    rows: dict[str, int]
    seconds: float
    analyze_seconds: float
    size: int
    """Bytes on disk: the SQLite file, or the schema's tables with their indexes and TOAST."""


def database_size(engine: SqlEngine) -> int:
    """The size of the database (SQLite) or of the current schema (PostgreSQL), in bytes."""
    with engine.connect() as conn:
        if engine.dialect.name == "postgresql":
            query = (
                "SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0) FROM pg_class c "
                "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = current_schema() AND c.relkind = 'r'"
            )
        else:
            query = "SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()"
        return int(conn.exec_driver_sql(query).scalar() or 0)


def bulk_load(url: str, count: int, sizes: Sizes, lifecycles: Lifecycles, seed: int) -> Loaded:
    """Fill a fresh database with ``count`` complaints, in batches of ``sizes.batch``; then ANALYZE,
    and read one complaint back through the store as a check of the stored formats."""
    engine = create_sql_engine(url)
    postgres = engine.dialect.name == "postgresql"
    tpl = Templates(lifecycles, Formatter(postgres))
    rows = {"complaints": 0, "clocks": 0, "events": 0, "timers": 0}
    start = time.perf_counter()
    try:
        with engine.connect() as conn:
            if not postgres:  # this connection's page cache, so random-key inserts do not re-read pages
                conn.exec_driver_sql(f"PRAGMA cache_size=-{SQLITE_LOAD_CACHE_KIB}")
                conn.commit()
            for batch in batches(tpl, count, sizes.batch, seed, background=postgres):
                with conn.begin():
                    (write_copy if postgres else write_executemany)(conn, batch)
                for table, table_rows in batch.tables():
                    rows[table.name.removeprefix("sp4n_")] += len(table_rows)
        seconds = time.perf_counter() - start
        start = time.perf_counter()
        analyze_loaded(engine)
        analyze = time.perf_counter() - start
        if not postgres:  # outside any transaction (the store's connections are in autocommit mode)
            raw = engine.raw_connection()
            try:
                raw.cursor().execute("PRAGMA wal_checkpoint(TRUNCATE)")
            finally:
                raw.close()
    finally:
        engine.dispose()
    check_loaded(url, count)
    engine = create_sql_engine(url)
    try:
        size = database_size(engine)
    finally:
        engine.dispose()
    return Loaded(url, count, rows, seconds, analyze, size)


def analyze_loaded(engine: SqlEngine) -> None:
    """Statistics for the planner after a bulk load. On PostgreSQL, VACUUM (ANALYZE) of sp4n's
    tables, then a CHECKPOINT when allowed, so that neither autovacuum nor the load's checkpoint
    runs during the timed rounds; on SQLite, ANALYZE."""
    if engine.dialect.name != "postgresql":
        with engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE")
        return
    names = ", ".join(table.name for table in t.metadata.sorted_tables)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql(f"VACUUM (ANALYZE) {names}")
        with contextlib.suppress(DBAPIError):  # needs superuser or pg_checkpoint; timings are only noisier without
            conn.exec_driver_sql("CHECKPOINT")


def check_loaded(url: str, count: int) -> None:
    """Read bulk-loaded rows back through the store: aware instants, parsed ledgers, a whole chain."""
    store = SqlStore(url)
    try:
        cid = complaint_id(count - 1, count)
        snapshot = store.load(cid)
        timers = store.timers(cid)
        if snapshot.complaint.submitted_at.tzinfo is None or not snapshot.clocks or not timers:
            raise RuntimeError(f"bulk-loaded complaint {cid} does not read back: {snapshot}, {timers}")
        if snapshot.last_seq != len(store.history(cid)):
            raise RuntimeError(f"bulk-loaded complaint {cid}: chain head {snapshot.last_seq} != its events")
    finally:
        store.close()
