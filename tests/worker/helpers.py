"""Shared helpers of the worker tests: ``sp4n worker`` processes, bulk complaints, database reads.

Every wait here is bounded, every process is waited for (and killed first when a test fails),
and every engine and database handle is closed, so the suite runs clean under ``-W error``.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from datetime import time as day_time
from pathlib import Path
from typing import IO, Any, TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from sp4n.clock import SystemClock
from sp4n.persistence import tables as t
from sp4n.persistence.records import Timer, TimerStatus
from sp4n.persistence.sql import create_sql_engine, open_store
from sp4n.testing import ManualClock
from sp4n.workflow import Actor, Engine

T = TypeVar("T")

WAIT = 120.0
"""The longest any one wait of these tests may take, in seconds."""

STOP_WAIT = 30.0
"""How long a worker may take to exit after SIGTERM or SIGINT."""

FIRING_KINDS = ("deadline", "deadline_transition", "deadline_missed")
"""Event kinds written when a timer is processed (emitted, fired, missed)."""

WIB = ZoneInfo("Asia/Jakarta")
AGENCY = "dinas_kesehatan"
REPORTER = Actor.reporter("warga-1", name="Warga Satu")
NATIONAL = Actor.national_admin("admin-nasional")
LIAISON = Actor.liaison_officer("penghubung-dinkes", AGENCY)


def exactly(message: str) -> str:
    """A pattern for pytest.raises(match=...) that matches ``message`` and nothing else."""
    return f"^{re.escape(message)}$"


def end_of(day: date, zone: ZoneInfo = WIB) -> datetime:
    """The end of a local day (where day-based deadlines fall): the next midnight."""
    return datetime.combine(day + timedelta(days=1), day_time(0), zone)


def wall_now() -> datetime:
    """The real time (the only wall-clock reader is sp4n.clock)."""
    return SystemClock().now()


def past_clock(days: float = 30) -> ManualClock:
    """A ManualClock ``days`` before the real now: timers armed on it are overdue for a real worker."""
    return ManualClock(wall_now() - timedelta(days=days))


def upgraded(url: str) -> str:
    """``url`` with the sp4n schema created (as ``sp4n db upgrade`` does)."""
    open_store(url, upgrade=True).close()
    return url


@contextmanager
def engine_on(url: str, clock: Any = None, **options: Any) -> Iterator[Engine]:
    """An Engine with the national SOP on ``url``, closed afterwards."""
    engine = Engine(sops=["national"], database_url=url, clock=clock, **options)
    try:
        yield engine
    finally:
        engine.close()


def submit_many(engine: Engine, count: int, *, threads: int = 4, prefix: str = "Jalan rusak") -> list[str]:
    """Submit ``count`` complaints as REPORTER, from ``threads`` threads; returns their ids.

    The first one is submitted alone, so that the SOP and calendar versions are stored once,
    before the threads start.
    """
    ids = [engine.submit(REPORTER, title=f"{prefix} 0").id]
    if count > 1:
        with ThreadPoolExecutor(threads) as pool:
            ids += [v.id for v in pool.map(lambda i: engine.submit(REPORTER, title=f"{prefix} {i}"), range(1, count))]
    return ids


def to_distributed(engine: Engine, cid: str, classification: str = "aspirasi") -> None:
    """Verify and distribute a received complaint to AGENCY."""
    engine.fire(cid, "verify", NATIONAL, classification=classification, category="kesehatan")
    engine.fire(cid, "distribute", NATIONAL, agency=AGENCY)


def to_followed_up(engine: Engine, cid: str) -> None:
    """Verify, distribute and follow up a received complaint."""
    to_distributed(engine, cid)
    engine.fire(cid, "follow_up", LIAISON, response="Sudah diperbaiki")


def wait_until(predicate: Callable[[], T], what: str, timeout: float = WAIT, interval: float = 0.2) -> T:
    """Poll ``predicate`` until it returns something true; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(interval)


# ----------------------------------------------------------------------------- database reads


