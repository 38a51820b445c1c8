"""Webhook endpoints as feed consumers: added with a fresh signing secret, secrets rotated.

One place for what ``sp4n webhooks`` and the HTTP service both do. A secret is handed back
once, when it is made; lists never carry secrets.
"""

from __future__ import annotations

from sp4n.integration.signing import new_secret
from sp4n.persistence.feed_records import Audience, Consumer
from sp4n.workflow.feed import Feed


def add_endpoint(
    feed: Feed,
    name: str,
    url: str,
    audience: Audience | str,
    *,
    start: str | int = "now",
    historical: bool = False,
    max_attempts: int = 12,
) -> tuple[Consumer, str]:
    """A new webhook consumer of ``feed`` and its signing secret (shown once)."""
    secret = new_secret()
    consumer = feed.add_consumer(
        name, audience, start=start, url=url, secrets=[secret], historical=historical, max_attempts=max_attempts
    )
    return consumer, secret


def rotate_secret(feed: Feed, name: str, *, drop_old: bool = False) -> tuple[Consumer, str]:
    """A new secret first in the consumer's list; the old ones stay signed beside it (so the
    receiver can switch over) unless ``drop_old``."""
    consumer = feed.consumer(name)
    secret = new_secret()
    consumer.secrets = [secret] if drop_old else [secret, *consumer.secrets]
    feed.update(consumer)
    return consumer, secret


def endpoints(feed: Feed) -> list[Consumer]:
    """The consumers of ``feed`` that are webhook endpoints (they have a URL), by name."""
    return [c for c in feed.consumers() if c.url]
