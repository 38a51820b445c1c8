"""The deadline worker: fires due timers, exactly once, across processes and after downtime.

The truth is sp4n's timer table; APScheduler 3 only wakes the worker up: an interval job sweeps
every few seconds, and a one-shot job is set for the next due instant. (APScheduler 3 job stores
must never be shared between processes, so none is: each worker keeps its two jobs in memory.)

A sweep leases a batch of due timers (``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so workers take
disjoint batches), then fires each in its own transaction through the engine, which re-checks the
clock's generation: a timer whose clock moved on is closed as stale. A worker that dies leaves
its leases to expire; another worker then takes those timers, and since firing requires the
timer to be still pending, none fires twice.
"""

from __future__ import annotations

import logging
import threading
import uuid
from dataclasses import dataclass, field
from datetime import UTC, timedelta
from typing import Any, Protocol

from apscheduler.schedulers.background import BackgroundScheduler

from sp4n.clock import SystemClock
from sp4n.errors import InvalidArgumentError, Sp4nError
from sp4n.persistence.records import Timer
from sp4n.workflow.arguments import check_count, check_duration, check_name, check_seconds
from sp4n.workflow.deadlines import DeadlineRunner, firing_of
from sp4n.workflow.runtime import Runtime
from sp4n.workflow.views import Firing

log = logging.getLogger("sp4n.worker")


@dataclass
class WorkerStats:
    """What a worker has done since it started."""

    sweeps: int = 0
    fired: int = 0
    stale: int = 0
    missed: int = 0
    failed: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)


class DeadlineHost(Protocol):
    """What a worker works for: an :class:`~sp4n.workflow.engine.Engine`, or anything with its
    runtime and deadline runner."""

    @property
    def runtime(self) -> Runtime: ...

    @property
    def deadlines_runner(self) -> DeadlineRunner: ...


class DeadlineWorker:
    """Sweeps an engine's due timers in the background (or one sweep at a time, in tests)."""

    def __init__(
        self,
        engine: DeadlineHost,
        *,
        batch: int = 100,
        interval: float = 5.0,
        lease: timedelta = timedelta(seconds=60),
        owner: str | None = None,
    ) -> None:
        batch = check_count(batch, "batch", 100_000)
        interval = check_seconds(interval, "interval", 86_400)
        lease = check_duration(lease, "lease", timedelta(days=1))
        if owner is not None:
            check_name(owner, "owner")
        self.runtime = engine.runtime
        self.runner = engine.deadlines_runner
        self.batch = batch
        self.interval = interval
        self.lease = lease
        self.owner = owner or f"worker-{uuid.uuid4().hex[:12]}"
        self.stats = WorkerStats()
        self._stopping = threading.Event()
        self._sweep_lock = threading.Lock()
        self._scheduler: Any = None

    def __repr__(self) -> str:
        return f"DeadlineWorker(owner={self.owner!r}, batch={self.batch}, interval={self.interval})"

    # ------------------------------------------------------------------ one sweep

    def sweep(self) -> list[Firing]:
        """Claim and fire due timers until none is left or the worker is stopping."""
        with self._sweep_lock:
            self.runtime.refresh()  # a calendar another process applied counts from this sweep on
            processed: list[Firing] = []
            while not self._stopping.is_set():
                now = self.runtime.now()
                timers = self.runtime.store.claim_due(self.owner, now, self.lease, self.batch)
                if not timers:
                    break
                done: list[str] = []
                try:
                    for timer in timers:
                        if self._stopping.is_set():
                            break  # the timer at hand is finished; the rest go back
                        firing = self._fire_one(timer)
                        done.append(timer.id)  # a failed one keeps its lease: retried when it expires
                        processed.append(firing)
                        self._count(firing)
                finally:
                    left = [t.id for t in timers if t.id not in set(done)]
                    if left:
                        self.runtime.store.release_timers(self.owner, left)
            self.stats.sweeps += 1
            return processed

    def _fire_one(self, timer: Timer) -> Firing:
        """Fire one timer; an error is logged and reported, so it cannot hold up the timers behind it."""
        now = self.runtime.now()
        try:
            return self.runner.fire_timer(timer, now)
        except Exception as exc:
            log.exception("timer %s could not be processed; retried when its lease expires", timer.id)
            return firing_of(timer, now, "failed", error=f"{type(exc).__name__}: {exc}")

    def _count(self, firing: Firing) -> None:
        self.stats.outcomes[firing.outcome] = self.stats.outcomes.get(firing.outcome, 0) + 1
        if firing.outcome in ("fired", "emitted"):
            self.stats.fired += 1
        elif firing.outcome == "stale":
            self.stats.stale += 1
        elif firing.outcome == "missed":
            self.stats.missed += 1
        else:
            self.stats.failed += 1
        late = f", {firing.lateness_seconds:.0f} s late" if firing.lateness_seconds >= 1 else ""
        log.info(
            "%s %s %s/%s of %s%s",
            firing.outcome,
            firing.trigger or "",
            firing.clock,
            firing.rung,
            firing.complaint_id,
            late,
        )

    # ------------------------------------------------------------------ background

    def start(self) -> None:
        """Start sweeping in the background: every ``interval`` seconds and at the next due instant."""
        if self._scheduler is not None:
            raise InvalidArgumentError("worker", self.owner, "a worker that is not running yet")
        self._stopping.clear()
        scheduler = BackgroundScheduler(timezone=UTC)
        # one job only: a wake-up moves its next run earlier (modify_job), so nothing is ever removed
        # while the scheduler may be handing it out
        scheduler.add_job(
            self._tick,
            "interval",
            seconds=self.interval,
            id="sweep",
            max_instances=3,
            coalesce=True,
            next_run_time=SystemClock().now(),
        )
        self._scheduler = scheduler
        scheduler.start()
        log.info("worker %s started (batch %d, every %.1f s)", self.owner, self.batch, self.interval)

    def _tick(self) -> None:
        if self._sweep_lock.locked():
            return  # a sweep is running, and it goes on until nothing is due
        try:
            self.sweep()
        except Sp4nError:
            log.exception("sweep of worker %s failed; the next one will retry", self.owner)
        except Exception:
            log.exception("sweep of worker %s failed unexpectedly; the next one will retry", self.owner)
        self._arm_wake_up()

    def _arm_wake_up(self) -> None:
        """A one-shot sweep at the next due instant, so a deadline does not wait for the interval."""
        scheduler = self._scheduler
        if scheduler is None or self._stopping.is_set():
            return
        try:
            nxt = self.runtime.store.next_due_at()
        except Sp4nError:
            return
        if nxt is None:
            return
        delay = (nxt - self.runtime.now()).total_seconds()
        if 0 < delay < self.interval:
            # APScheduler runs on the wall clock; the engine's clock may be another (a test's)
            run_date = SystemClock().now() + timedelta(seconds=delay)
            try:
                scheduler.modify_job("sweep", next_run_time=run_date)
            except Exception:  # the scheduler is shutting down: nothing to wake up
                log.debug("no wake-up armed: the scheduler is stopping")

    def stop(self, wait: bool = True) -> None:
        """Stop: the timer at hand is finished, leased timers not started are given back."""
        self._stopping.set()
        scheduler, self._scheduler = self._scheduler, None
        if scheduler is not None:
            scheduler.shutdown(wait=wait)
            log.info("worker %s stopped: %s", self.owner, self.stats)

    @property
    def running(self) -> bool:
        """Whether the background scheduler runs."""
        return self._scheduler is not None
