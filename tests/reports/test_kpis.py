"""Every KPI of a dataset known by construction (see :mod:`.dataset`), exactly, on SQLite and
PostgreSQL: the breakdown, durations, clocks, counts, backlog, splits, roll-up, periods, scope."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from sp4n.errors import InvalidData, StoreError
from sp4n.reports import ClockFigures, Durations, Report, ReportRow, Stage, kpis
from sp4n.testing import Scenario
from sp4n.testing.postgres import postgres_schema
from sp4n.workflow import Actor

from .dataset import END, built

NATIONAL = Actor.national_admin("admin-nasional")


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def data(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scenario]:
    """The dataset, built once per backend."""
    if request.param == "sqlite":
        with built(f"sqlite:///{tmp_path_factory.mktemp('kpis') / 'sp4n.db'}") as s:
            yield s
        return
    with postgres_schema(request.getfixturevalue("postgres_url")) as url, built(url) as s:
        yield s


def week(s: Scenario, actor: Actor | None = NATIONAL, **options: object) -> Report:
    return kpis(s.engine, actor, period="2026-W02", **options)  # type: ignore[arg-type]


def rows(report: Report) -> dict[tuple[str | None, ...], ReportRow]:
    return {tuple(r.key.values()): r for r in report.rows}


def test_the_breakdown_is_the_seeds(data: Scenario) -> None:
    total = week(data).total
    assert total.received == 100
    assert {s: total.stage(s) for s in Stage} == {
        Stage.COMPLETED: 83,
        Stage.IN_PROCESS: 3,
        Stage.UNVERIFIED: 1,
        Stage.NOT_FOLLOWED_UP: 13,
    }
    assert total.completion_rate == 0.83
    assert total.share(Stage.NOT_FOLLOWED_UP) == 0.13
    assert total.states == {
        "closed": 75,
        "archived": 5,
        "referred": 3,
        "followed_up": 3,
        "distributed": 13,
        "escalated": 1,
    }


def test_working_days_to_each_step(data: Scenario) -> None:
    total = week(data).total
    assert total.to_verification == Durations(((1, 50), (2, 41)))
    assert total.to_verification.mean == (50 + 41 * 2) / 91
    assert (total.to_verification.median, total.to_verification.p90) == (1, 2)
    assert total.to_distribution == Durations(((2, 91),))
    assert total.to_follow_up == Durations(((3, 60), (5, 18)))
    assert total.to_follow_up.mean == (60 * 3 + 18 * 5) / 78
    assert (total.to_follow_up.median, total.to_follow_up.p90) == (3, 5)


def test_met_and_breached_per_clock(data: Scenario) -> None:
    clocks = week(data).total.clocks
    assert clocks == {
        "verification": ClockFigures(met=96, breached=4, open=0),
        "first_response": ClockFigures(met=88, breached=13, open=0),  # 13 still running, past due
        "completion": ClockFigures(met=75, breached=0, open=16),
        "reporter_response": ClockFigures(met=80, breached=5, open=3),
        "ombudsman_eligibility": ClockFigures(met=83, breached=0, open=17),
    }
    assert clocks["verification"].met_rate == 0.96


def test_escalations_referrals_closures_replies_and_backlog(data: Scenario) -> None:
    total = week(data).total
    assert (total.escalated, total.referred, total.closed_without_reply, total.replied) == (4, 3, 5, 10)
    # the 17 open ones were received 14 working days before 26 January
    assert total.backlog == {"6-14": 17}
    # 8, 9, 12 and 13 January are the 3rd, 4th, 5th and 6th working days after receipt
    for day, bucket in ((8, "0-3"), (9, "4-5"), (12, "4-5"), (13, "6-14")):
        earlier = kpis(data.engine, NATIONAL, period="2026-W02", as_of=END.replace(day=day))
        assert earlier.total.backlog == {bucket: 17}


def test_agencies_roll_up_the_tree_and_the_total_counts_each_complaint_once(data: Scenario) -> None:
    report = week(data, by=["agency"])
    received = {k[0]: r.received for k, r in rows(report).items()}
    assert received == {
        "dinkes_semarang": 40,
        "disdik_semarang": 30,
        "kota_semarang": 70,
        "prov_jateng": 70,
        "dinkes_kalsel": 21,
        "prov_kalsel": 21,
        None: 9,
    }
    kalsel = rows(report)[("prov_kalsel",)]
    assert {s: kalsel.stage(s) for s in Stage if kalsel.stage(s)} == {
        Stage.COMPLETED: 5,
        Stage.IN_PROCESS: 3,
        Stage.NOT_FOLLOWED_UP: 13,
    }
    assert rows(report)[("kota_semarang",)].to_follow_up == Durations(((3, 55), (5, 15)))
    assert report.total.received == 100


def test_splits_by_channel_zone_category_and_time(data: Scenario) -> None:
    by_channel = rows(week(data, by=["channel"]))
    assert {k: r.received for k, r in by_channel.items()} == {("sms",): 40, ("web",): 60}
    assert by_channel[("web",)].stage(Stage.COMPLETED) == 60
    assert by_channel[("sms",)].stage(Stage.COMPLETED) == 23
    by_zone = rows(week(data, by=["zone"]))
    assert {k: r.received for k, r in by_zone.items()} == {("Asia/Jakarta",): 79, ("Asia/Makassar",): 21}
    by_category = rows(week(data, by=["category", "classification"]))
    assert {k: r.received for k, r in by_category.items()} == {("kesehatan", "pengaduan"): 91, (None, None): 9}
    by_day = week(data, by=["channel", "day"])
    assert [tuple(r.key.values()) for r in by_day.rows] == [("sms", "2026-01-05"), ("web", "2026-01-05")]


def test_staff_who_acted(data: Scenario) -> None:
    admins = rows(week(data, by=["admin"]))
    assert {k: r.to_verification for k, r in admins.items()} == {
        ("admin-a",): Durations(((1, 50),)),
        ("admin-b",): Durations(((2, 41),)),
        (None,): Durations(),
    }
    liaison = rows(week(data, by=["liaison_officer"]))
    assert {k: r.to_follow_up.count for k, r in liaison.items()} == {
        ("penghubung-dinkes_semarang",): 40,
        ("penghubung-disdik_semarang",): 30,
        ("penghubung-dinkes_kalsel",): 8,
        (None,): 0,
    }


def test_periods_hold_the_complaints_received_in_them(data: Scenario) -> None:
    assert kpis(data.engine, NATIONAL, period="2026-01").total.received == 101
    assert kpis(data.engine, NATIONAL, period="2026-W05").total.received == 1
    empty = kpis(data.engine, NATIONAL, period="2026-02", by=["agency"])
    assert (empty.rows, empty.total.received, empty.total.completion_rate) == ((), 0, None)
    assert empty.to_dict()["total"]["to_follow_up"] == {"count": 0, "mean": None, "median": None, "p90": None}


def test_scope_follows_the_asker(data: Scenario) -> None:
    semarang = kpis(data.engine, Actor.agency_admin("admin-kota", "kota_semarang"), period="2026-W02", by=["agency"])
    assert {k[0] for k in rows(semarang)} == {"kota_semarang", "dinkes_semarang", "disdik_semarang"}
    assert semarang.total.received == 70
    # the public counts every report but the confidential one, and never per staff member
    assert kpis(data.engine, None, period="2026-01").total.received == 100
    assert kpis(data.engine, NATIONAL, period="2026-01").total.received == 101
    with pytest.raises(InvalidData, match=r"by='admin' is invalid: a per-staff split is for the agency's own staff"):
        kpis(data.engine, None, period="2026-01", by=["agency", "admin"])


def test_the_json_of_a_report(data: Scenario) -> None:
    out = week(data, by=["agency"]).to_dict()
    assert (out["period"], out["by"], out["total"]["received"]) == ("2026-W02", ["agency"], 100)
    assert out["total"]["stages"] == {
        "selesai": 83,
        "dalam_proses": 3,
        "belum_terverifikasi": 1,
        "belum_ditindaklanjuti": 13,
    }
    assert out["total"]["to_follow_up"] == {"count": 78, "mean": 3.4615, "median": 3, "p90": 5}
    assert out["rows"][0]["key"] == {"agency": "dinkes_kalsel"}


@pytest.mark.parametrize(
    ("by", "message"),
    [
        (["nope"], r"by='nope' is invalid: one of agency, category"),
        (["agency", "agency"], r"by='agency' is invalid: named twice"),
        (["week", "month"], r"by=\['week', 'month'\] is invalid: at most one of day, week"),
        ([3], r"by=3 is invalid: one of agency"),
    ],
)
def test_bad_splits_are_refused(data: Scenario, by: list[object], message: str) -> None:
    with pytest.raises(InvalidData, match=message):
        kpis(data.engine, NATIONAL, period="2026-01", by=by)  # type: ignore[arg-type]


def test_reports_need_a_sql_store(tmp_path: Path) -> None:
    s = Scenario()
    with pytest.raises(StoreError, match="KPI reports are computed in SQL: open the engine on SQLite or PostgreSQL"):
        kpis(s.engine, None, period="2026")
