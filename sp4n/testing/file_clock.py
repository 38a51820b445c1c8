"""FileClock: a process's time, read from a file that another process (a test) writes.

``sp4n serve --clock-file PATH`` runs the service, and the deadline worker it starts on SQLite,
on the instant written in PATH, so a browser test can move a real server's time as it moves a
:class:`~sp4n.testing.ManualClock`. For tests and demos only: a production service runs on the
system clock.
"""

from __future__ import annotations

import os
import threading
from datetime import datetime
from pathlib import Path

from sp4n.errors import InvalidArgumentError, Sp4nError
from sp4n.testing.clock import as_instant


class FileClock:
    """A clock whose now is the ISO 8601 instant (with its offset) written in ``path``, re-read
    whenever the file changes. Like a ManualClock it never moves backwards."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        self._seen: tuple[int, int, int] | None = None
        self._now = self._read()

    def _read(self) -> datetime:
        try:
            text = self.path.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise InvalidArgumentError("clock_file", str(self.path), f"a readable file ({exc.strerror})") from None
        return as_instant(text, "clock_file")

    def now(self) -> datetime:
        """The instant in the file, in UTC (the last one read while the file is being rewritten)."""
        with self._lock:
            try:
                stat = os.stat(self.path)
                seen = (stat.st_ino, stat.st_mtime_ns, stat.st_size)
                if seen != self._seen:
                    self._now, self._seen = max(self._now, self._read()), seen
            except (OSError, Sp4nError):
                pass  # a writer is replacing the file: keep the last instant
            return self._now

    @staticmethod
    def write(path: str | Path, instant: datetime | str) -> datetime:
        """Set the instant a FileClock on ``path`` reads (atomically: written aside, then renamed)."""
        at = as_instant(instant, "instant")
        target = Path(path)
        aside = target.with_name(target.name + ".tmp")
        aside.write_text(at.isoformat(), encoding="utf-8")
        os.replace(aside, target)
        return at

    def __repr__(self) -> str:
        return f"FileClock({str(self.path)!r})"
