"""Benchmark the SQL store: persisted transitions through the engine, against raw SQLAlchemy Core, and at scale.

Run ``python benchmarks/bench_store.py`` for SQLite; add ``--postgres URL`` (or set
SP4N_BENCH_POSTGRES_URL) for PostgreSQL too. Every database is created for the run (a SQLite file
in a temporary directory, a PostgreSQL schema of its own) with sp4n's migrations, and removed at
the end. Two comparisons, each in one run, side by side:

(a) Persisted transitions per second. sp4n: ``Engine(database_url=...)`` fires the national
    lifecycle (verify, distribute, follow_up, reply, follow_up, close) on fresh complaints; each
    ``fire`` loads the complaint and its clocks, then saves in one transaction the complaint row,
    its clock ledgers, the stale timers closed and the new ones armed, and the hash-chained event
    with its outbox row. Baseline: raw SQLAlchemy Core writing the same transitions in sp4n's own
    tables, one transaction per transition: update the complaint row (state, updated_at,
    version), delete the complaint's pending timers and insert the new ones, insert the event
    row; its rows are precomputed (from the same lifecycle on the memory store) outside the timed
    loop. Where the schema writes outbox rows by trigger, it does so for both sides. Both sides
    commit with the same durability: on SQLite the store's own connection setup (WAL,
    synchronous=NORMAL, BEGIN IMMEDIATE), on PostgreSQL a plain psycopg 3 engine for the
    baseline. Target: sp4n at least 0.5x the baseline's rate. Also printed: the statements each
    side sends per transition, and the engine's cost on the memory store (no database).

(b) Cost per transition with many complaints already stored: the same engine lifecycle on fresh
    complaints in databases bulk-loaded with 10,000 and with 1,000,000 complaints (each with its
    clock ledgers, 2 to 4 events and 3 to 5 timers copied from a real lifecycle, submitted over
    two years, a quarter still open with pending timers), timed in alternating rounds. Target:
    the larger at most 1.3x the smaller. The bulk ids are spread over the whole id space, as
    uuid4 ids are, and loaded in id order: COPY on PostgreSQL (then ANALYZE), executemany on
    SQLite. Then the query plans of the store's two hot reads at the larger size: loading a
    complaint (by id, and its clocks) and finding due timers.

Times are the best of a few rounds with the garbage collector off. A full run with PostgreSQL
takes about ten minutes (most of it loading 1,000,000 complaints twice; ``--no-sqlite-scale``
skips SQLite's), and needs about 5 GB of disk per backend while it runs. The exit code is 0 unless
``--check`` is given and a target is missed.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import gc
import hashlib
import json
import os
import platform
import queue
import random
import re
import shutil
import sqlite3
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import Enum
from typing import Any

import sqlalchemy
from sqlalchemy import Engine as SqlEngine
from sqlalchemy import Table, and_, bindparam, delete, insert, select, text, update
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from sp4n.errors import Sp4nError
from sp4n.persistence import tables as t
from sp4n.persistence.base import ChangeSet
from sp4n.persistence.memory import MemoryStore
from sp4n.persistence.migrate import upgrade
from sp4n.persistence.records import TimerStatus
from sp4n.persistence.sql import SqlStore, create_sql_engine
from sp4n.testing import DEFAULT_START, ManualClock, Scenario
from sp4n.testing.postgres import postgres_schema
from sp4n.workflow import Actor, Engine

POSTGRES_ENV = "SP4N_BENCH_POSTGRES_URL"
RATE_TARGET = 0.5
"""(a): sp4n's persisted transitions per second at least this fraction of raw Core's."""
SCALE_TARGET = 1.3
"""(b): cost per transition with the larger table at most this multiple of the smaller."""

STEPS: tuple[tuple[str, dict[str, Any]], ...] = (
    ("verify", {"classification": "pengaduan", "category": "kesehatan"}),
    ("distribute", {"agency": "dinas_kesehatan"}),
    ("follow_up", {"response": "Sudah ditangani"}),
    ("reply", {"message": "Belum selesai"}),
    ("follow_up", {"response": "Sudah diperbaiki"}),
    ("close", {}),
)
DESCRIPTION = (
    "Sudah dua minggu lampu penerangan jalan di RT 04 RW 02 mati, sehingga warga yang pulang malam "
    "merasa tidak aman. Kami sudah melapor ke kelurahan tetapi belum ada tindak lanjut. Mohon segera "
    "diperbaiki sebelum terjadi kecelakaan atau tindak kejahatan."
)


@dataclass(frozen=True)
class Sizes:
    """How much work one run does."""

    complaints: int
    """(a): fresh complaints per round and side (each goes through the 6 transitions)."""
    rounds: int
    """Rounds per side; the best counts."""
    small: int
    """(b): complaints stored in the smaller database."""
    large: int
    """(b): complaints stored in the larger database."""
    scale_complaints: int
    """(b): fresh complaints per round and size."""
    scale_rounds: int
    """(b): rounds per size; the best counts."""
    batch: int = 5_000
    """(b): complaints bulk-loaded per transaction."""


FULL = Sizes(complaints=300, rounds=3, small=10_000, large=1_000_000, scale_complaints=200, scale_rounds=5)
QUICK = Sizes(complaints=20, rounds=1, small=1_000, large=20_000, scale_complaints=20, scale_rounds=1, batch=2_000)


# ---------------------------------------------------------------------------------- databases


class Databases:
    """Fresh databases for the run: SQLite files in a temporary directory and PostgreSQL schemas.

    Each database is brought to sp4n's schema with its migrations; :meth:`close` removes all of
    them (and :meth:`discard` one of them early, to give the disk back).
    """

    def __init__(self, postgres_url: str | None) -> None:
        self.directory = tempfile.mkdtemp(prefix="sp4n-bench-store-")
        self.postgres_url = postgres_url
        self._schemas: dict[str, contextlib.ExitStack] = {}
        self._files: dict[str, str] = {}

    def backends(self) -> list[str]:
        """The backends of this run."""
        return ["sqlite", "postgresql"] if self.postgres_url else ["sqlite"]

    def fresh(self, backend: str, label: str) -> str:
        """The URL of a new, empty database at sp4n's current schema."""
        if backend == "sqlite":
            path = os.path.join(self.directory, f"{label}.db")
            url = f"sqlite:///{path}"
            self._files[url] = path
        else:
            assert self.postgres_url is not None
            stack = contextlib.ExitStack()
            url = stack.enter_context(postgres_schema(self.postgres_url, prefix=f"bench_store_{label}"))
            self._schemas[url] = stack
        engine = create_sql_engine(url)
        try:
            upgrade(engine)
        finally:
            engine.dispose()
        return url

    def discard(self, url: str) -> None:
        """Remove one database now."""
        if url in self._schemas:
            self._schemas.pop(url).close()
        elif url in self._files:
            path = self._files.pop(url)
            for suffix in ("", "-wal", "-shm", "-journal"):
                if os.path.exists(path + suffix):
                    os.remove(path + suffix)

    def close(self) -> None:
        """Remove every database of the run."""
        try:
            for url in list(self._schemas):
                self.discard(url)
        finally:
            shutil.rmtree(self.directory, ignore_errors=True)


