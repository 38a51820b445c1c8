"""The active calendar lives in the database: a running worker process takes up a decree that a
host applied, within one sweep and without a restart.

Before, each process kept the calendar it started with: a worker went on counting new deadlines
on the old calendar until it was restarted.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy import select

from sp4n.calendars import WorkingCalendar
from sp4n.calendars.days import DayKind, NonWorkingDay
from sp4n.persistence import tables as t
from sp4n.persistence.records import TimerStatus

from .helpers import REPORTER, Db, engine_on, past_clock, upgraded, wait_until, wall_now, worker_group


def decree_calendar() -> WorkingCalendar:
    """The Indonesian calendar with one more regional closure, far from the complaints' windows."""
    base = WorkingCalendar.indonesia()
    closure = NonWorkingDay(
        date=date(2027, 12, 27),
        name="Penutupan kantor (uji)",
        kind=DayKind.REGIONAL,
        source="Keputusan uji",
    )
    return base.replace(days=[*base.days, closure])


def test_a_running_worker_counts_on_a_calendar_another_process_applied(sqlite_url: str, tmp_path: Path) -> None:
    url = upgraded(sqlite_url)
    with worker_group(tmp_path) as group, Db(url) as db:
        worker = group.start(url, "--interval", "0.2", "--batch", "20")
        worker.wait_started()
        with engine_on(url, past_clock(days=30)) as host:
            assert host.apply_calendar(decree_calendar()) == []  # nothing runs yet: nothing to re-project
            new_version = host.calendar_for("Asia/Jakarta").version
            ids = [host.submit(REPORTER, title=f"Sampah menumpuk {i}").id for i in range(5)]
            wait_until(lambda: db.count_timers(TimerStatus.PENDING, due_by=wall_now()) == 0, "due timers to fire")
        assert worker.stop() == 0
        with db.engine.connect() as conn:
            fired = conn.execute(
                select(t.events.c.complaint_id, t.events.c.calendar_version).where(
                    t.events.c.kind == "deadline_transition"
                )
            ).all()
    assert {cid for cid, _ in fired} == set(ids)
    assert {version for _, version in fired} == {new_version}
