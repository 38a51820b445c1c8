"""``sp4n calendar apply`` makes a calendar active in a database; ``sp4n calendar active`` shows it."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from sp4n.calendars import WorkingCalendar
from sp4n.cli import main
from sp4n.persistence.sql import open_store
from sp4n.testing import ManualClock
from sp4n.workflow import SYSTEM, Actor, Engine

EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "calendars"
JATENG = EXAMPLES / "jateng-2026.yaml"


def test_apply_makes_the_calendar_active_and_re_projects_what_it_moves(
    sqlite_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    engine = Engine(store=open_store(sqlite_url, upgrade=True), clock=ManualClock("2026-03-16T10:00:00+07:00"))
    try:
        cid = engine.submit(Actor.reporter("warga-1"), title="Jalan berlubang").id
        before = next(d for d in engine.deadlines(cid, SYSTEM) if d.clock == "verification")
    finally:
        engine.close()
    expected = WorkingCalendar.indonesia().with_overrides(JATENG)

    assert main(["calendar", "apply", "--url", sqlite_url, str(JATENG)]) == 0
    out = capsys.readouterr().out
    assert f"calendar {expected.version} is active (was {WorkingCalendar.indonesia().version})" in out
    assert "1 complaints re-projected" in out

    engine = Engine(store=open_store(sqlite_url), clock=ManualClock("2026-03-16T11:00:00+07:00"))
    try:
        assert engine.calendar.version == expected.version
        after = next(d for d in engine.deadlines(cid, SYSTEM) if d.clock == "verification")
        # 20 March is a working day now and 25 March is not: still due on the 26th, but the
        # warning "1 working day before" comes on Friday 20 March instead of Wednesday 25
        assert before.due is not None
        assert after.due is not None
        assert after.due.local_date == before.due.local_date
        assert dict(after.rungs)["warning"].date() == date(2026, 3, 20)
        assert dict(before.rungs)["warning"].date() == date(2026, 3, 25)
        assert engine.history(cid, SYSTEM)[-1].kind == "calendar_reprojected"
    finally:
        engine.close()

    assert main(["calendar", "apply", "--url", sqlite_url, str(JATENG)]) == 0
    assert "is already active; nothing changed" in capsys.readouterr().out

    assert main(["calendar", "active", "--url", sqlite_url]) == 0
    out = capsys.readouterr().out
    assert f"calendar {expected.version}" in out
    assert "regional" in out


def test_apply_of_a_missing_file_is_a_clear_error_and_changes_nothing(
    sqlite_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    open_store(sqlite_url, upgrade=True).close()
    assert main(["calendar", "apply", "--url", sqlite_url, str(tmp_path / "nope.yaml")]) == 2
    assert "nope.yaml" in capsys.readouterr().err
    assert main(["calendar", "active", "--url", sqlite_url]) == 0
    assert f"calendar {WorkingCalendar.indonesia().version}" in capsys.readouterr().out
