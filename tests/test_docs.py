"""The docs cannot rot: every ```python block of docs/*.md and README.md runs.

The blocks of one file run in order, in one namespace, as a reader would paste them; each file
runs in its own empty working directory, so a block may write the files it then reads.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCUMENTS = sorted([*ROOT.glob("docs/*.md"), ROOT / "README.md"])
FENCE = re.compile(r"^```python[ \t]*\n(.*?)^```[ \t]*$", re.MULTILINE | re.DOTALL)


def python_blocks(text: str) -> list[tuple[int, str]]:
    """(first line number, code) of every fenced python block."""
    return [(text.count("\n", 0, m.start(1)) + 1, m.group(1)) for m in FENCE.finditer(text)]


def test_block_extraction() -> None:
    text = "intro\n```python\nx = 1\n```\n\n```console\n$ no\n```\n```python\ny = x + 1\n```\n"
    assert python_blocks(text) == [(3, "x = 1\n"), (10, "y = x + 1\n")]


@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda p: str(p.relative_to(ROOT)))
def test_python_blocks_run(path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert path.is_file(), f"{path.name} is missing"
    blocks = python_blocks(path.read_text(encoding="utf-8"))
    if path.parent.name == "docs":
        assert blocks, f"{path.name} has no python example"
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {"__name__": f"docs_{path.stem}"}
    for line, code in blocks:
        # Pad with blank lines so a traceback points at the line of the document.
        exec(compile("\n" * (line - 1) + code, str(path), "exec"), namespace)