def server_version(url: str) -> str:
    """The PostgreSQL server version, e.g. ``15.2``."""
    engine = create_sql_engine(url)
    try:
        with engine.connect() as conn:
            return str(conn.execute(text("SHOW server_version")).scalar()).split()[0]
    finally:
        engine.dispose()


def baseline_engine(url: str) -> SqlEngine:
    """The baseline's SQLAlchemy engine: plain psycopg 3 on PostgreSQL; on SQLite the store's
    connection setup, so that both sides commit with the same durability (WAL, synchronous=NORMAL)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "postgresql":
        return sqlalchemy.create_engine(parsed.set(drivername="postgresql+psycopg"))
    return create_sql_engine(url)


# ---------------------------------------------------------------------------------- timing


def timed(fn: Callable[[], None]) -> float:
    """Seconds one call of ``fn`` takes, with the garbage collector off."""
    gc.collect()
    gc.disable()
    try:
        start = time.perf_counter()
        fn()
        return time.perf_counter() - start
    finally:
        gc.enable()


def plain(value: Any) -> Any:
    """A record's value as a column takes it (enums by value)."""
    return value.value if isinstance(value, Enum) else value


def row_of(table: Table, record: Any, **values: Any) -> dict[str, Any]:
    """A row of ``table`` from a record's attributes of the same names, then ``values``."""
    row = {c.name: plain(getattr(record, c.name, None)) for c in table.columns}
    row.update(values)
    return row


