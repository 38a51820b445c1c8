"""``sp4n sop diagram``: Mermaid or DOT text, SVG or PNG through Graphviz, never text named as a picture."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from sp4n.cli import main
from sp4n.states import builtin_sop
from sp4n.states.diagram import sop_to_dot, sop_to_mermaid

NEEDS_DOT = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is not installed")


def test_mermaid_is_never_written_into_a_picture_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for name in ("n.svg", "n.PNG"):
        target = tmp_path / name
        assert main(["sop", "diagram", "national", "--format", "mermaid", "-o", str(target)]) == 2
        assert not target.exists()
        suffix = target.suffix.lower()
        assert capsys.readouterr().err == (
            f"sp4n: error: --output='{target}' is invalid: expected a file for mermaid text (.mmd or .dot); "
            f"{suffix} holds a picture: --format {suffix[1:]}\n"
        )


def test_the_format_follows_the_output_suffix(tmp_path: Path) -> None:
    national = builtin_sop("national")
    assert main(["sop", "diagram", "national", "-o", str(tmp_path / "n.dot")]) == 0
    assert (tmp_path / "n.dot").read_text(encoding="utf-8") == sop_to_dot(national)
    assert main(["sop", "diagram", "national", "-o", str(tmp_path / "n.mmd")]) == 0
    assert (tmp_path / "n.mmd").read_text(encoding="utf-8") == sop_to_mermaid(national)


def test_dot_text_names_every_state_transition_and_clock() -> None:
    text = sop_to_dot(builtin_sop("national"))
    assert text.startswith('digraph "national" {\n')
    assert '"closed" [label="Selesai (closed)", peripheries=2];' in text
    assert '"verified" -> "distributed" [label="distribute (national_admin, agency_admin)"];' in text
    assert '"clock_verification" -> "received" [style=dashed, arrowhead=none];' in text
    assert "clock verification: 3 working days\\lruns in received, verified\\l" in text


@NEEDS_DOT
@pytest.mark.parametrize(("suffix", "magic"), [(".svg", b"<?xml"), (".png", b"\x89PNG")])
def test_a_picture_is_drawn_by_graphviz(tmp_path: Path, suffix: str, magic: bytes) -> None:
    target = tmp_path / f"national{suffix}"
    assert main(["sop", "diagram", "national", "-o", str(target)]) == 0
    assert target.read_bytes().startswith(magic)


def test_a_picture_needs_a_file(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sop", "diagram", "national", "--format", "svg"]) == 2
    assert "a svg picture goes to a file: give --output" in capsys.readouterr().err


def test_without_graphviz_a_picture_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no dot program here
    assert main(["sop", "diagram", "national", "-o", str(tmp_path / "n.svg")]) == 2
    assert capsys.readouterr().err == (
        "sp4n: error: --format='svg' is invalid: expected Graphviz's dot program, which is not installed; "
        "write --format dot or mermaid\n"
    )
