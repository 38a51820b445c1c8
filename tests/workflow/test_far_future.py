"""The calendar never stops the engine: a deadline past the confirmed years is computed on the
dates ``holidays`` estimates and the weekmask, flagged unconfirmed, and never refused."""

from __future__ import annotations

from datetime import date

import pytest

from sp4n.calendars import WorkingCalendar
from sp4n.calendars.indonesia import last_confirmed_year
from sp4n.testing import Scenario
from sp4n.workflow import SYSTEM


@pytest.mark.parametrize(
    ("start", "classification"),
    [
        ("2028-10-06T10:00:00+07:00", "pengaduan_pengawasan"),  # 60 working days reach into 2029
        ("2028-12-28T10:00:00+07:00", "pengaduan"),
        ("2035-03-12T10:00:00+07:00", "pengaduan_pengawasan"),
    ],
)
def test_a_submit_years_ahead_is_counted_and_flagged(start: str, classification: str) -> None:
    s = Scenario(sops=["national"], start=start)
    cid = s.submit()
    s.fire(cid, "verify", s.national_admin, classification=classification, category="kesehatan")
    s.fire(cid, "distribute", s.national_admin, agency="dinas_kesehatan")
    completion = next(d for d in s.engine.deadlines(cid, SYSTEM) if d.clock == "completion")
    due = completion.due
    assert due is not None
    assert due.local_date > date.fromisoformat(start[:10])
    assert not due.confirmed
    assert due.unconfirmed_years
    assert all(year > last_confirmed_year() for year in due.unconfirmed_years)
    assert "Warning: no confirmed joint-leave (cuti bersama) data for" in due.explain("en")
    assert "Perhatian: belum ada data cuti bersama" in due.explain("id")


def test_estimated_holidays_of_2035_are_skipped() -> None:
    cal = WorkingCalendar.indonesia()
    assert cal.years[1] >= 2035
    new_year = cal.non_working_day(date(2035, 1, 1))
    assert new_year is not None
    assert new_year.name == "Tahun Baru Masehi"
    assert any(d.estimated for d in cal.non_working_days(2035))
    due = cal.due(cal.start_of_day(date(2034, 12, 28)), "3 working days")
    assert due.local_date == date(2035, 1, 3)  # Thu 28: Fri 29 (1), Mon 1 Jan off, Tue 2 (2), Wed 3 (3)
    assert 2035 in due.unconfirmed_years