# ---------------------------------------------------------------------------------- (a) the lifecycle


def open_engine(url: str) -> Engine:
    """sp4n's engine on ``url``, national SOP, clock stopped at the scenarios' Monday morning."""
    return Engine(database_url=url, sops=["national"], clock=ManualClock(DEFAULT_START))


def submit_fresh(engine: Engine, count: int, reporter: Actor) -> list[str]:
    """``count`` new complaints (untimed setup)."""
    submit = engine.submit
    return [submit(reporter, title=f"Lampu jalan mati {i}", description=DESCRIPTION).id for i in range(count)]


def lifecycle(engine: Engine, ids: Sequence[str], actors: dict[str, Actor]) -> Callable[[], None]:
    """The timed part of sp4n's side: every step of the lifecycle on every complaint."""
    fire = engine.fire
    steps = [(trigger, actors[trigger], data) for trigger, data in STEPS]

    def run() -> None:
        for cid in ids:
            for trigger, actor, data in steps:
                fire(cid, trigger, actor, **data)

    return run


class RecordingStore(MemoryStore):
    """A memory store that keeps every ChangeSet it saves."""

    def __init__(self) -> None:
        super().__init__()
        self.saved: list[ChangeSet] = []

    def save(self, change: ChangeSet) -> None:
        super().save(change)
        self.saved.append(change)


@dataclass
class BaselineStep:
    """The rows of one transition, precomputed for the baseline."""

    complaint: dict[str, Any]
    owner: dict[str, Any]
    timers: list[dict[str, Any]]
    events: list[dict[str, Any]]


@dataclass
class BaselineComplaint:
    """One complaint of the baseline: its submission (stored untimed) and its transitions' rows."""

    submission: ChangeSet
    steps: list[BaselineStep] = field(default_factory=list)


class Lifecycles:
    """The lifecycle run on the memory store: the actors of each trigger, and the baseline's rows."""

    def __init__(self) -> None:
        self.store = RecordingStore()
        self.scenario = Scenario(sops=["national"], store=self.store)
        self.actors: dict[str, Actor] = {}
        probe = self.scenario.submit(title="probe", description=DESCRIPTION)
        for trigger, data in STEPS:  # the actors bench_engine.py uses: the first fitting role
            self.actors[trigger] = self.scenario.actor_for(probe, trigger)
            self.scenario.fire(probe, trigger, self.actors[trigger], **data)
        self.reporter = self.scenario.reporter
        self._count = 0

    def baseline_rows(self, count: int) -> list[BaselineComplaint]:
        """``count`` complaints' submissions and, per transition, the rows the baseline writes."""
        out = []
        store, scenario = self.store, self.scenario
        for _ in range(count):
            self._count += 1
            cid = scenario.engine.submit(
                self.reporter, title=f"Lampu jalan mati {self._count}", description=DESCRIPTION
            ).id
            item = BaselineComplaint(store.saved[-1])
            for trigger, data in STEPS:
                scenario.engine.fire(cid, trigger, self.actors[trigger], **data)
                change = store.saved[-1]
                c = change.complaint
                pending = [tm for tm in store.timers(cid) if tm.status is TimerStatus.PENDING]
                item.steps.append(
                    BaselineStep(
                        complaint={
                            "b_id": cid,
                            "b_state": c.state,
                            "b_updated_at": c.updated_at,
                            "b_version": c.version,
                        },
                        owner={"b_cid": cid},
                        timers=[row_of(t.timers, tm) for tm in pending],
                        events=[row_of(t.events, e) for e in change.events],
                    )
                )
            out.append(item)
        return out


