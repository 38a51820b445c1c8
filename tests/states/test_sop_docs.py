"""docs/sop.md: its Python blocks run, and it lists every check and every built-in SOP."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from sp4n.states import builtin_sop_ids
from sp4n.states.validation import CHECKS

DOC = Path(__file__).resolve().parents[2] / "docs" / "sop.md"
TEXT = DOC.read_text(encoding="utf-8")
BLOCKS = re.findall(r"^```python\n(.*?)^```", TEXT, flags=re.MULTILINE | re.DOTALL)


def test_there_are_python_blocks() -> None:
    assert len(BLOCKS) >= 3


@pytest.mark.parametrize("code", BLOCKS, ids=[f"block{i}" for i in range(len(BLOCKS))])
def test_python_block_runs(code: str, capsys: pytest.CaptureFixture[str]) -> None:
    exec(compile(code, str(DOC), "exec"), {"__name__": "sop_md"})
    capsys.readouterr()


def test_every_check_is_documented() -> None:
    for check in CHECKS:
        assert f"`{check.__name__}`" in TEXT


def test_every_builtin_is_documented() -> None:
    for sop_id in builtin_sop_ids():
        assert f"### `{sop_id}`" in TEXT
