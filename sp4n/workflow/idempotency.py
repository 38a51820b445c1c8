"""Idempotent commands: a command sent again with its idempotency key answers as the first did.

A command with a key stores, in its own transaction, the key, a fingerprint of what was asked
(command, complaint, actor, fields) and the view it answered. The same key again: the same
question gets the stored answer and writes nothing; another question is IdempotencyConflict. When
a command fails because its twin (same key) won a race and moved the complaint on, it answers
as that twin did, as a retry would.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from sp4n.errors import IdempotencyConflict, InvalidData, Sp4nError
from sp4n.persistence.base import ChangeSet, IdempotencyRecord
from sp4n.workflow.actor import Actor
from sp4n.workflow.compiled import CompiledSop
from sp4n.workflow.runtime import Runtime
from sp4n.workflow.views import ComplaintView, make_view


class Command:
    """One command as its idempotency key sees it: what was asked, by whom, on which complaint."""

    __slots__ = ("actor", "complaint_id", "fields", "key", "name")

    def __init__(self, name: str, complaint_id: str, actor: Actor, fields: dict[str, Any], key: str | None) -> None:
        if key is not None and (not isinstance(key, str) or not key.strip()):
            raise InvalidData("idempotency_key", key, "a non-empty string")
        self.name, self.complaint_id, self.actor, self.fields, self.key = name, complaint_id, actor, fields, key

    def fingerprint(self) -> str:
        """A digest of what was asked, to tell the same question from another under one key."""
        blob = json.dumps(
            {
                "command": self.name,
                "complaint": self.complaint_id,
                "actor": [self.actor.id, self.actor.role.value],
                "fields": self.fields,
            },
            sort_keys=True,
            default=str,
        ).encode()
        return hashlib.sha256(blob).hexdigest()

    def replay(self, runtime: Runtime) -> ComplaintView | None:
        """The stored answer when this key was used before for the same question (None: never
        used, or no key); IdempotencyConflict when it was used for another."""
        if self.key is None:
            return None
        record = runtime.store.idempotency(self.key)
        if record is None:
            return None
        if record.fingerprint != self.fingerprint():
            raise IdempotencyConflict(self.key)
        return ComplaintView.from_dict(dict(record.result))

    def commit(self, runtime: Runtime, change: ChangeSet, compiled: CompiledSop) -> ComplaintView:
        """Save ``change`` (with this key's record, if any) and answer the actor's view of it."""
        view = make_view(change.complaint, compiled.sop, self.actor.role, change.next_due_at)
        if self.key is not None:
            change.idempotency = IdempotencyRecord(self.key, self.fingerprint(), change.complaint.id, view.to_dict())
        runtime.commit(change)
        return view

    def raced(self, runtime: Runtime, error: Sp4nError) -> ComplaintView:
        """The command failed with ``error``: when a twin of it (same key) won a race, answer
        as that one did; else raise ``error``."""
        replay = self.replay(runtime) if self.key is not None else None
        if replay is None:
            raise error
        return replay
