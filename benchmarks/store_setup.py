"""The store benchmark's setup: how much it does, the databases it makes, and the lifecycle it runs
(on the engine, and recorded on the memory store for the raw baseline)."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

import sqlalchemy
from sqlalchemy import Engine as SqlEngine
from sqlalchemy import Table, text
from sqlalchemy.engine import make_url

from sp4n.persistence import tables as t
from sp4n.persistence.base import ChangeSet
from sp4n.persistence.memory import MemoryStore
from sp4n.persistence.migrate import upgrade
from sp4n.persistence.records import TimerStatus
from sp4n.persistence.sql import create_sql_engine
from sp4n.testing import DEFAULT_START, ManualClock, Scenario
from sp4n.testing.postgres import postgres_schema
from sp4n.workflow import Actor, Engine

from lifecycle import DESCRIPTION, STEPS


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


def plain(value: Any) -> Any:
    """A record's value as a column takes it (enums by value)."""
    return value.value if isinstance(value, Enum) else value


def row_of(table: Table, record: Any, **values: Any) -> dict[str, Any]:
    """A row of ``table`` from a record's attributes of the same names, then ``values``."""
    row = {c.name: plain(getattr(record, c.name, None)) for c in table.columns}
    row.update(values)
    return row


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
