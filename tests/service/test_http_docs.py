"""Every ```bash block of docs/http.md runs, in order, against a live ``sp4n serve``: curl is
a small wrapper around the real one that keeps each answer's status and body, and each block
must answer the status its ``# → NNN`` comment says."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from .conftest import Live

DOC = Path(__file__).resolve().parents[2] / "docs" / "http.md"
FENCE = re.compile(r"^```bash[ \t]*\n(.*?)^```[ \t]*$", re.MULTILINE | re.DOTALL)
EXPECT = re.compile(r"^# → (\d{3})$", re.MULTILINE)

WRAPPER = """#!/bin/sh
n=$(( $(cat "$CURL_LOG/count" 2>/dev/null || echo 0) + 1 ))
echo "$n" > "$CURL_LOG/count"
exec "$REAL_CURL" -sS -o "$CURL_LOG/body.$n" -w '%{http_code}' "$@" > "$CURL_LOG/status.$n"
"""
"""curl as the reader types it, with its status and body kept for the test (``-sS -o -w``)."""


def bash_blocks(text: str) -> list[tuple[int, str]]:
    """(first line number, code) of every fenced bash block."""
    return [(text.count("\n", 0, m.start(1)) + 1, m.group(1)) for m in FENCE.finditer(text)]


def test_block_extraction() -> None:
    text = "x\n```bash\n# → 200\ncurl a\n```\n```ini\n[Unit]\n```\n```bash\ncurl b\n```\n"
    assert bash_blocks(text) == [(3, "# → 200\ncurl a\n"), (10, "curl b\n")]


def test_every_curl_example_answers_as_it_says(live: Live, tmp_path: Path) -> None:
    real = shutil.which("curl")
    assert real is not None, "the curl examples of docs/http.md need curl"
    blocks = bash_blocks(DOC.read_text(encoding="utf-8"))
    assert len(blocks) >= 15
    bin_dir, log = tmp_path / "bin", tmp_path / "log"
    bin_dir.mkdir()
    log.mkdir()
    wrapper = bin_dir / "curl"
    wrapper.write_text(WRAPPER, encoding="utf-8")
    wrapper.chmod(0o755)
    env = {
        **os.environ,
        "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
        "REAL_CURL": real,
        "CURL_LOG": str(log),
        "SP4N": live.server.base,
        "KEY": live.tokens["dinas"],
        "ADMIN_KEY": live.tokens["national"],
    }
    for line, code in blocks:
        expected = EXPECT.findall(code)
        assert len(expected) == 1, f"docs/http.md line {line}: one '# → NNN' comment per block"
        assert "curl " in code, f"docs/http.md line {line}: a bash block without curl"
        ran = subprocess.run(["bash", "-e", "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True)
        assert ran.returncode == 0, f"docs/http.md line {line}: {ran.stderr}"
        n = int((log / "count").read_text())
        status = (log / f"status.{n}").read_text()
        body = (log / f"body.{n}").read_text(encoding="utf-8")
        assert status == expected[0], f"docs/http.md line {line}: {status} instead of {expected[0]}: {body}"
        if "ID" not in env and status == "201":  # the complaint the later examples use
            filed = json.loads(body)
            env["ID"], env["TRACKING"] = filed["id"], filed["tracking_number"]
    assert "ID" in env
    assert int((log / "count").read_text()) == len(blocks)


@pytest.mark.postgres
def test_the_curl_examples_on_postgresql(live_postgres: Live, tmp_path: Path) -> None:
    test_every_curl_example_answers_as_it_says(live_postgres, tmp_path)
