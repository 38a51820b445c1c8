"""Webhook consumers: feed items sent as CloudEvents 1.0 JSON, signed as Standard Webhooks say.

A 2xx answer is a delivery. 410 Gone disables the endpoint (:meth:`sp4n.workflow.Feed.deliver`
does so on a GatewayError with status 410). 429 and 503 wait as ``Retry-After`` asks (seconds or
an HTTP date), without counting as a failed attempt. Any other answer, a timeout or a refused
connection is a failure that backs off. Timeouts are bounded: a slow endpoint cannot hold a
delivery process for longer than ``timeout`` seconds per event.
"""

from __future__ import annotations

import json
from datetime import datetime
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from sp4n.errors import GatewayError
from sp4n.integration import signing
from sp4n.persistence.feed_records import Consumer
from sp4n.workflow.feed import FeedItem
from sp4n.workflow.runtime import Runtime

EVENT_TYPE = "id.go.lapor.sp4n.complaint."
"""Prefix of the CloudEvents ``type`` of every event (the event's kind follows)."""


def cloud_event(item: FeedItem, source: str = "urn:sp4n") -> dict[str, Any]:
    """The CloudEvents 1.0 structured JSON of a feed item (``data`` is its audience's view)."""
    return {
        "specversion": "1.0",
        "id": item.id,
        "source": source,
        "type": EVENT_TYPE + item.kind,
        "subject": item.complaint_id,
        "time": item.at.isoformat().replace("+00:00", "Z"),
        "datacontenttype": "application/json",
        "position": item.position,
        "data": item.data,
    }


class WebhookSender:
    """Sends feed items to their consumers' endpoints over one pooled HTTP client."""

    def __init__(self, runtime: Runtime, *, timeout: float = 10.0, source: str = "urn:sp4n") -> None:
        self.runtime = runtime
        self.source = source
        self.client = httpx.Client(timeout=httpx.Timeout(timeout, connect=min(timeout, 5.0)))

    def close(self) -> None:
        """Close the HTTP connections."""
        self.client.close()

    def send(self, consumer: Consumer, item: FeedItem) -> None:
        """POST one item; returns on 2xx, raises GatewayError otherwise (never with a secret)."""
        if not consumer.url:
            raise GatewayError(consumer.name, "deliver", None, "the consumer has no endpoint URL")
        body = json.dumps(cloud_event(item, self.source), ensure_ascii=False, separators=(",", ":")).encode()
        now = int(self.runtime.now().timestamp())
        head = signing.headers(consumer.secrets, item.id, now, body)
        head["content-type"] = "application/cloudevents+json"
        try:
            answer = self.client.post(consumer.url, content=body, headers=head)
        except httpx.TimeoutException as exc:
            raise GatewayError(consumer.name, f"deliver {item.id}", None, f"timed out ({type(exc).__name__})") from None
        except httpx.TransportError as exc:
            raise GatewayError(consumer.name, f"deliver {item.id}", None, type(exc).__name__) from None
        if 200 <= answer.status_code < 300:
            return
        wait = retry_after_seconds(answer, self.runtime.now()) if answer.status_code in (429, 503) else None
        raise GatewayError(consumer.name, f"deliver {item.id}", answer.status_code, answer.reason_phrase, wait)


def retry_after_seconds(answer: httpx.Response, now: datetime | None) -> float | None:
    """The seconds an answer's ``Retry-After`` asks to wait (whole seconds, or an HTTP date
    counted from ``now``); None when it asks nothing readable."""
    value = answer.headers.get("retry-after", "").strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    if now is None:
        return None
    try:
        return max((parsedate_to_datetime(value) - now).total_seconds(), 0.0)
    except (TypeError, ValueError):
        return None