@dataclass(frozen=True)
class FiringEvent:
    """An event written when a timer was processed."""

    complaint_id: str
    seq: int
    at: datetime
    kind: str
    trigger: str | None
    payload: dict[str, Any]

    @property
    def timer(self) -> str:
        return str(self.payload["timer"])

    @property
    def due_at(self) -> datetime:
        return datetime.fromisoformat(self.payload["due_at"])


class Db:
    """Reads sp4n's tables directly, as an operator would (one small connection pool)."""

    def __init__(self, url: str) -> None:
        self.engine = create_sql_engine(url)

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Db:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def timers(self) -> list[Timer]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(t.timers).order_by(t.timers.c.due_at, t.timers.c.priority, t.timers.c.id))
            return [
                Timer(
                    id=r.id,
                    complaint_id=r.complaint_id,
                    clock=r.clock,
                    generation=r.generation,
                    rung=r.rung,
                    due_at=r.due_at,
                    priority=r.priority,
                    status=TimerStatus(r.status),
                    closed_at=r.closed_at,
                    lateness_seconds=r.lateness_seconds,
                    lease_owner=r.lease_owner,
                    lease_expires=r.lease_expires,
                )
                for r in rows
            ]

    def count_timers(self, status: TimerStatus, due_by: datetime | None = None) -> int:
        query = select(func.count()).select_from(t.timers).where(t.timers.c.status == status.value)
        if due_by is not None:
            query = query.where(t.timers.c.due_at <= due_by)
        with self.engine.connect() as conn:
            return int(conn.execute(query).scalar_one())

    def pending_timers_unlocked(self) -> bool:
        """Whether no transaction holds a pending timer (PostgreSQL): after a worker is killed, its
        backend may still be committing the firing at hand, and a snapshot taken before that
        commit would count as pending a timer that ends up fired."""
        query = select(t.timers.c.id).where(t.timers.c.status == TimerStatus.PENDING.value).with_for_update(nowait=True)
        try:
            with self.engine.begin() as conn:
                conn.execute(query).all()
        except OperationalError:
            return False
        return True

    def firing_events(self) -> list[FiringEvent]:
        """Every event of a processed timer, in the order they were written (by ``at``)."""
        e = t.events
        query = select(e.c.complaint_id, e.c.seq, e.c.at, e.c.kind, e.c.trigger, e.c.payload).where(
            e.c.kind.in_(FIRING_KINDS)
        )
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        events = [FiringEvent(r.complaint_id, r.seq, r.at, r.kind, r.trigger, dict(r.payload)) for r in rows]
        return sorted(events, key=lambda ev: (ev.at, ev.complaint_id, ev.seq))

    def complaint_states(self) -> dict[str, str]:
        with self.engine.connect() as conn:
            return {r.id: r.state for r in conn.execute(select(t.complaints.c.id, t.complaints.c.state))}

    def states(self) -> Counter[str]:
        with self.engine.connect() as conn:
            return Counter(r.state for r in conn.execute(select(t.complaints.c.state)))


def firings_per_timer(events: list[FiringEvent]) -> Counter[str]:
    """How many events each timer id has."""
    return Counter(ev.timer for ev in events)


# ----------------------------------------------------------------------------- worker processes

_FIRING_LINE = re.compile(
    r" INFO sp4n\.worker: (?P<outcome>fired|emitted|stale|missed|failed) (?P<trigger>\S*) "
    r"(?P<clock>[^/\s]+)/(?P<rung>\S+) of (?P<complaint>\S+?)(?:, (?P<late>\d+) s late)?$"
)
_STARTED_LINE = re.compile(r"sp4n\.worker: worker (?P<owner>\S+) started \(batch (?P<batch>\d+)")


@dataclass(frozen=True)
class LoggedFiring:
    """One line a worker logged for a processed timer."""

    outcome: str
    trigger: str
    clock: str
    rung: str
    complaint_id: str
    late: int | None

    @property
    def timer_key(self) -> tuple[str, str, str]:
        return (self.complaint_id, self.clock, self.rung)


