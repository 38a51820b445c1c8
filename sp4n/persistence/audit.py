"""Tamper evidence: re-checking the hash chain of every complaint's events.

Each event's hash covers its content and the previous event's hash. A row edited directly in
SQL no longer matches its hash; a row deleted or inserted breaks the sequence or the links.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sp4n.persistence.base import Store


@dataclass(frozen=True)
class AuditProblem:
    """One place where a complaint's history does not hold together."""

    complaint_id: str
    seq: int
    problem: str

    def __str__(self) -> str:
        return f"complaint {self.complaint_id!r} event {self.seq}: {self.problem}"


def verify_history(store: Store, complaint_ids: Iterable[str] | None = None) -> list[AuditProblem]:
    """Every problem in the event chains of the given complaints (all by default)."""
    problems: list[AuditProblem] = []
    for complaint_id in complaint_ids if complaint_ids is not None else store.complaint_ids():
        problems.extend(_verify_one(store, complaint_id))
    return problems


def _verify_one(store: Store, complaint_id: str) -> list[AuditProblem]:
    problems = []
    previous_hash = ""
    events = store.history(complaint_id)
    for expected_seq, event in enumerate(events, start=1):
        if event.seq != expected_seq:
            problems.append(AuditProblem(complaint_id, event.seq, f"sequence gap: expected event {expected_seq}"))
        if event.prev_hash != previous_hash:
            problems.append(AuditProblem(complaint_id, event.seq, "prev_hash does not match the previous event"))
        if event.compute_hash() != event.hash:
            problems.append(AuditProblem(complaint_id, event.seq, "content does not match its hash (row edited)"))
        previous_hash = event.hash
    snapshot = store.load(complaint_id)
    if events and (snapshot.last_seq, snapshot.last_hash) != (events[-1].seq, events[-1].hash):
        problems.append(
            AuditProblem(complaint_id, snapshot.last_seq, "the complaint's chain head does not match its last event")
        )
    return problems