_BASELINE_UPDATE = (
    update(t.complaints)
    .where(t.complaints.c.id == bindparam("b_id"))
    .values(state=bindparam("b_state"), updated_at=bindparam("b_updated_at"), version=bindparam("b_version"))
)
_BASELINE_DELETE = delete(t.timers).where(
    and_(t.timers.c.complaint_id == bindparam("b_cid"), t.timers.c.status == TimerStatus.PENDING.value)
)
_BASELINE_TIMERS = insert(t.timers)
_BASELINE_EVENTS = insert(t.events)


def baseline_setup(url: str, complaints: Sequence[BaselineComplaint]) -> None:
    """Store the baseline complaints' submissions (untimed)."""
    store = SqlStore(url)
    try:
        for item in complaints:
            store.save(item.submission)
    finally:
        store.close()


def baseline_run(engine: SqlEngine, complaints: Sequence[BaselineComplaint]) -> Callable[[], None]:
    """The timed part of the baseline: one transaction per transition."""
    steps = [step for item in complaints for step in item.steps]

    def run() -> None:
        for step in steps:
            with engine.begin() as conn:
                conn.execute(_BASELINE_UPDATE, step.complaint)
                conn.execute(_BASELINE_DELETE, step.owner)
                if step.timers:
                    conn.execute(_BASELINE_TIMERS, step.timers)
                conn.execute(_BASELINE_EVENTS, step.events)

    return run


@dataclass(frozen=True)
class RateResult:
    """(a) on one backend."""

    backend: str
    transitions: int
    ours: float
    baseline: float
    ours_statements: float
    """SQL statements per transition as SQLAlchemy sends them (an executemany counts once)."""
    baseline_statements: float

    @property
    def ours_rate(self) -> float:
        """sp4n's persisted transitions per second."""
        return self.transitions / self.ours

    @property
    def baseline_rate(self) -> float:
        """The baseline's transitions per second."""
        return self.transitions / self.baseline

    @property
    def ratio(self) -> float:
        """sp4n's rate over the baseline's."""
        return self.ours_rate / self.baseline_rate

    @property
    def passed(self) -> bool:
        """Whether sp4n reaches the target fraction of the baseline's rate."""
        return self.ratio >= RATE_TARGET


def count_statements(engine: SqlEngine, fn: Callable[[], None]) -> int:
    """How many statements ``fn`` sends through ``engine`` (not timed: the counter costs)."""
    count = 0

    def counter(*_args: Any) -> None:
        nonlocal count
        count += 1

    sqlalchemy.event.listen(engine, "before_cursor_execute", counter)
    try:
        fn()
    finally:
        sqlalchemy.event.remove(engine, "before_cursor_execute", counter)
    return count


def compare_rates(dbs: Databases, backend: str, sizes: Sizes, lifecycles: Lifecycles) -> RateResult:
    """(a) on one backend: alternating rounds of sp4n and the baseline, each on fresh complaints."""
    n = sizes.complaints
    ours_url, base_url = dbs.fresh(backend, "engine"), dbs.fresh(backend, "baseline")
    engine = open_engine(ours_url)
    base = baseline_engine(base_url)
    try:
        warm = submit_fresh(engine, 1, lifecycles.reporter)  # compiles the statements on both sides
        lifecycle(engine, warm, lifecycles.actors)()
        warm_rows = lifecycles.baseline_rows(1)
        baseline_setup(base_url, warm_rows)
        baseline_run(base, warm_rows)()
        ours = baseline = float("inf")
        for _ in range(sizes.rounds):
            ids = submit_fresh(engine, n, lifecycles.reporter)
            ours = min(ours, timed(lifecycle(engine, ids, lifecycles.actors)))
            rows = lifecycles.baseline_rows(n)
            baseline_setup(base_url, rows)
            baseline = min(baseline, timed(baseline_run(base, rows)))
        store_engine: SqlEngine = engine.store.engine  # type: ignore[attr-defined]
        probe = submit_fresh(engine, 5, lifecycles.reporter)
        ours_statements = count_statements(store_engine, lifecycle(engine, probe, lifecycles.actors))
        rows = lifecycles.baseline_rows(5)
        baseline_setup(base_url, rows)
        baseline_statements = count_statements(base, baseline_run(base, rows))
    finally:
        engine.close()
        base.dispose()
        dbs.discard(ours_url)
        dbs.discard(base_url)
    per = 5 * len(STEPS)
    return RateResult(backend, n * len(STEPS), ours, baseline, ours_statements / per, baseline_statements / per)


