"""Shared fixtures and helpers of the persistence tests: the backends, table dumps, worker processes.

The fixtures are defined under explicit names (``store``, ``db_url``, ``empty_url``) and imported
into the test modules by their function names, so a test's argument never shadows an import.
Worker functions live here, at module level, so processes started with ``spawn`` can import them.
"""

from __future__ import annotations

import itertools
import multiprocessing
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine as SqlEngine
from sqlalchemy import select

from sp4n.persistence import Complaint, MemoryStore, Store
from sp4n.persistence import tables as t
from sp4n.persistence.sql import SqlStore, create_sql_engine, open_store
from sp4n.testing import ManualClock, Scenario
from sp4n.workflow import Actor

START = "2026-03-02T09:00:00+07:00"
"""Monday 2 March 2026, 09:00 WIB: a plain working week."""

AGENCY = "dinas_kesehatan"
ADMIN = Actor.national_admin("admin-nasional")
VERIFY = {"classification": "pengaduan", "category": "kesehatan"}
"""The data of a verify command."""

BACKENDS = ["memory", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
SQL_BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]

T0 = datetime(2026, 3, 2, 2, 0, 0, 123456, tzinfo=UTC)
"""An instant of the store tests: Monday 2 March 2026, 09:00:00.123456 WIB."""


def full_complaint(cid: str = "k1", submitted_at: datetime = T0) -> Complaint:
    """A complaint with every field set to something other than its default."""
    return Complaint(
        id=cid,
        tracking_number=f"SP4N-20260302-{cid.upper()}",
        sop_id="national",
        sop_version="0123456789abcdef",
        state="distributed",
        zone="Asia/Makassar",
        submitted_at=submitted_at,
        updated_at=submitted_at + timedelta(hours=3, microseconds=1),
        title="Jalan rusak — Désa Sukamaju",
        description='Lubang besar\ndi depan SD Negeri 3 "Harapan"',
        channel="whatsapp",
        classification="pengaduan",
        category="infrastruktur",
        reporter_id="warga-7",
        reporter_name="Siti Nurhaliza",
        anonymous=True,
        confidential=True,
        agency="dinas_pu",
        unit="bidang_jalan",
        official="kepala_dinas",
        attributes={"kecamatan": "Cibeunying Kaler", "rt": "003", "catatan": "ñ ü 日本"},
        version=1,
    )


PROCESS_TIMEOUT = 60.0
"""Seconds a test waits for a worker process (start-up included) before it gives up on it."""


def backend_url(request: pytest.FixtureRequest, backend: str) -> str:
    """A URL of a fresh, empty database of ``backend`` ("sqlite" or "postgres")."""
    fixture = "sqlite_url" if backend == "sqlite" else "postgres_schema_url"
    return str(request.getfixturevalue(fixture))


@pytest.fixture(name="store", params=BACKENDS)
def store_fixture(request: pytest.FixtureRequest) -> Iterator[Store]:
    """A store of each kind: in memory, on a SQLite file, on a fresh PostgreSQL schema."""
    if request.param == "memory":
        yield MemoryStore()
        return
    store = open_store(backend_url(request, request.param), upgrade=True)
    try:
        yield store
    finally:
        store.close()


@pytest.fixture(name="db_url", params=SQL_BACKENDS)
def db_url_fixture(request: pytest.FixtureRequest) -> str:
    """The URL of a SQLite file or a PostgreSQL schema, upgraded to the current schema."""
    url = backend_url(request, request.param)
    open_store(url, upgrade=True).close()
    return url


@pytest.fixture(name="empty_url", params=SQL_BACKENDS)
def empty_url_fixture(request: pytest.FixtureRequest) -> str:
    """The URL of a SQLite file that does not exist yet or of an empty PostgreSQL schema."""
    return backend_url(request, request.param)


def counter_ids(prefix: str = "c") -> Callable[[], str]:
    """An id factory giving c1, c2, ...: ids (and so hashes) do not depend on chance."""
    counter = itertools.count(1)
    return lambda: f"{prefix}{next(counter)}"


def scenario(store: Store, **options: Any) -> Scenario:
    """A national-SOP scenario on ``store`` with predictable complaint ids."""
    options.setdefault("sops", ["national"])
    options.setdefault("start", START)
    options.setdefault("id_factory", counter_ids())
    return Scenario(store=store, **options)


