"""The report facts (one row per complaint, what KPI reports read): rewritten by every change
that can move them, in its transaction, as the fold of the stored complaint and milestones; and
folded for the complaints already stored by migration 0013."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import select

from sp4n.calendars.days import DayKind, NonWorkingDay
from sp4n.persistence import tables as t
from sp4n.persistence.migrate import downgrade, upgrade
from sp4n.persistence.report_facts import fold
from sp4n.persistence.tables import SCHEMA_REVISION
from sp4n.workflow import Actor

from .backends import ADMIN, AGENCY, VERIFY, db_url_fixture, scenario_on, sql_engine  # noqa: F401
from .test_book import row as book_row
from .test_import_history import NOW, import_one

LIAISON = Actor.liaison_officer("penghubung", AGENCY)
REPORTER = Actor.reporter("warga-1")


def _day_off(day: date) -> NonWorkingDay:
    return NonWorkingDay(date=day, name="Cuti bersama (contoh)", kind=DayKind.JOINT_LEAVE, source="contoh")


def stored(url: str) -> dict[str, dict[str, Any]]:
    with sql_engine(url) as engine, engine.connect() as conn:
        return {r.complaint_id: dict(r._mapping) for r in conn.execute(select(t.report_facts))}


def folded(url: str) -> dict[str, dict[str, Any]]:
    """The rows the fold gives now, from the complaints and milestones as stored."""
    with sql_engine(url) as engine, engine.connect() as conn:
        rows = conn.execute(fold(t.complaints.c.id.is_not(None))).all()
    names = [c.name for c in t.report_facts.c]
    return {r[0]: dict(zip(names, r, strict=True)) for r in rows}


def test_each_change_rewrites_the_row_as_the_fold_gives_it(db_url: str) -> None:
    with scenario_on(db_url) as s:
        cid = s.submit()
        row = stored(db_url)[cid]
        assert (row["state"], row["agency"], row["verified_days"], row["escalated"]) == ("received", None, None, 0)
        steps = (
            ("verify", None, VERIFY),
            ("distribute", None, {"agency": AGENCY}),
            ("follow_up", LIAISON, {"response": "jawaban"}),
            ("reply", REPORTER, {"message": "belum selesai"}),
        )
        for trigger, actor, data in steps:
            s.advance_working_days(1)
            s.fire(cid, trigger, actor, **data)
            assert stored(db_url) == folded(db_url)
        row = stored(db_url)[cid]
        assert (row["agency"], row["verified_by"], row["followed_up_by"]) == (AGENCY, "admin-nasional", "penghubung")
        assert (row["verified_days"], row["distributed_days"], row["followed_up_days"]) == (1, 2, 3)
        assert (row["replied"], row["verified_any"], row["closed_by_system"]) == (1, 1, 0)
        s.advance_working_days(15)  # the completion clock escalates it
        assert s.state(cid) == "escalated"
        assert stored(db_url)[cid]["state"] == "escalated"
        assert stored(db_url) == folded(db_url)


def test_migration_0013_folds_every_complaint_as_the_changes_wrote_it(db_url: str) -> None:
    with scenario_on(db_url) as s:
        done = s.submit(title="selesai")
        s.fire(done, "verify", **VERIFY)
        s.fire(done, "distribute", agency=AGENCY)
        s.fire(done, "follow_up", LIAISON, response="ok")
        s.fire(done, "close", REPORTER)
        held = s.submit(title="ditunda")
        s.fire(held, "hold", reason="data kurang")
        s.submit(title="terlambat")
        s.advance(days=10)
        s.submit(title="baru")
    live = stored(db_url)
    assert len(live) == 4
    with sql_engine(db_url) as engine:
        assert downgrade(engine, "0012") == "0012"
        assert upgrade(engine) == SCHEMA_REVISION
    assert stored(db_url) == live


def test_books_imported_histories_links_and_new_calendars_write_the_row_as_the_fold_gives_it(db_url: str) -> None:
    with scenario_on(db_url, start=NOW) as s:
        e = s.engine
        import_one(e)
        e.import_book(
            [
                book_row("Jalan rusak", "02/03/2026 08:15", klasifikasi="Pengaduan", kategori="infrastruktur"),
                book_row("Puskesmas tutup", "05/03/2026", kategori="KESEHATAN", id_pelapor="warga-9", anonim="ya"),
            ],
            Actor.agency_admin("admin-kes", AGENCY),
        )
        assert len(stored(db_url)) == 3
        assert stored(db_url) == folded(db_url)
        e.link_external(s.submit(title="baru"), "LAPOR-9", ADMIN)
        assert stored(db_url) == folded(db_url)
        today = s.clock.now().date()
        e.apply_calendar(e.calendar.with_days(add=[_day_off(today + timedelta(days=k)) for k in (1, 2, 3)]))
        s.advance_working_days(12)
        assert stored(db_url) == folded(db_url)
