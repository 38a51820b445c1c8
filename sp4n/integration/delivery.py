"""A delivery process: sends the feed to every webhook consumer, sharing the work with others.

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
from dataclasses import dataclass
from datetime import timedelta

from sp4n.integration.webhooks import WebhookSender
from sp4n.persistence.feed_records import ConsumerStatus
from sp4n.workflow.engine import Engine

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
        batch: int = 100,
        lease: timedelta = timedelta(minutes=2),
        interval: float = 1.0,
        timeout: float = 10.0,
        owner: str | None = None,
    ) -> None:
        self.engine = engine
        self.batch = batch
        self.lease = lease
        self.interval = interval
        self.owner = owner or f"deliver-{uuid.uuid4().hex[:12]}"
        self.sender = WebhookSender(engine.runtime, timeout=timeout)
        self.stats = DeliveryStats()
        self.stopping = threading.Event()

    def round(self) -> int:
        """One pass over the active webhook consumers; how many events were delivered."""
        feed = self.engine.feed
        before = self.stats.delivered
        for consumer in feed.consumers():
            if not consumer.url or consumer.status is not ConsumerStatus.ACTIVE or self.stopping.is_set():
                continue
            send = functools.partial(self.sender.send, consumer)
            result = feed.deliver(
                consumer.name, send, self.batch, owner=self.owner, lease=self.lease, stop=self.stopping.is_set
            )
            self.stats.delivered += result.delivered
            self.stats.failed += result.failed
            self.stats.parked += result.parked
        return self.stats.delivered - before

    def run(self) -> None:
        """Deliver until :meth:`stop`: rounds back to back while there is work, else a pause."""
        try:
            while not self.stopping.is_set():
                if self.round() == 0:
                    self.stopping.wait(self.interval)
        finally:
            self.sender.close()

    def stop(self) -> None:
        """Finish the delivery at hand, give the rest of the batch back, and return from run."""
        self.stopping.set()