def memory_cost(sizes: Sizes, lifecycles: Lifecycles) -> float:
    """Seconds per transition of the same lifecycle on the memory store: the engine's own work,
    without a database (what bench_engine.py measures), for reference."""
    scenario = Scenario(sops=["national"])
    best = float("inf")
    for _ in range(sizes.rounds):
        ids = submit_fresh(scenario.engine, sizes.complaints, lifecycles.reporter)
        best = min(best, timed(lifecycle(scenario.engine, ids, lifecycles.actors)))
    return best / (sizes.complaints * len(STEPS))


# ---------------------------------------------------------------------------------- (b) bulk load

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
        self.start = naive_utc(scenario.engine.history(cid)[0].at)
        self.complaint = Shape(t.complaints, fmt)
        self.clock = Shape(t.clocks, fmt)
        self.event = Shape(t.events, fmt)
        self.timer = Shape(t.timers, fmt)
        self.events = [self.event.template(e) for e in scenario.engine.history(cid)]
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
        self.complaint_row = self.complaint.template(probe, last_seq=0, last_hash="", classification="pengaduan")
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
    outbox: int
    """Outbox rows the database wrote by itself (the schema's trigger on events), if any."""


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
        with engine.connect() as conn:
            outbox = int(conn.execute(select(sqlalchemy.func.count()).select_from(t.outbox)).scalar() or 0)
    finally:
        engine.dispose()
    return Loaded(url, count, rows, seconds, analyze, size, outbox)


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


# ---------------------------------------------------------------------------------- (b) plans


def hot_reads(cid: str) -> list[tuple[str, Any]]:
    """The store's hot reads, with the parameters to explain them with: its own statements
    (loading a complaint is one query with its clocks, or two), or the same built here."""
    from sp4n.persistence import sql as store_sql

    load = getattr(store_sql, "_LOAD_COMPLAINT", None)
    clocks = getattr(store_sql, "_LOAD_CLOCKS", None)
    if load is None:
        load = select(t.complaints).where(t.complaints.c.id == bindparam("cid"))
        clocks = select(t.clocks).where(t.clocks.c.complaint_id == bindparam("cid"))
    due = getattr(store_sql, "_DUE_TIMERS", None)
    if due is None:
        due = (
            select(t.timers)
            .where(and_(t.timers.c.status == TimerStatus.PENDING.value, t.timers.c.due_at <= bindparam("now")))
            .order_by(t.timers.c.due_at, t.timers.c.id)
            .limit(bindparam("lim"))
        )
    if clocks is None:
        reads = [("load a complaint and its clocks (one query)", load)]
    else:
        reads = [("load a complaint by id", load), ("... and its clocks", clocks)]
    out: list[tuple[str, Any]] = [(label, stmt.params(cid=cid)) for label, stmt in reads]
    out.append(("due timers (LIMIT 100)", due.params(now=NOW).limit(100)))
    return out


