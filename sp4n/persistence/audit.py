"""Tamper evidence: re-checking each complaint's event chain, the rows that hang off it, and
checkpoints of the chains' heads kept outside the database.

Each event's hash covers its content and the previous event's hash. A row edited directly in SQL
no longer matches its hash; a row deleted or inserted breaks the sequence or the links; a
complaint whose events were all deleted, or whose row was deleted and left events, clocks, timers
or feed rows behind, is named. What an unkeyed chain cannot show (the tail of a history cut off,
or rewritten with every hash recomputed and the head fixed up) a *keyed* chain shows (HMAC with a
key kept outside the database), and a signed checkpoint (the heads at a moment, stored elsewhere)
shows even for events written before the key was set. docs/storage.md lists what each mode finds.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sp4n.errors import ComplaintNotFound, InvalidArgumentError
from sp4n.persistence.base import Store

MIN_KEY_BYTES = 16
"""An audit key shorter than this is refused: it could be guessed."""


@dataclass(frozen=True)
class AuditProblem:
    """One place where a complaint's history does not hold together (``seq`` 0: the whole of it)."""

    complaint_id: str
    seq: int
    problem: str

    def __str__(self) -> str:
        where = f" event {self.seq}" if self.seq else ""
        return f"complaint {self.complaint_id!r}{where}: {self.problem}"


def audit_key_bytes(key: str | bytes | None, argument: str = "audit_key") -> bytes | None:
    """The audit key as bytes (None: an unkeyed chain), refused when it is not one."""
    if key is None:
        return None
    if isinstance(key, str):
        key = key.encode("utf-8", errors="strict") if key.isprintable() else b""
    if not isinstance(key, bytes) or len(key) < MIN_KEY_BYTES:
        shown = f"a key of {len(key)} bytes" if isinstance(key, bytes) else type(key).__name__
        raise InvalidArgumentError(argument, shown, f"a secret of at least {MIN_KEY_BYTES} bytes (text or bytes)")
    return key


def verify_history(
    store: Store, complaint_ids: Iterable[str] | None = None, *, key: bytes | None = None
) -> list[AuditProblem]:
    """Every problem in the event chains of the given complaints (all by default, and then also
    the rows left behind by deleted complaints). With ``key``, every event must carry its HMAC."""
    problems: list[AuditProblem] = []
    for complaint_id in complaint_ids if complaint_ids is not None else store.complaint_ids():
        problems.extend(_verify_one(store, complaint_id, key))
    if complaint_ids is None:
        problems.extend(AuditProblem(cid, seq, what) for cid, seq, what in store.orphans())
    return problems


def _verify_one(store: Store, complaint_id: str, key: bytes | None) -> list[AuditProblem]:
    problems = []
    previous_hash = ""
    events = store.history(complaint_id)
    if not events:
        return [AuditProblem(complaint_id, 0, "the complaint has no events: its whole history was deleted")]
    for expected_seq, event in enumerate(events, start=1):
        if event.seq != expected_seq:
            problems.append(AuditProblem(complaint_id, event.seq, f"sequence gap: expected event {expected_seq}"))
        if event.prev_hash != previous_hash:
            problems.append(AuditProblem(complaint_id, event.seq, "prev_hash does not match the previous event"))
        if key is not None and event.compute_hash(key) != event.hash:
            reason = "its hash is not the HMAC of its content under the audit key (edited, forged or unkeyed)"
            problems.append(AuditProblem(complaint_id, event.seq, reason))
        elif key is None and event.compute_hash() != event.hash:
            problems.append(AuditProblem(complaint_id, event.seq, "content does not match its hash (row edited)"))
        previous_hash = event.hash
    snapshot = store.load(complaint_id)
    if (snapshot.last_seq, snapshot.last_hash) != (events[-1].seq, events[-1].hash):
        problems.append(
            AuditProblem(complaint_id, snapshot.last_seq, "the complaint's chain head does not match its last event")
        )
    return problems


# --- checkpoints ---------------------------------------------------------------------------------


def _signature(heads: Mapping[str, Any], at: str, key: bytes) -> str:
    blob = json.dumps({"at": at, "heads": heads}, sort_keys=True, separators=(",", ":")).encode()
    return hmac.new(key, blob, hashlib.sha256).hexdigest()


def make_checkpoint(store: Store, key: bytes, at: datetime) -> dict[str, Any]:
    """The head (last seq and hash) of every complaint's chain at ``at``, signed with ``key``: an
    operator stores it outside the database, and a later verify finds any history that was cut
    back or rewritten since, keyed or not."""
    heads: dict[str, list[Any]] = {}
    for complaint_id in store.complaint_ids():
        last = store.last_event(complaint_id)
        heads[complaint_id] = [last.seq, last.hash] if last is not None else [0, ""]
    stamp = at.isoformat()
    return {
        "format": "sp4n-audit-checkpoint/1",
        "at": stamp,
        "heads": heads,
        "signature": _signature(heads, stamp, key),
    }


def verify_checkpoint(store: Store, checkpoint: Any, key: bytes, source: str = "checkpoint") -> list[AuditProblem]:
    """Problems between a checkpoint and the database: a complaint gone, a chain shorter than it
    was, an event at a checkpointed seq with another hash. A checkpoint whose signature does not
    verify is refused (InvalidArgumentError), since nothing it says can then be trusted."""
    if not isinstance(checkpoint, dict) or checkpoint.get("format") != "sp4n-audit-checkpoint/1":
        raise InvalidArgumentError("checkpoint", source, "an sp4n audit checkpoint (JSON)")
    heads, at = checkpoint.get("heads"), checkpoint.get("at")
    if not isinstance(heads, dict) or not isinstance(at, str):
        raise InvalidArgumentError("checkpoint", source, "an sp4n audit checkpoint with heads and at")
    if not hmac.compare_digest(str(checkpoint.get("signature", "")), _signature(heads, at, key)):
        raise InvalidArgumentError("checkpoint", source, "a checkpoint signed with this audit key (forged or edited?)")
    problems = []
    for complaint_id, head in heads.items():
        seq, digest = int(head[0]), str(head[1])
        try:
            events = {e.seq: e for e in store.history(complaint_id)}
        except ComplaintNotFound:
            events = {}
        if not events and seq:
            problems.append(AuditProblem(complaint_id, 0, f"in the checkpoint of {at} with {seq} events, now gone"))
            continue
        if seq and seq not in events:
            last = max(events, default=0)
            reason = f"the checkpoint of {at} has event {seq}; the history now ends at {last} (cut back)"
            problems.append(AuditProblem(complaint_id, seq, reason))
        elif seq and events[seq].hash != digest:
            reason = f"event {seq} differs from the checkpoint of {at} (the history was rewritten)"
            problems.append(AuditProblem(complaint_id, seq, reason))
    return problems
