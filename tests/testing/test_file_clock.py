"""FileClock: the instant in a file, re-read when the file changes, never backwards."""

from __future__ import annotations

from pathlib import Path

import pytest

from sp4n.errors import InvalidArgumentError, NaiveDatetimeError
from sp4n.testing import FileClock


def test_reads_the_instant_written_and_follows_changes(tmp_path: Path) -> None:
    path = tmp_path / "now.txt"
    FileClock.write(path, "2026-03-02T09:00:00+07:00")
    clock = FileClock(path)
    assert clock.now().isoformat() == "2026-03-02T02:00:00+00:00"
    FileClock.write(path, "2026-03-02T10:30:00+07:00")
    assert clock.now().isoformat() == "2026-03-02T03:30:00+00:00"
    FileClock.write(path, "2026-03-01T10:30:00+07:00")  # backwards: ignored
    assert clock.now().isoformat() == "2026-03-02T03:30:00+00:00"
    path.write_text("not an instant", encoding="utf-8")  # a torn write keeps the last instant
    assert clock.now().isoformat() == "2026-03-02T03:30:00+00:00"


def test_a_missing_or_bad_file_is_refused_at_start(tmp_path: Path) -> None:
    missing = tmp_path / "none.txt"
    with pytest.raises(
        InvalidArgumentError,
        match=r"^clock_file='.*none\.txt' is invalid: expected a readable file \(No such file or directory\)$",
    ):
        FileClock(missing)
    naive = tmp_path / "naive.txt"
    naive.write_text("2026-03-02T09:00:00", encoding="utf-8")
    with pytest.raises(
        NaiveDatetimeError, match=r"^clock_file=datetime\.datetime\(2026, 3, 2, 9, 0\) is a naive datetime"
    ):
        FileClock(naive)