class WorkerProcess:
    """One ``python -m sp4n.cli worker`` process, logging to a file."""

    def __init__(self, url: str, log_path: Path, *options: str) -> None:
        self.log_path = log_path
        self._log: IO[bytes] = log_path.open("wb")
        env = dict(os.environ, PYTHONWARNINGS="error")
        command = [sys.executable, "-m", "sp4n.cli", "worker", "--url", url, *options]
        try:
            self.process = subprocess.Popen(
                command, stdout=self._log, stderr=subprocess.STDOUT, cwd=log_path.parent, env=env
            )
        except BaseException:
            self._log.close()
            raise

    @property
    def pid(self) -> int:
        return self.process.pid

    @property
    def returncode(self) -> int | None:
        return self.process.poll()

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def lines(self) -> list[str]:
        return self.log().splitlines()

    def wait_started(self, timeout: float = 60.0) -> str:
        """Wait for the "started" line; returns the worker's owner id (its lease_owner)."""

        def started() -> str | None:
            if self.process.poll() is not None:
                raise AssertionError(f"worker exited with {self.process.returncode} before starting:\n{self.log()}")
            match = _STARTED_LINE.search(self.log())
            return match.group("owner") if match else None

        return wait_until(started, f"worker {self.pid} to start", timeout)

    @property
    def owner(self) -> str:
        match = _STARTED_LINE.search(self.log())
        assert match, f"no 'started' line in the log of worker {self.pid}"
        return match.group("owner")

    def firings(self) -> list[LoggedFiring]:
        out = []
        for line in self.lines():
            match = _FIRING_LINE.search(line)
            if match:
                late = match.group("late")
                out.append(
                    LoggedFiring(
                        match.group("outcome"),
                        match.group("trigger"),
                        match.group("clock"),
                        match.group("rung"),
                        match.group("complaint"),
                        int(late) if late is not None else None,
                    )
                )
        return out

    def problems(self, levels: tuple[str, ...] = ("ERROR", "CRITICAL")) -> list[str]:
        """Log lines at the given levels, and tracebacks."""
        return [ln for ln in self.lines() if any(f" {lv} " in ln for lv in levels) or ln.startswith("Traceback")]

    def stop(self, sig: int = signal.SIGTERM, timeout: float = STOP_WAIT) -> int:
        """Send ``sig`` and wait for the exit code (bounded)."""
        if self.process.poll() is None:
            self.process.send_signal(sig)
        return self.process.wait(timeout=timeout)

    def kill(self) -> int:
        """SIGKILL, then wait (bounded)."""
        if self.process.poll() is None:
            self.process.kill()
        return self.process.wait(timeout=STOP_WAIT)

    def close(self) -> None:
        """Never leave the process running nor its log file open."""
        try:
            if self.process.poll() is None:
                self.process.kill()
            self.process.wait(timeout=STOP_WAIT)
        finally:
            self._log.close()


class WorkerGroup:
    """Worker processes of one test; every one is reaped when the group closes."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.workers: list[WorkerProcess] = []

    def start(self, url: str, *options: str, name: str | None = None) -> WorkerProcess:
        name = name or f"worker-{len(self.workers)}"
        worker = WorkerProcess(url, self.directory / f"{name}.log", *options)
        self.workers.append(worker)
        return worker

    def close(self) -> None:
        errors = []
        for worker in self.workers:
            try:
                worker.close()
            except Exception as exc:  # keep reaping the others
                errors.append(exc)
        if errors:
            raise errors[0]


@contextmanager
def worker_group(directory: Path) -> Iterator[WorkerGroup]:
    group = WorkerGroup(directory)
    try:
        yield group
    finally:
        group.close()


def zombie_children() -> list[int]:
    """Pids of this process's children that exited but were not waited for."""
    out = []
    me = os.getpid()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # pid (comm) state ppid ...: comm may hold spaces and parentheses, so split after the last ')'
        state, ppid = stat.rsplit(")", 1)[1].split()[:2]
        if state == "Z" and int(ppid) == me:
            out.append(int(entry.name))
    return out
