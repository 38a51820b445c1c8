"""A worker process and a host on one SQLite file: no "database is locked", every due timer once."""

from __future__ import annotations

import time
from pathlib import Path

from sp4n.persistence.audit import verify_history
from sp4n.persistence.records import TimerStatus

from .helpers import (
    REPORTER,
    Db,
    engine_on,
    firings_per_timer,
    past_clock,
    to_followed_up,
    upgraded,
    wait_until,
    wall_now,
    worker_group,
    zombie_children,
)

LOAD_SECONDS = 4.0


def test_a_worker_and_a_busy_host_share_one_sqlite_file(sqlite_url: str, tmp_path: Path) -> None:
    url = upgraded(sqlite_url)
    # "hot" complaints are filed on a clock 30 days back: their verification timers are overdue for
    # the worker at once; "quiet" ones are filed now and moved on by people, with nothing due
    with (
        engine_on(url, past_clock(days=30)) as hot,
        engine_on(url) as quiet,
        worker_group(tmp_path) as group,
        Db(url) as db,
    ):
        hot_ids = [hot.submit(REPORTER, title="Sampah menumpuk 0").id]
        worker = group.start(url, "--interval", "0.1", "--batch", "20")
        worker.wait_started()
        quiet_ids: list[str] = []
        failures: list[BaseException] = []
        commands = 0
        end = time.monotonic() + LOAD_SECONDS
        while time.monotonic() < end:
            try:
                hot_ids.append(hot.submit(REPORTER, title=f"Sampah menumpuk {len(hot_ids)}").id)
                cid = quiet.submit(REPORTER, title=f"Trotoar rusak {len(quiet_ids)}").id
                to_followed_up(quiet, cid)
                quiet.fire(cid, "reply", REPORTER, message="Belum diperbaiki")
                quiet_ids.append(cid)
                commands += 6
            except Exception as exc:  # the host must see none, "database is locked" least of all
                failures.append(exc)
                break
        assert failures == []
        fired_during_load = db.count_timers(TimerStatus.FIRED)
        wait_until(lambda: db.count_timers(TimerStatus.PENDING, due_by=wall_now()) == 0, "every due timer to fire")
        assert worker.stop() == 0
        assert zombie_children() == []

        checked_at = wall_now()
        due = [tm for tm in db.timers() if tm.due_at <= checked_at]
        assert {tm.complaint_id for tm in due} == set(hot_ids)
        assert len(due) == 2 * len(hot_ids)
        assert [tm.id for tm in due if tm.status is not TimerStatus.FIRED] == []
        assert firings_per_timer(db.firing_events()) == {tm.id: 1 for tm in due}
        states = db.complaint_states()
        assert {states[cid] for cid in hot_ids} == {"escalated"}
        assert {states[cid] for cid in quiet_ids} == {"distributed"}
        assert verify_history(hot.store) == []
    log = worker.log()
    assert "database is locked" not in log
    assert worker.problems() == []
    assert len(worker.firings()) == len(due)
    # the load was real: both sides wrote while the other did
    assert len(quiet_ids) >= 10, commands
    assert fired_during_load > 0
    print(f"{commands} host commands, {len(due)} firings ({fired_during_load} during the {LOAD_SECONDS:.0f} s load)")
