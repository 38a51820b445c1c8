"""``sp4n simulate`` end to end on a recorded SQLite database: the table, JSON, and errors."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from sp4n.cli import main

from .conftest import TWO_DAYS, variant
from .dataset import Dataset


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_the_table_sets_both_outcomes_side_by_side_with_the_changed_paths(
    recorded: Dataset, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(
        capsys, "simulate", "--url", recorded.url, "--sop", str(variant(tmp_path)), "--period", "2026-H1"
    )
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0].startswith("What-if: verifikasi_2_hari@")
    assert lines[0].endswith(" in place of national, reports received in 2026-H1 (2026-01-01 to 2026-06-30)")
    assert lines[1] == "deadlines fired up to 2026-04-08 00:00 WIB"
    assert lines[3].split() == ["recorded", "variant", "change"]
    rows = {" ".join(line.split()[:-3]): line.split()[-3:] for line in lines[4 : lines.index("", 4)]}
    assert rows["received"] == ["11", "11", "+0"]
    assert rows["selesai"] == ["11", "11", "+0"]
    assert rows["completion rate"] == ["100.0%", "100.0%", "+0.0%"]
    assert rows["escalated"] == ["2", "5", "+3"]
    assert rows["verification breached"] == ["2", "5", "+3"]
    assert rows["working days to verification, median"] == ["2.0", "2.0", "+0.0"]
    assert rows["closed without reply"] == ["4", "4", "+0"]
    assert rows["refused actions"] == ["0", "0", "+0"]
    assert "3 complaint(s) would have taken another path:" in lines
    changed = [line.split()[0] for line in lines if line.startswith("  SP4N-")]
    assert set(changed) == recorded.verified_on_day(3)
    assert "  SP4N-20260302-000003  would have moved to Escalated (escalate, by a deadline) on working day 2" in out


def test_json_lists_every_change_and_refusal(
    recorded: Dataset, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    strict = variant(tmp_path, _strict())
    code, out, _ = run(
        capsys, "simulate", "--url", recorded.url, "--sop", str(strict), "--period", "2026-H1", "--format", "json",
        "--until", "2026-06-30T17:00+07:00",
    )  # fmt: skip
    assert code == 0
    data = json.loads(out)
    assert data["until"] == "2026-06-30T10:00:00+00:00"
    assert (data["recorded"]["escalated"], data["simulated"]["escalated"]) == (2, 5)
    assert data["recorded"]["closed_without_reply"] == 4
    assert data["period"] == "2026-H1"
    assert len(data["refusals"]) == 5
    assert {r["trigger"] for r in data["refusals"]} == {"verify"}
    assert len(data["changes"]) == 5
    assert data["not_replayable"] == []


def _strict() -> str:
    return TWO_DAYS + "transitions:\n  verify: {source: [received]}\n"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--period", "2026-Q5"], r"sp4n: error: period='2026-Q5' is invalid: no such quarter"),
        (
            ["--period", "2026-H1", "--until", "2026-06-30"],
            r"sp4n: error: until='2026-06-30' is invalid: expected an ISO 8601",
        ),
        (["--period", "2026-H1", "--sop", "missing.yaml"], r"sp4n: error: missing\.yaml: no such file"),
        (
            ["--period", "2026-H1", "--sop", "bad"],
            r"sp4n: error: \S*/variant\.yaml: line 5, column 18: clocks\[0\]\.budget: '2 hari'",
        ),
    ],
)
def test_bad_arguments_are_clear_errors(
    recorded: Dataset,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    argv: list[str],
    message: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    good = variant(tmp_path)
    if "bad" in argv:
        argv[argv.index("bad")] = str(variant(tmp_path, good.read_text().replace("2 working days", "2 hari")))
    elif "--sop" not in argv:
        argv += ["--sop", str(good)]
    code, out, err = run(capsys, "simulate", "--url", recorded.url, *argv)
    assert (code, out) == (2, "")
    assert re.match(message, err), err