@contextmanager
def scenario_on(url: str, **options: Any) -> Iterator[Scenario]:
    """A scenario on a SqlStore of ``url`` (already upgraded), closed afterwards."""
    s = scenario(open_store(url), **options)
    try:
        yield s
    finally:
        s.engine.close()


@contextmanager
def sql_engine(url: str) -> Iterator[SqlEngine]:
    """A plain SQLAlchemy engine on ``url`` (as sp4n sets it up), disposed afterwards."""
    engine = create_sql_engine(url)
    try:
        yield engine
    finally:
        engine.dispose()


Dump = dict[str, list[tuple[Any, ...]]]


def dump(store: Store | str) -> Dump:
    """Every row of every sp4n table, in primary-key order: "nothing changed" is dump equality."""
    if isinstance(store, str):
        with sql_engine(store) as engine:
            return _dump(engine)
    assert isinstance(store, SqlStore)
    return _dump(store.engine)


def _dump(engine: SqlEngine) -> Dump:
    with engine.connect() as conn:
        return {
            table.name: [tuple(row) for row in conn.execute(select(table).order_by(*table.primary_key.columns))]
            for table in t.metadata.sorted_tables
        }


def utc_datetimes(obj: object) -> list[datetime]:
    """Every datetime attribute of a record, each checked to be aware and in UTC."""
    values = [v for v in vars(obj).values() if isinstance(v, datetime)]
    for value in values:
        assert value.tzinfo is UTC, f"{obj!r}: {value!r} is not in UTC"
    return values


# ----------------------------------------------------------------------------- worker processes


class ProcessGroup:
    """Worker processes started with ``spawn`` (or ``method``), each reporting to one queue; never left running."""

    def __init__(self, method: str = "spawn") -> None:
        self.ctx = multiprocessing.get_context(method)
        self.results = self.ctx.Queue()
        self.processes: list[Any] = []

    def start(self, target: Callable[..., None], *args: Any) -> None:
        process = self.ctx.Process(target=target, args=(*args, self.results), daemon=True)
        process.start()
        self.processes.append(process)

    def collect(self, count: int, timeout: float = PROCESS_TIMEOUT) -> list[Any]:
        """``count`` reports, waiting at most ``timeout`` seconds in all."""
        deadline = time.monotonic() + timeout
        reports = []
        for _ in range(count):
            reports.append(self.results.get(timeout=max(0.1, deadline - time.monotonic())))
        return reports

    def close(self) -> None:
        """Join every process (bounded), terminating any still alive, and release the queue."""
        for process in self.processes:
            process.join(timeout=PROCESS_TIMEOUT)
            if process.is_alive():
                process.terminate()
                process.join(timeout=10)
            if process.is_alive():
                process.kill()
                process.join(timeout=10)
        alive = [p.pid for p in self.processes if p.is_alive()]
        exit_codes = [p.exitcode for p in self.processes]
        for process in self.processes:
            with suppress(ValueError):
                process.close()
        self.results.close()
        self.results.join_thread()
        assert alive == [], f"worker processes still alive: {alive}"
        assert exit_codes == [0] * len(exit_codes), f"worker exit codes: {exit_codes}"


@contextmanager
def process_group(method: str = "spawn") -> Iterator[ProcessGroup]:
    group = ProcessGroup(method)
    try:
        yield group
    finally:
        group.close()


def _worker_engine(url: str) -> Any:
    from sp4n.workflow import Engine

    return Engine(sops=["national"], database_url=url, clock=ManualClock("2026-03-03T09:00:00+07:00"))


def race_fire(url: str, complaint_id: str, trigger: str, data: dict[str, Any], barrier: Any, results: Any) -> None:
    """Fire ``trigger`` as a national admin; both racers load the complaint before either saves."""

    engine = _worker_engine(url)
    try:
        real_save = engine.store.save

        def save(change: Any) -> None:
            barrier.wait(timeout=PROCESS_TIMEOUT)  # the other process has loaded version 1 too
            real_save(change)

        engine.store.save = save
        try:
            view = engine.fire(complaint_id, trigger, Actor.national_admin(f"admin-{trigger}"), **data)
            results.put((trigger, "ok", view.state))
        except Exception as exc:
            results.put((trigger, type(exc).__name__, str(exc)))
    finally:
        engine.close()


