"""``sp4n sop diff A B``: what a variant changes, in words a policy officer reads."""

from __future__ import annotations

from pathlib import Path

import pytest

from sp4n.cli import main
from sp4n.states import builtin_sop, load_sop
from sp4n.states.diff import sop_diff

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "sop"
NATIONAL = builtin_sop("national")


def test_budgets_in_words_in_both_languages() -> None:
    kalsel = load_sop(EXAMPLES / "kalsel-shorter.yaml")
    lines = sop_diff(NATIONAL, kalsel)
    assert "verification budget: 3 working days -> 2 working days" in lines
    assert "completion budget (pengaduan_pengawasan): 60 working days -> 30 working days" in lines
    assert "completion, extension up to: 14 working days -> 10 working days" in lines
    assert "batas waktu verification: 3 hari kerja menjadi 2 hari kerja" in sop_diff(NATIONAL, kalsel, "id")


def test_rungs_states_roles_routing_and_counting() -> None:
    makassar = load_sop(EXAMPLES / "makassar-wita.yaml")
    lines = sop_diff(NATIONAL, makassar)
    assert "verification, new rung notice: 1 working day before due, at opening, emit" in lines
    assert "verification, rung removed: warning" in lines
    assert "counting, after_hours: same_day -> next_working_day" in lines
    fast = sop_diff(NATIONAL, builtin_sop("covid19_fasttrack"))
    assert {"new transition: dispose", "clock removed: verification", "new routing rule: covid_health"} <= set(fast)
    assert "new clock: disposition (1 working day)" in fast
    changed = NATIONAL.model_copy(
        update={
            "transitions": tuple(
                t.model_copy(update={"roles": ("national_admin",)}) if t.trigger == "reroute" else t
                for t in NATIONAL.transitions
            ),
            "states": (*NATIONAL.states[:-1], NATIONAL.states[-1].model_copy(update={"label_en": "Filed away"})),
        }
    )
    assert sop_diff(NATIONAL, changed) == [
        "state archived: Diarsipkan / Archived -> Diarsipkan / Filed away",
        "reroute, who may fire it: national_admin, agency_admin -> national_admin",
    ]
    assert sop_diff(NATIONAL, NATIONAL) == []


def test_the_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sop", "diff", "national", str(EXAMPLES / "kalsel-shorter.yaml")]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "kalsel_shorter against national:"
    assert "  reporter_response budget: 10 working days -> 5 working days" in out
    assert main(["sop", "diff", "national", "national", "--lang", "id"]) == 0
    assert capsys.readouterr().out == "national dibandingkan dengan national:\n  tidak ada perubahan aturan\n"
    assert main(["sop", "diff", "national", "nasional"]) == 2
    assert "SOP 'nasional' is not known" in capsys.readouterr().err
