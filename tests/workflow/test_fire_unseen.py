"""A command on a confidential complaint by an actor outside its scope is refused as get refuses
them, before anything of the complaint is told: not its state (by a trigger its state does not
allow) nor its version (by a version it is not at, since fire takes expected_version)."""

from __future__ import annotations

from typing import Any

import pytest
from persistence.backends import ADMIN, AGENCY, VERIFY, scenario

from sp4n.errors import PermissionDenied
from sp4n.persistence import MemoryStore
from sp4n.workflow import Actor

OWNER = Actor.reporter("warga-1")
OUTSIDERS = [Actor.agency_admin("admin-lain", "dinas_lain"), Actor.reporter("warga-2")]


@pytest.mark.parametrize("actor", OUTSIDERS, ids=str)
@pytest.mark.parametrize(
    ("trigger", "data"),
    [
        ("verify", {}),  # not allowed in its state
        ("reply", {"message": "x"}),  # not allowed in its state either
        ("follow_up", {"response": "x", "expected_version": 1}),  # a version it is not at
        ("reply", {"message": "x", "expected_version": 3}),
    ],
)
def test_an_outsider_learns_nothing_of_a_confidential_complaint(actor: Actor, trigger: str, data: Any) -> None:
    e = scenario(MemoryStore()).engine
    cid = e.submit(OWNER, title="rahasia", confidential=True).id
    e.fire(cid, "verify", ADMIN, **VERIFY)
    e.fire(cid, "distribute", ADMIN, agency=AGENCY)
    with pytest.raises(PermissionDenied) as refused:
        e.get(cid, actor)
    with pytest.raises(PermissionDenied) as fired:
        e.fire(cid, trigger, actor, **data)
    assert str(fired.value) == str(refused.value).replace("'view'", repr(trigger))
    assert "distributed" not in str(fired.value)
    assert e.get(cid, ADMIN).version == 3  # nothing changed