def explain(url: str, cid: str) -> list[tuple[str, str, list[str]]]:
    """(label, SQL, plan lines) of each hot read: EXPLAIN ANALYZE on PostgreSQL, EXPLAIN QUERY PLAN on SQLite."""
    engine = create_sql_engine(url)
    out = []
    try:
        with engine.connect() as conn:
            for label, stmt in hot_reads(cid):
                sql = str(stmt.compile(dialect=engine.dialect, compile_kwargs={"literal_binds": True}))
                sql = " ".join(sql.split())
                shown = re.sub(r"^SELECT .*? FROM ", f"SELECT <{len(stmt.selected_columns)} columns> FROM ", sql)
                if engine.dialect.name == "postgresql":
                    conn.execute(text(sql)).all()  # warm, as the hot path is
                    lines = [r[0] for r in conn.exec_driver_sql(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")]
                else:
                    lines = [f"{r[3]}" for r in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}")]
                out.append((label, shown, lines))
    finally:
        engine.dispose()
    return out


# ---------------------------------------------------------------------------------- (b) timing


@dataclass(frozen=True)
class ScaleResult:
    """(b) on one backend."""

    backend: str
    transitions: int
    small: Loaded
    large: Loaded
    small_time: float
    large_time: float
    plans: list[tuple[str, str, list[str]]]

    @property
    def ratio(self) -> float:
        """Cost per transition with the larger table over the cost with the smaller."""
        return self.large_time / self.small_time

    @property
    def passed(self) -> bool:
        """Whether the larger table costs at most the target multiple."""
        return self.ratio <= SCALE_TARGET


def compare_scales(dbs: Databases, backend: str, sizes: Sizes, lifecycles: Lifecycles, seed: int) -> ScaleResult:
    """(b) on one backend: bulk-load both sizes, then alternate timed rounds between them."""
    urls: list[str] = []
    engines: list[Engine] = []
    try:
        loaded = []
        for label, count in (("small", sizes.small), ("large", sizes.large)):
            url = dbs.fresh(backend, label)
            urls.append(url)
            loaded.append(bulk_load(url, count, sizes, lifecycles, seed))
        engines = [open_engine(x.url) for x in loaded]
        for engine in engines:
            lifecycle(engine, submit_fresh(engine, 1, lifecycles.reporter), lifecycles.actors)()
        best = [float("inf"), float("inf")]
        for _ in range(sizes.scale_rounds):
            for k, engine in enumerate(engines):
                ids = submit_fresh(engine, sizes.scale_complaints, lifecycles.reporter)
                best[k] = min(best[k], timed(lifecycle(engine, ids, lifecycles.actors)))
        for engine in engines:
            engine.close()
        engines = []
        plans = explain(loaded[1].url, complaint_id(sizes.large // 2, sizes.large))
    finally:
        for engine in engines:
            engine.close()
        for url in urls:
            dbs.discard(url)
    n = sizes.scale_complaints * len(STEPS)
    return ScaleResult(backend, n, loaded[0], loaded[1], best[0] / n, best[1] / n, plans)


# ---------------------------------------------------------------------------------- report


def rate_table(results: Sequence[RateResult], memory: float) -> list[str]:
    """(a): one line per backend, then the cost per transition and the statements each sends."""
    lines = [f"{'backend':11s} {'sp4n Engine.fire':>17s} {'raw Core':>13s} {'ratio':>7s}  {'target':8s} result"]
    for r in results:
        lines.append(
            f"{r.backend:11s} {r.ours_rate:15,.0f}/s {r.baseline_rate:11,.0f}/s {r.ratio:6.2f}x  "
            f">= {RATE_TARGET:g}x  {'PASS' if r.passed else 'FAIL'}"
        )
    for r in results:
        lines.append(
            f"  {r.backend}: per transition sp4n {r.ours / r.transitions * 1e6:,.0f} us "
            f"({r.ours_statements:.1f} statements), raw Core {r.baseline / r.transitions * 1e6:,.0f} us "
            f"({r.baseline_statements:.1f} statements)"
        )
    lines.append(f"  for reference, sp4n Engine.fire on the memory store (no database): {memory * 1e6:,.0f} us")
    return lines


def scale_table(results: Sequence[ScaleResult]) -> list[str]:
    """(b): one line per backend, then how the loads went."""
    if not results:
        return []
    small, large = results[0].small.complaints, results[0].large.complaints
    a, b = f"{small:,} stored", f"{large:,} stored"
    lines = [f"{'backend':11s} {a:>17s} {b:>17s} {'ratio':>7s}  {'target':8s} result"]
    for r in results:
        lines.append(
            f"{r.backend:11s} {r.small_time * 1e6:14,.0f} us {r.large_time * 1e6:14,.0f} us {r.ratio:6.2f}x  "
            f"<= {SCALE_TARGET:g}x  {'PASS' if r.passed else 'FAIL'}"
        )
    for r in results:
        analyze = "VACUUM ANALYZE" if r.backend == "postgresql" else "ANALYZE"
        for x in (r.small, r.large):
            counts = ", ".join(f"{v:,} {k}" for k, v in x.rows.items())
            lines.append(
                f"  {r.backend} load: {counts} in {x.seconds:.1f} s ({sum(x.rows.values()) / x.seconds:,.0f} rows/s), "
                f"{analyze} {x.analyze_seconds:.1f} s, {x.size / 2**20:,.0f} MiB"
                + (f" (with {x.outbox:,} outbox rows written by the database's trigger)" if x.outbox else "")
            )
    return lines


def plan_lines(results: Sequence[ScaleResult]) -> list[str]:
    """The query plans of the hot reads at the larger size."""
    lines = []
    for r in results:
        kind = "EXPLAIN (ANALYZE, BUFFERS)" if r.backend == "postgresql" else "EXPLAIN QUERY PLAN"
        lines.append(f"{r.backend}, {r.large.complaints:,} complaints stored, {kind}:")
        for label, sql, plan in r.plans:
            lines.append(f"  {label}: {sql}")
            lines.extend(f"    {line}" for line in plan)
    return lines


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """The benchmark's options."""
    parser = argparse.ArgumentParser(prog="bench_store", description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="small sizes (for the test suite): 1,000 vs 20,000")
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    parser.add_argument(
        "--postgres",
        metavar="URL",
        default=os.environ.get(POSTGRES_ENV) or None,
        help=f"also benchmark this PostgreSQL database (default: ${POSTGRES_ENV}); schemas are created and dropped",
    )
    parser.add_argument("--large", type=int, default=None, help="complaints in the larger database of (b)")
    parser.add_argument("--no-sqlite-scale", action="store_true", help="skip (b) on SQLite")
    parser.add_argument("--seed", type=int, default=2026, help="seed of the bulk-loaded rows")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Run (a) and (b) on every backend, print the tables and plans; 1 on a missed target with --check."""
    args = parse_args(argv)
    sizes = QUICK if args.quick else FULL
    if args.large is not None:
        sizes = dataclasses.replace(sizes, large=args.large)
    started = time.perf_counter()
    dbs = Databases(args.postgres)
    try:
        return run(args, sizes, dbs, started)
    except Sp4nError as exc:
        print(f"bench_store: error: {exc}", file=sys.stderr)
        return 2
    finally:
        dbs.close()


def run(args: argparse.Namespace, sizes: Sizes, dbs: Databases, started: float) -> int:
    """The body of :func:`main`."""
    versions = [
        f"Python {platform.python_version()}",
        f"SQLAlchemy {sqlalchemy.__version__}",
        f"SQLite {sqlite3.sqlite_version}",
        f"{os.cpu_count()} CPUs",
    ]
    if args.postgres:
        import psycopg

        versions.append(f"PostgreSQL {server_version(args.postgres)} (psycopg {psycopg.__version__})")
    print(f"sp4n store benchmark: national SOP lifecycle ({', '.join(s for s, _ in STEPS)}); {', '.join(versions)}")
    if not args.postgres:
        print(f"PostgreSQL skipped: no --postgres URL (or ${POSTGRES_ENV})", flush=True)
    lifecycles = Lifecycles()

    print()
    print(
        f"(a) persisted transitions per second, {'quick run, ' if args.quick else ''}"
        f"{sizes.complaints} fresh complaints x {len(STEPS)} transitions, best of {sizes.rounds}",
        flush=True,
    )
    rates = [compare_rates(dbs, backend, sizes, lifecycles) for backend in dbs.backends()]
    for line in rate_table(rates, memory_cost(sizes, lifecycles)):
        print(line)

    backends = [b for b in dbs.backends() if not (b == "sqlite" and args.no_sqlite_scale)]
    print()
    print(
        f"(b) cost per transition with {sizes.small:,} and {sizes.large:,} complaints stored, "
        f"{sizes.scale_complaints} fresh complaints x {len(STEPS)} transitions, best of {sizes.scale_rounds}",
        flush=True,
    )
    scales = []
    for backend in backends:
        scales.append(compare_scales(dbs, backend, sizes, lifecycles, args.seed))
    for line in scale_table(scales):
        print(line)
    print()
    for line in plan_lines(scales):
        print(line)

    results: list[bool] = [r.passed for r in rates] + [r.passed for r in scales]
    missed = results.count(False)
    print()
    print("all targets met" if not missed else f"{missed} of {len(results)} targets missed")
    print(f"total time {time.perf_counter() - started:.0f} s")
    return 1 if args.check and missed else 0


if __name__ == "__main__":
    sys.exit(main())
