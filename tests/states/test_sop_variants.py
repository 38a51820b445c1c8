"""Variants policy staff write in minutes: short, merged by name, and every mistake at its line."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from sp4n.calendars import Duration
from sp4n.errors import SopValidationError
from sp4n.states import builtin_sop, load_sop
from sp4n.testing import Scenario

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "sop"
BROKEN = Path(__file__).parent / "broken"
NATIONAL = builtin_sop("national")


@pytest.mark.parametrize("name", ["kalsel-shorter.yaml", "makassar-wita.yaml"])
def test_the_example_variants_are_under_15_lines(name: str) -> None:
    assert len((EXAMPLES / name).read_text(encoding="utf-8").splitlines()) < 15
    assert load_sop(EXAMPLES / name).extends == "national"


def test_the_kalsel_variant_changes_only_what_it_names() -> None:
    sop = load_sop(EXAMPLES / "kalsel-shorter.yaml")
    completion, base = sop.clock("completion"), NATIONAL.clock("completion")
    assert completion.budgets["pengaduan_pengawasan"] == Duration.parse("30 working days")
    assert (completion.rungs, completion.pauses_in, completion.runs_in) == (base.rungs, base.pauses_in, base.runs_in)
    assert sop.clock("verification").rungs == NATIONAL.clock("verification").rungs


def test_the_wita_variant_warns_a_working_day_ahead_in_makassar_time() -> None:
    sop = load_sop(EXAMPLES / "makassar-wita.yaml")
    assert [r.name for r in sop.clock("verification").rungs] == ["breach", "notice"]
    assert all(c.rungs[-1].name == "notice" for c in sop.clocks)
    s = Scenario(sops=[sop], agency_zones={"kota_makassar": "WITA"}, start="2026-03-02T17:30:00+08:00")
    cid = s.submit(sop="makassar_wita", agency="kota_makassar")  # after office hours: counts from Tuesday
    due = s.due(cid, "verification")
    assert (due.zone, due.local_date.isoformat()) == ("Asia/Makassar", "2026-03-06")
    s.advance_to("2026-03-05T08:00:00+08:00")
    assert "deadline:verification.notice" in s.events(cid)


def test_every_mistake_is_shown_at_once_each_on_its_own_line_at_the_variants_line() -> None:
    path = BROKEN / "variant-two-mistakes.yaml"
    with pytest.raises(SopValidationError) as caught:
        load_sop(path)
    lines = str(caught.value).splitlines()
    assert lines[:2] == [
        f"{path}: line 6, column 42: clocks.verification.runs_in: 'recieved' is not a state (states: received, "
        "on_hold, verified, distributed, rerouting, followed_up, escalated, referred, closed, archived)",
        f"{path}: line 7, column 16: clocks.completion.extension_max: extension_max must be positive, "
        "got 0 working days",
    ]
    assert [e.source for e in caught.value.errors] == [str(path)] * len(lines)


def test_a_mistake_that_surfaces_in_the_base_is_shown_at_the_variants_line(tmp_path: Path) -> None:
    path = tmp_path / "short.yaml"
    path.write_text("id: short\ntitle: Short\nextends: national\nclocks:\n  verification: {budget: 1 working day}\n")
    message = (
        f"{path}: line 5, column 3: clocks.verification.rungs.warning.before: before 1 working day is not shorter "
        "than the budget 1 working day"
    )
    with pytest.raises(SopValidationError, match=re.escape(message)):
        load_sop(path)


def test_a_mistake_in_a_base_file_is_shown_in_the_base_file(tmp_path: Path) -> None:
    (tmp_path / "province.yaml").write_text(
        "id: province\ntitle: Province\nextends: national\nclocks:\n  verification: {budget: 0 working days}\n"
    )
    (tmp_path / "city.yaml").write_text("id: city\ntitle: City\nextends: province.yaml\n")
    message = f"{tmp_path / 'province.yaml'}: line 5, column 18: clocks.verification.budget: a budget must be positive"
    with pytest.raises(SopValidationError, match=re.escape(message)):
        load_sop(tmp_path / "city.yaml")
