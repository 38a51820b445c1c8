"""Standard Webhooks 1.0 signatures: ``v1,<base64 HMAC-SHA256 of "id.timestamp.body">``.

A secret is ``whsec_`` followed by the base64 of its key bytes. During a rotation an endpoint
has several secrets and each message carries one signature per secret, space-separated in the
``webhook-signature`` header; a receiver accepts the message if any of them matches one of its
own secrets. The timestamp (whole seconds since the epoch) is signed too, and a receiver refuses
messages outside a tolerance, so a captured request cannot be replayed later.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets as secrets_module
from collections.abc import Mapping, Sequence

from sp4n.errors import InvalidSignature

PREFIX = "whsec_"
TOLERANCE_SECONDS = 300
"""How far a message's timestamp may be from the receiver's now (Standard Webhooks: 5 minutes)."""


def new_secret() -> str:
    """A fresh signing secret (24 random bytes), ``whsec_...``."""
    return PREFIX + base64.b64encode(secrets_module.token_bytes(24)).decode()


def _key(secret: str) -> bytes:
    raw = secret.removeprefix(PREFIX)
    try:
        return base64.b64decode(raw, validate=True)
    except ValueError:
        raise InvalidSignature("secret", "is not whsec_ followed by base64") from None


def sign(secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    """The ``v1,...`` signature of one message with one secret."""
    content = f"{msg_id}.{timestamp}.".encode() + body
    digest = hmac.new(_key(secret), content, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def headers(secrets: Sequence[str], msg_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    """The three Standard Webhooks headers of a message, signed with every secret."""
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": " ".join(sign(s, msg_id, timestamp, body) for s in secrets),
    }


def verify(secrets: Sequence[str], headers: Mapping[str, str], body: bytes, now: int) -> str:
    """The message id, if ``body`` and ``headers`` carry a valid, timely signature by one of
    ``secrets``; InvalidSignature naming what is wrong otherwise."""
    lower = {k.lower(): v for k, v in headers.items()}
    msg_id, stamp, given = (lower.get(h, "") for h in ("webhook-id", "webhook-timestamp", "webhook-signature"))
    if not msg_id or not stamp or not given:
        raise InvalidSignature("headers", "webhook-id, webhook-timestamp and webhook-signature are required")
    try:
        timestamp = int(stamp)
    except ValueError:
        raise InvalidSignature("webhook-timestamp", f"{stamp!r} is not whole seconds") from None
    if abs(now - timestamp) > TOLERANCE_SECONDS:
        raise InvalidSignature("webhook-timestamp", f"{timestamp} is more than {TOLERANCE_SECONDS} s from now ({now})")
    offered = [s for s in given.split(" ") if s.startswith("v1,")]
    for secret in secrets:
        expected = sign(secret, msg_id, timestamp, body)
        if any(hmac.compare_digest(expected, s) for s in offered):
            return msg_id
    raise InvalidSignature("webhook-signature", "no signature matches a secret of this receiver")
