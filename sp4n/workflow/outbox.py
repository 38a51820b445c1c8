"""The transactional outbox: events carried to other systems (national LAPOR!, SMS, e-mail).

Every event is written to the outbox in the same transaction as the change it records, so none
is lost; :meth:`Outbox.drain` hands them to a handler at least once. A drainer leases what it
takes, so concurrent drainers never hold the same item at the same time; an item whose handler
fails stays pending (with its error) for the next drain. Handlers must be idempotent: after a
crash between delivery and the record of it, an item is delivered again.

Reports made anonymous (anonim) keep their reporter out of what leaves the system: in the items
of such a complaint, the ``actor_id`` of the reporter's own events is replaced by ``"anonim"``
and named in ``payload["masked"]``. The stored event keeps it (the hash chain covers it), so a
receiver that checks ``hash`` must put the masked fields aside.
"""

from __future__ import annotations

import dataclasses
import logging
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta

from sp4n.errors import InvalidArgumentError
from sp4n.persistence.records import OutboxItem
from sp4n.states.model import Role
from sp4n.workflow.runtime import Runtime

log = logging.getLogger("sp4n.outbox")


@dataclass(frozen=True)
class DrainResult:
    """How one drain went."""

    delivered: int
    failed: int


class Outbox:
    """The outbox of an engine's store."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    def drain(
        self,
        handler: Callable[[OutboxItem], None],
        limit: int = 100,
        *,
        lease: timedelta = timedelta(minutes=5),
        owner: str | None = None,
    ) -> DrainResult:
        """Deliver up to ``limit`` pending items, oldest first, through ``handler``."""
        if limit < 1:
            raise InvalidArgumentError("limit", limit, "a whole number of at least 1")
        if lease <= timedelta(0):
            raise InvalidArgumentError("lease", lease, "a positive timedelta")
        owner = owner or f"drainer-{uuid.uuid4().hex[:12]}"
        store = self.runtime.store
        items = self._for_delivery(store.claim_outbox(owner, self.runtime.now(), lease, limit))
        delivered = failed = 0
        for item in items:
            try:
                handler(item)
            except Exception as exc:
                failed += 1
                log.warning("outbox item %s not delivered: %s", item.id, exc)
                store.finish_outbox(item.id, owner, None, f"{type(exc).__name__}: {exc}")
            else:
                delivered += 1
                store.finish_outbox(item.id, owner, self.runtime.now(), None)
        return DrainResult(delivered, failed)

    def prune(self, older_than: timedelta) -> int:
        """Remove the items delivered more than ``older_than`` ago, and say how many.

        Delivered items are only a record of delivery: the events they carried stay in the
        history. Without pruning, the outbox keeps one row per event for good.
        """
        if not isinstance(older_than, timedelta) or older_than < timedelta(0):
            raise InvalidArgumentError("older_than", older_than, "a timedelta of zero or more")
        return self.runtime.store.prune_outbox(self.runtime.now() - older_than)

    def pending(self, limit: int = 100) -> list[OutboxItem]:
        """Items not delivered yet, oldest first, as a handler would get them."""
        return self._for_delivery(self.runtime.store.pending_outbox(limit))

    def _for_delivery(self, items: Sequence[OutboxItem]) -> list[OutboxItem]:
        """The items, with the reporters of anonymous complaints masked (see the module's doc)."""
        ids = sorted({i.complaint_id for i in items})
        anonymous = {c.id for c in self.runtime.store.complaints(ids) if c.anonymous} if ids else set()
        return [mask_reporter(i) if i.complaint_id in anonymous else i for i in items]


MASKED_REPORTER = "anonim"
"""What an anonymous complaint's reporter is called in outbox items."""


def mask_reporter(item: OutboxItem) -> OutboxItem:
    """The item with the reporter's id masked, if the event is the reporter's own."""
    if item.payload.get("actor_role") != Role.REPORTER.value:
        return item
    payload = {**item.payload, "actor_id": MASKED_REPORTER, "masked": ["actor_id"]}
    return dataclasses.replace(item, payload=payload)
