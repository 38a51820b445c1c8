"""Routing chooses the SOP: a fast track switched on takes the national reports its rules match."""

from __future__ import annotations

import re

import pytest

from sp4n.errors import InvalidData, SopNotFoundError
from sp4n.testing import Scenario
from sp4n.workflow import SYSTEM


def test_a_switched_on_fast_track_takes_the_reports_its_rules_match() -> None:
    s = Scenario(sops=["national", "covid19_fasttrack"], fast_tracks=["covid19_fasttrack"])
    view = s.engine.submit(s.reporter, title="Antrean vaksin booster di puskesmas", sop="national")
    assert (view.sop_id, view.agency) == ("covid19_fasttrack", "kemenkes")
    first = s.engine.history(view.id, SYSTEM)[0]
    assert first.payload["fast_track"] == {"sop": "covid19_fasttrack", "rule": "covid_health"}
    assert first.payload["routed_by"] == "covid_health"
    assert "disposition" in [d.clock for d in s.engine.deadlines(view.id, SYSTEM)]
    other = s.engine.submit(s.reporter, title="Jalan rusak", sop="national")
    assert other.sop_id == "national"
    assert "fast_track" not in s.engine.history(other.id, SYSTEM)[0].payload


def test_without_the_switch_national_reports_stay_national() -> None:
    s = Scenario(sops=["national", "covid19_fasttrack"])
    assert s.engine.submit(s.reporter, title="Antrean vaksin", sop="national").sop_id == "national"
    s.engine.switch_fast_track("covid19_fasttrack")
    assert s.engine.submit(s.reporter, title="Antrean vaksin", sop="national").sop_id == "covid19_fasttrack"
    s.engine.switch_fast_track("covid19_fasttrack", on=False)
    assert s.engine.submit(s.reporter, title="Antrean vaksin", sop="national").sop_id == "national"


def test_only_a_registered_variant_is_a_fast_track() -> None:
    s = Scenario(sops=["national", "covid19_fasttrack"])
    with pytest.raises(InvalidData, match=re.escape("fast_track='national' is invalid: a variant (extends)")):
        s.engine.switch_fast_track("national")
    with pytest.raises(SopNotFoundError, match="SOP 'jalur_cepat' is not known"):
        s.engine.switch_fast_track("jalur_cepat")
