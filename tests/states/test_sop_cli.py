"""``sp4n sop validate | show | diagram``, through a parser built here with add_sop_commands."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from sp4n.cli_sop import add_sop_commands
from sp4n.states import builtin_sop, load_sop
from sp4n.states.diagram import sop_to_mermaid

BROKEN = Path(__file__).parent / "broken"
KALSEL = Path(__file__).resolve().parents[2] / "examples" / "sop" / "kalsel-shorter.yaml"


def run(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="sp4n")
    add_sop_commands(parser.add_subparsers(dest="group", required=True))
    args = parser.parse_args(["sop", *argv])
    code: int = args.handler(args)
    return code


def test_validate_prints_id_and_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert run("validate", str(KALSEL), "national") == 0
    out = capsys.readouterr().out.splitlines()
    assert out == [f"OK kalsel_shorter {load_sop(KALSEL).version}", f"OK national {builtin_sop('national').version}"]


def test_validate_reports_every_bad_file_and_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    code = run("validate", str(BROKEN / "dead-end.yaml"), str(KALSEL), str(BROKEN / "no-roles.yaml"))
    captured = capsys.readouterr()
    assert code == 2
    assert captured.out == f"OK kalsel_shorter {load_sop(KALSEL).version}\n"
    errors = captured.err.splitlines()
    assert len(errors) == 3  # dead-end.yaml has two mistakes: each is on its own line
    assert errors[0].startswith("sp4n: error: ")
    assert "dead-end.yaml: line 6, column 5: states.verified: state 'verified' has no outgoing" in errors[0]
    assert "dead-end.yaml: line 6, column 5: states.verified: no terminal state can be reached" in errors[1]
    assert "no-roles.yaml: line 9, column 57: transitions[0].roles" in errors[2]


def test_show(capsys: pytest.CaptureFixture[str]) -> None:
    assert run("show", "national") == 0
    out = capsys.readouterr().out
    sop = builtin_sop("national")
    assert f"version: {sop.version}" in out
    assert "  received: Diterima / Received  [initial]" in out
    assert "  escalate: received, verified, distributed, rerouting -> escalated  [system]" in out
    assert "  verify: received, escalated -> verified  [national_admin, agency_admin]; requires classification" in out
    assert "  completion (Completion): by classification: aspirasi 5 working days" in out
    assert "    breach: at due: fire escalate (if late: fire)" in out
    assert "counting: receipt day excluded, after hours same_day" in out


def test_show_a_variant_file_with_routing(capsys: pytest.CaptureFixture[str]) -> None:
    assert run("show", "covid19_fasttrack") == 0
    out = capsys.readouterr().out
    assert "extends: national" in out
    assert "  covid_other: category covid19, 'covid'" in out


def test_show_unknown(capsys: pytest.CaptureFixture[str]) -> None:
    assert run("show", "nasional") == 2
    assert capsys.readouterr().err == (
        "sp4n: error: SOP 'nasional' is not known; known: batam_24h, covid19_fasttrack, national\n"
    )


def test_diagram_to_stdout_and_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run("diagram", "batam_24h") == 0
    assert capsys.readouterr().out == sop_to_mermaid(builtin_sop("batam_24h"))
    target = tmp_path / "batam.mmd"
    assert run("diagram", "batam_24h", "--output", str(target)) == 0
    assert target.read_text(encoding="utf-8") == sop_to_mermaid(builtin_sop("batam_24h"))
    assert str(target) in capsys.readouterr().out


def test_diagram_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run("diagram", str(BROKEN / "trap.yaml")) == 2
    assert "trap.yaml: line 8, column 5: states.waiting" in capsys.readouterr().err
    assert run("diagram", "national", "--output", str(tmp_path / "missing" / "x.mmd")) == 2
    assert capsys.readouterr().err.startswith("sp4n: error: cannot write ")
