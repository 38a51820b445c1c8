"""engine.migrate moves complaints to another SOP id, with an explicit state mapping, on the record."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from sp4n.errors import InvalidData
from sp4n.persistence.audit import verify_history
from sp4n.persistence.sql import open_store
from sp4n.testing import Scenario
from sp4n.workflow import SYSTEM


@pytest.mark.parametrize("backend", ["memory", "sqlite"])
def test_a_national_report_moves_into_the_fast_track(backend: str, tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'm.db'}") if backend == "sqlite" else None
    s = Scenario(sops=["national", "covid19_fasttrack"], store=store)
    cid = s.submit("Antrean vaksin di puskesmas")
    before = s.engine.store.load(cid).complaint
    with pytest.raises(InvalidData, match=re.escape("a state of covid19_fasttrack for state 'received' of complaint")):
        s.engine.migrate([cid], sop_id="covid19_fasttrack", state_map={}, actor=s.national_admin)
    assert s.engine.store.load(cid).complaint.version == before.version
    (moved,) = s.engine.migrate(
        [cid], sop_id="covid19_fasttrack", state_map={"received": "received"}, actor=s.national_admin
    )
    fast = s.engine.registry.get("covid19_fasttrack").sop
    assert (moved.sop_id, moved.sop_version, moved.state) == ("covid19_fasttrack", fast.version, "received")
    assert s.engine.store.load(cid).complaint.sop_id == "covid19_fasttrack"
    event = s.engine.history(cid, SYSTEM)[-1]
    assert event.kind == "migrated"
    assert (event.payload["from_sop"], event.payload["to_sop"]) == ("national", "covid19_fasttrack")
    running = [d.clock for d in s.engine.deadlines(cid, SYSTEM)]
    assert "disposition" in running
    assert "verification" not in running
    assert verify_history(s.engine.store) == []
    s.engine.close()
