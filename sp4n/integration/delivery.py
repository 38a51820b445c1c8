"""A delivery process: sends the feed to every webhook consumer, sharing the work with others.

Consumers without an endpoint are delivered by a handler given for them by name (the national
LAPOR! connector's :meth:`~sp4n.integration.NationalSync.send`); ``tasks`` run between rounds
at their own interval on the engine's clock (the connector's pull of forwarded reports).

Several processes (``sp4n deliver``) may run on one database: each claim leases a consumer's
events, so two processes never hold the same event, and per complaint order holds because an
event is leased only when every earlier one of its complaint is in the same batch. Stopping
(SIGTERM) finishes the delivery at hand and gives the rest of the batch back. A process killed
outright leaves its leases to expire: the events go again (at least once; receivers dedupe).
"""

from __future__ import annotations

import functools
import logging
import threading
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sp4n.integration.webhooks import WebhookSender
from sp4n.persistence.feed_records import ConsumerStatus
from sp4n.workflow.engine import Engine
from sp4n.workflow.feed import FeedItem

Handler = Callable[[FeedItem], None]
Task = tuple[timedelta, Callable[[], object]]

log = logging.getLogger("sp4n.delivery")


@dataclass
class DeliveryStats:
    """What a delivery process has done since it started."""

    delivered: int = 0
    failed: int = 0
    parked: int = 0


class DeliveryProcess:
    """Delivers an engine's feed to its webhook consumers until stopped."""

    def __init__(
        self,
        engine: Engine,
        *,
        batch: int = 500,
        lease: timedelta = timedelta(minutes=2),
        interval: float = 1.0,
        timeout: float = 10.0,
        owner: str | None = None,
        handlers: Mapping[str, Handler] | None = None,
        tasks: Sequence[Task] = (),
    ) -> None:
        self.engine = engine
        self.batch = batch
        self.lease = lease
        self.interval = interval
        self.owner = owner or f"deliver-{uuid.uuid4().hex[:12]}"
        self.sender = WebhookSender(engine.runtime, timeout=timeout)
        self.stats = DeliveryStats()
        self.stopping = threading.Event()
        self.handlers = dict(handlers or {})
        self.tasks = list(tasks)
        self._task_runs: dict[int, datetime] = {}

    def round(self) -> int:
        """One pass over the active consumers it can deliver (webhooks, and those it has a
        handler for), after the tasks that are due; how many events were delivered."""
        self._run_tasks()
        feed = self.engine.feed
        before = self.stats.delivered
        for consumer in feed.consumers():
            handler = self.handlers.get(consumer.name)
            if handler is None and consumer.url:
                handler = functools.partial(self.sender.send, consumer)
            if handler is None or consumer.status is not ConsumerStatus.ACTIVE or self.stopping.is_set():
                continue
            result = feed.deliver(
                consumer.name, handler, self.batch, owner=self.owner, lease=self.lease, stop=self.stopping.is_set
            )
            self.stats.delivered += result.delivered
            self.stats.failed += result.failed
            self.stats.parked += result.parked
        return self.stats.delivered - before

    def _run_tasks(self) -> None:
        now = self.engine.now()
        for n, (every, task) in enumerate(self.tasks):
            last = self._task_runs.get(n)
            if self.stopping.is_set() or (last is not None and now - last < every):
                continue
            self._task_runs[n] = now
            try:
                task()
            except Exception:  # a failing task (the national server down) must not stop delivery
                log.exception("delivery task %r failed; it runs again in %s", task, every)

    def run(self) -> None:
        """Deliver until :meth:`stop`: rounds back to back while there is work, else a pause."""
        try:
            while not self.stopping.is_set():
                if self.round() == 0:
                    self.stopping.wait(self.interval)
        finally:
            self.sender.close()

    def start(self) -> threading.Thread:
        """Run in a thread of its own (``sp4n deliver``, and ``sp4n serve`` on SQLite beside its
        requests); :meth:`stop`, then join the thread."""
        runner = threading.Thread(target=self.run, name="sp4n-deliver")
        runner.start()
        return runner

    def stop(self) -> None:
        """Finish the delivery at hand, give the rest of the batch back, and return from run."""
        self.stopping.set()
