"""A stored SOP version is re-hashed against its version id and validated when a process loads it:
an edited or broken definition is a clear error, and no process runs it."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from sp4n.errors import SopValidationError
from sp4n.states import build_sop
from sp4n.testing import ManualClock
from sp4n.workflow import Actor, Engine

START = "2026-03-09T10:00:00+07:00"
REPORTER = Actor.reporter("warga-1")
ADMIN = Actor.national_admin("admin-nasional")


def variant() -> Any:
    return build_sop({"id": "kota", "extends": "national", "title": "SP4N-LAPOR! kota"})


def edit(url: str, change: Callable[[dict[str, Any]], None]) -> str:
    """Change the stored content of the one `kota` version in place, as a person with SQL access could."""
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        version, content = conn.execute(sa.text("SELECT version, content FROM sp4n_sops WHERE id = 'kota'")).one()
        content = json.loads(content) if isinstance(content, str) else content
        change(content)
        conn.execute(sa.text("UPDATE sp4n_sops SET content = :c WHERE id = 'kota'"), {"c": json.dumps(content)})
    engine.dispose()
    return str(version)


def submitted(url: str) -> str:
    engine = Engine(sops=[variant()], database_url=url, clock=ManualClock(START))
    try:
        return engine.submit(REPORTER, title="Jalan rusak", sop="kota").id
    finally:
        engine.close()


def shorten_verification(content: dict[str, Any]) -> None:
    clock = next(c for c in content["clocks"] if c["name"] == "verification")
    clock["budget"] = "2 working days"


def no_initial_state(content: dict[str, Any]) -> None:
    for state in content["states"]:
        state["initial"] = False


def test_an_edited_stored_sop_is_refused_by_every_process(sqlite_url: str) -> None:
    cid = submitted(sqlite_url)
    version = edit(sqlite_url, shorten_verification)
    clock = ManualClock(START)
    worker = Engine(sops=(), database_url=sqlite_url, clock=clock)  # knows the SOP only from the store
    try:
        expected = (
            rf"stored SOP kota@{version}: its content is SOP 'kota' version '\w+', not 'kota' version '{version}'"
        )
        with pytest.raises(SopValidationError, match=expected + ": the stored definition was edited"):
            worker.fire(cid, "verify", ADMIN, classification="pengaduan", category="kesehatan")
        clock.advance(timedelta(days=3))
        with pytest.raises(SopValidationError, match="the stored definition was edited"):
            worker.run_due()  # a worker's sweep logs it and retries the timer when its lease expires
        assert worker.store.load(cid).complaint.state == "received"
    finally:
        worker.close()


def test_a_broken_stored_sop_is_a_clear_error_not_a_stop_iteration(sqlite_url: str) -> None:
    cid = submitted(sqlite_url)
    version = edit(sqlite_url, no_initial_state)
    worker = Engine(sops=(), database_url=sqlite_url, clock=ManualClock(START))
    try:
        with pytest.raises(SopValidationError, match=rf"^stored SOP kota@{version}: states: no initial state"):
            worker.fire(cid, "verify", ADMIN, classification="pengaduan", category="kesehatan")
    finally:
        worker.close()


def test_an_edited_stored_calendar_is_not_taken_up(sqlite_url: str, caplog: pytest.LogCaptureFixture) -> None:
    from sp4n.calendars import WorkingCalendar

    engine = Engine(sops=["national"], database_url=sqlite_url, clock=ManualClock(START))
    decree = WorkingCalendar.indonesia().with_overrides(
        {"add": [{"date": "2026-03-10", "name": "Cuti tambahan", "kind": "joint_leave", "source": "SKB"}]}
    )
    other = Engine(sops=["national"], database_url=sqlite_url, clock=ManualClock(START))
    try:
        before = other.calendar.version
        engine.apply_calendar(decree)
        db = sa.create_engine(sqlite_url)
        with db.begin() as conn:
            content = json.loads(
                conn.execute(
                    sa.text("SELECT content FROM sp4n_calendars WHERE version = :v"), {"v": decree.version}
                ).scalar_one()
            )
            content["days"] = content["days"][:-1]
            conn.execute(
                sa.text("UPDATE sp4n_calendars SET content = :c WHERE version = :v"),
                {"c": json.dumps(content), "v": decree.version},
            )
        db.dispose()
        assert other.runtime.refresh() is False
        assert other.calendar.version == before
        assert f"the stored calendar {decree.version} cannot be used (calendar data=" in caplog.text
        assert f"expected content whose version is {decree.version}, not" in caplog.text
    finally:
        engine.close()
        other.close()
