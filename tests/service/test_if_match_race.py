"""If-Match holds up to the write itself: a fire whose complaint moves on between the service's
checks and the engine's command is refused, never applied to a version the caller did not see.
The route is called in-process so that a second command can be slipped in between the two."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import Response
from persistence.backends import ADMIN, AGENCY, VERIFY, scenario

from sp4n.errors import ConcurrencyConflict
from sp4n.persistence import MemoryStore
from sp4n.service import complaints
from sp4n.service.auth import Caller
from sp4n.service.context import Services
from sp4n.workflow import Actor

OTHER_ADMIN = Actor.national_admin("admin-lain")


@pytest.mark.parametrize("key", [None, "host-7-verify"])
def test_a_complaint_moved_on_after_the_checks_is_not_fired_on(
    monkeypatch: pytest.MonkeyPatch, key: str | None
) -> None:
    s = scenario(MemoryStore())
    engine = s.engine
    cid = engine.submit(Actor.reporter("warga-1"), title="Jalan rusak").id
    checked = complaints.visible_view

    def then_another_admin_verifies(*args: Any) -> Any:
        seen = checked(*args)  # the caller's checks saw version 1
        engine.fire(cid, "verify", OTHER_ADMIN, **VERIFY)  # ... and the complaint moves on to 2
        return seen

    monkeypatch.setattr(complaints, "visible_view", then_another_admin_verifies)
    svc = Services(engine=engine, keys=None, metrics=None)  # type: ignore[arg-type]
    # distributing a received complaint is refused (or, with a key, not tried on the fast path),
    # so the checks run, and the other admin's command comes in between them and the fire
    with pytest.raises(ConcurrencyConflict):
        complaints.fire(cid, "distribute", Caller(None, ADMIN), svc, Response(), {"agency": AGENCY}, '"1"', key)
    assert engine.get(cid, ADMIN).state == "verified"  # the other admin's command, and no other
