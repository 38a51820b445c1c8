"""A small receiver helper for hosts that take sp4n's webhooks: verify, then deduplicate.

Delivery is at least once: after a crash between sending and recording, the same message comes
again with the same ``webhook-id``. :class:`WebhookReceiver` checks the signature and the
timestamp, and tells a first delivery from a repeat by that id (kept in memory here; a host
keeps it in its own database, in the transaction that acts on the message).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sp4n.integration.signing import verify


class WebhookReceiver:
    """Verifies messages signed with any of ``secrets`` and remembers the ids it has seen."""

    def __init__(self, secrets: Sequence[str], now: Callable[[], int]) -> None:
        self.secrets = list(secrets)
        self._now = now
        self._seen: set[str] = set()
        self._lock = threading.Lock()

    def receive(self, headers: Mapping[str, str], body: bytes) -> dict[str, Any] | None:
        """The CloudEvent of a valid message the first time it comes; None for a repeat;
        InvalidSignature for a message that does not verify."""
        msg_id = verify(self.secrets, headers, body, self._now())
        with self._lock:
            if msg_id in self._seen:
                return None
            self._seen.add(msg_id)
        event: dict[str, Any] = json.loads(body)
        return event