def extend_many(url: str, complaint_id: str, name: str, count: int, barrier: Any, results: Any) -> None:
    """Extend the completion clock ``count`` times by one working day, retrying lost races."""
    from sp4n.errors import ConcurrencyConflict
    from sp4n.workflow.retry import retry_on_conflict

    engine = _worker_engine(url)
    conflicts = 0
    real_save = engine.store.save

    def save(change: Any) -> None:
        nonlocal conflicts
        try:
            real_save(change)
        except ConcurrencyConflict:
            conflicts += 1
            raise

    engine.store.save = save
    try:
        barrier.wait(timeout=PROCESS_TIMEOUT)
        actor = Actor.agency_admin(f"admin-{name}", AGENCY)
        done = 0
        for i in range(count):
            retry_on_conflict(
                lambda i=i: engine.fire(complaint_id, "extend", actor, extend_by="1 working day", reason=f"{name}-{i}"),
                attempts=50,
            )
            done += 1
        results.put((name, done, conflicts, ""))
    except Exception as exc:
        results.put((name, -1, conflicts, f"{type(exc).__name__}: {exc}"))
    finally:
        engine.close()


def deliver_all(url: str, name: str, hold: float, barrier: Any, results: Any) -> None:
    """Deliver the feed's consumer ``sms`` two events at a time until nothing is left; report
    every delivery (event id, deliverer, start and end of the handler's call)."""
    engine = _worker_engine(url)
    deliveries: list[tuple[str, str, int, int]] = []

    def handler(item: Any) -> None:
        started = time.monotonic_ns()
        time.sleep(hold)
        deliveries.append((item.id, name, started, time.monotonic_ns()))

    try:
        barrier.wait(timeout=PROCESS_TIMEOUT)
        deliver_until_empty(engine, handler, name)
        results.put((name, deliveries, ""))
    except Exception as exc:
        results.put((name, deliveries, f"{type(exc).__name__}: {exc}"))
    finally:
        engine.close()


def deliver_until_empty(engine: Any, handler: Callable[[Any], None], owner: str, limit: int = 2) -> None:
    """Deliver to the consumer ``sms`` as ``owner`` until a round finds nothing to claim
    (bounded: at most 1000 rounds)."""
    for _ in range(1000):
        result = engine.feed.deliver("sms", handler, limit, owner=owner)
        if result.delivered + result.failed == 0:
            return
    raise AssertionError("the feed never emptied")


def overlapping(deliveries: list[tuple[str, str, int, int]]) -> list[tuple[Any, ...]]:
    """Pairs of deliveries of one item by two drainers whose handler calls overlapped in time."""
    found = []
    for a, b in itertools.combinations(deliveries, 2):
        if a[0] == b[0] and a[1] != b[1] and a[2] < b[3] and b[2] < a[3]:
            found.append((a, b))
    return found


class Gate:
    """Makes the first save of each of two stores wait until both have computed their change."""

    def __init__(self, parties: int = 2) -> None:
        self.barrier = threading.Barrier(parties, timeout=30)

    def install(self, monkeypatch: pytest.MonkeyPatch, store: Store) -> list[str]:
        """Wrap ``store.save``; returns the list of outcomes of every save through it."""
        real_save = store.save
        outcomes: list[str] = []

        def save(change: Any) -> None:
            if not outcomes:
                self.barrier.wait()
            try:
                real_save(change)
            except Exception as exc:
                outcomes.append(type(exc).__name__)
                raise
            outcomes.append("saved")

        monkeypatch.setattr(store, "save", save)
        return outcomes


@contextmanager
def tracked_engines(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[SqlEngine]]:
    """Every SQLAlchemy engine sp4n creates meanwhile (disposed at the end, whatever sp4n did).

    A store that fails to open must release what it opened: ``engine.pool.checkedin()`` is 0
    once an engine is disposed, and counts the pooled connections of one that was not.
    """
    from sp4n.persistence import sql

    made: list[SqlEngine] = []
    real = sql.create_sql_engine

    def track(url: str) -> SqlEngine:
        engine = real(url)
        made.append(engine)
        return engine

    monkeypatch.setattr(sql, "create_sql_engine", track)
    try:
        yield made
    finally:
        monkeypatch.setattr(sql, "create_sql_engine", real)
        for engine in made:
            engine.dispose()
