"""(a) of the store benchmark: persisted transitions per second, sp4n against raw SQLAlchemy Core."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy
from sqlalchemy import Engine as SqlEngine
from sqlalchemy import and_, bindparam, delete, insert, update

from sp4n.persistence import tables as t
from sp4n.persistence.records import TimerStatus
from sp4n.persistence.sql import SqlStore
from sp4n.testing import Scenario

from lifecycle import STEPS, timed
from store_setup import (
    BaselineComplaint,
    Databases,
    Lifecycles,
    Sizes,
    baseline_engine,
    lifecycle,
    open_engine,
    submit_fresh,
)

RATE_TARGET = 0.5
"""(a): sp4n's persisted transitions per second at least this fraction of raw Core's."""

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
    """SQL statements per transition the driver runs (see :func:`count_statements`)."""
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


def count_statements(engines: Sequence[SqlEngine], fn: Callable[[], None]) -> int:
    """How many statements ``fn`` has the driver run on connections of ``engines`` (not timed: the
    counter costs). Counted below SQLAlchemy, since sp4n's hot path runs on the driver connection:
    on SQLite every statement SQLite runs for the client, BEGIN and COMMIT included (not the
    trigger's); on PostgreSQL every statement psycopg is given (not the BEGIN and COMMIT it sends
    itself). An executemany counts once per row."""
    count = 0

    def counted(*_args: Any) -> None:
        nonlocal count
        count += 1

    def trace(statement: str) -> None:
        if not statement.startswith("--"):  # "-- TRIGGER ..." lines are the trigger's body
            counted()

    factories: dict[int, Any] = {}

    def counting(base: Any) -> Any:
        class CountingCursor(base):  # type: ignore[misc, valid-type]
            def execute(self, *args: Any, **kwargs: Any) -> Any:
                counted()
                return super().execute(*args, **kwargs)

            def executemany(self, query: Any, params_seq: Any, **kwargs: Any) -> None:
                rows = list(params_seq)
                for _ in rows:
                    counted()
                super().executemany(query, rows, **kwargs)

        return CountingCursor

    def checkout(dbapi_connection: Any, *_args: Any) -> None:
        if isinstance(dbapi_connection, sqlite3.Connection):
            dbapi_connection.set_trace_callback(trace)
        else:
            factories[id(dbapi_connection)] = dbapi_connection.cursor_factory
            dbapi_connection.cursor_factory = counting(dbapi_connection.cursor_factory)

    def checkin(dbapi_connection: Any, *_args: Any) -> None:
        if isinstance(dbapi_connection, sqlite3.Connection):
            dbapi_connection.set_trace_callback(None)
        elif id(dbapi_connection) in factories:
            dbapi_connection.cursor_factory = factories.pop(id(dbapi_connection))

    pools = {id(e.pool): e.pool for e in engines}.values()
    for pool in pools:
        sqlalchemy.event.listen(pool, "checkout", checkout)
        sqlalchemy.event.listen(pool, "checkin", checkin)
    try:
        fn()
    finally:
        for pool in pools:
            sqlalchemy.event.remove(pool, "checkout", checkout)
            sqlalchemy.event.remove(pool, "checkin", checkin)
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
        store = engine.store
        store_engines: list[SqlEngine] = [store.engine, store._reads]  # type: ignore[attr-defined]
        probe = submit_fresh(engine, 5, lifecycles.reporter)
        ours_statements = count_statements(store_engines, lifecycle(engine, probe, lifecycles.actors))
        rows = lifecycles.baseline_rows(5)
        baseline_setup(base_url, rows)
        baseline_statements = count_statements([base], baseline_run(base, rows))
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
