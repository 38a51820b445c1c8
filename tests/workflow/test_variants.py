"""The variants of the national SOP: the COVID-19 fast track, Batam's 24 hours and a shorter provincial SOP.

Each deadline is checked at its exact instant: one second before it nothing of the rung has
fired, at it the rung fires once. Expected dates were worked out by hand from the 2026 calendar;
Monday 2 March 2026 09:00 WIB (the scenario's default start) begins a plain working week.
"""

from __future__ import annotations

import itertools
import re
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from sp4n.errors import PermissionDenied
from sp4n.persistence import ClockStatus
from sp4n.testing import Scenario
from sp4n.workflow import SYSTEM, Deadline

WIB = ZoneInfo("Asia/Jakarta")
KALSEL = Path(__file__).resolve().parents[2] / "examples" / "sop" / "kalsel-shorter.yaml"


def end_of(day: date) -> datetime:
    return datetime.combine(day + timedelta(days=1), time(0), WIB)


def opening_of(day: date) -> datetime:
    """07:30 WIB on ``day``: when a warning "N working days before" comes."""
    return datetime.combine(day, time(7, 30), WIB)


def wib(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=WIB)


def scenario(sop: str | Path, start: str = "2026-03-02T09:00:00+07:00") -> Scenario:
    counter = itertools.count(1)
    return Scenario(sops=[sop], start=start, id_factory=lambda: f"c{next(counter)}")


def deadline(s: Scenario, cid: str, clock: str) -> Deadline:
    found = [d for d in s.engine.deadlines(cid, SYSTEM) if d.clock == clock]
    assert len(found) == 1, f"clock {clock!r} is not running or paused"
    return found[0]


def firings_of(s: Scenario, cid: str, clock: str, rung: str) -> list[str]:
    return [f.outcome for f in s.firings if (f.complaint_id, f.clock, f.rung) == (cid, clock, rung)]


def check_boundary(s: Scenario, cid: str, clock: str, rung: str, instant: datetime, outcome: str) -> None:
    assert dict(deadline(s, cid, clock).rungs)[rung] == instant
    s.advance_to(instant - timedelta(seconds=1))
    assert firings_of(s, cid, clock, rung) == []
    at = [f for f in s.advance(seconds=1) if (f.complaint_id, f.clock, f.rung) == (cid, clock, rung)]
    assert [(f.outcome, f.due_at, f.lateness_seconds) for f in at] == [(outcome, instant, 0.0)]
    assert s.engine.run_due() == []  # nothing fires twice


def check_fired_once(s: Scenario, cid: str, clock: str, rung: str) -> None:
    s.advance(days=7)
    assert len(firings_of(s, cid, clock, rung)) == 1


# ---------------------------------------------------------------- COVID-19 fast track


def covid() -> Scenario:
    return scenario("covid19_fasttrack")


@pytest.mark.parametrize(
    ("title", "category", "rule", "agency", "official"),
    [
        ("Antrean vaksin di puskesmas", None, "covid_health", "kemenkes", "pejabat_pengelola_pengaduan_kemenkes"),
        ("Hasil PCR belum keluar", None, "covid_health", "kemenkes", "pejabat_pengelola_pengaduan_kemenkes"),
        (
            "Bansos COVID tidak sampai",
            None,
            "covid_social_assistance",
            "kemensos",
            "pejabat_pengelola_pengaduan_kemensos",
        ),
        ("Warga tidak pakai masker", "covid19", "covid_other", "satgas_covid19", "pejabat_pengelola_pengaduan_satgas"),
        ("Pasar ramai saat PSBB", None, "covid_other", "satgas_covid19", "pejabat_pengelola_pengaduan_satgas"),
    ],
)
def test_covid_reports_are_routed_by_keyword_or_category(
    title: str, category: str | None, rule: str, agency: str, official: str
) -> None:
    s = covid()
    cid = s.submit(title, sop="covid19_fasttrack", category=category)
    view = s.engine.get(cid, s.national_admin)
    assert (view.state, view.agency, view.official) == ("received", agency, official)
    assert s.engine.history(cid, SYSTEM)[0].payload["routed_by"] == rule


def test_a_covid_report_the_rules_do_not_match_stays_with_the_national_admin() -> None:
    s = covid()
    cid = s.submit("Lampu jalan mati", sop="covid19_fasttrack", category="infrastruktur")
    view = s.engine.get(cid, s.national_admin)
    assert (view.agency, view.official) == (None, None)
    assert "routed_by" not in s.engine.history(cid, SYSTEM)[0].payload
    assert s.engine.allowed_triggers(cid, s.agency_admin("kemenkes")) == ()


def test_a_routed_report_goes_straight_to_the_official_without_the_national_admin() -> None:
    s = covid()
    cid = s.submit("Stok oksigen habis di rumah sakit", sop="covid19_fasttrack")
    official = s.liaison_officer("kemenkes")
    assert s.engine.allowed_triggers(cid, official) == ("dispose",)
    assert "dispose" not in s.engine.allowed_triggers(cid, s.national_admin)
    message = (
        "complaint 'c1': national_admin 'admin-nasional' may not fire 'dispose': "
        "only agency_admin, liaison_officer may fire it"
    )
    with pytest.raises(PermissionDenied, match=re.escape(message)):
        s.fire(cid, "dispose", s.national_admin, unit="direktorat_pelayanan_kesehatan")
    view = s.fire(cid, "dispose", official, unit="direktorat_pelayanan_kesehatan")
    assert (view.state, view.agency, view.unit) == ("distributed", "kemenkes", "direktorat_pelayanan_kesehatan")
    assert [(e.kind, e.actor_role, e.trigger) for e in s.engine.history(cid, SYSTEM)] == [
        ("submitted", "reporter", None),
        ("transition", "liaison_officer", "dispose"),
    ]
    assert "disposition" not in [d.clock for d in s.engine.deadlines(cid, SYSTEM)]


def test_covid_fast_track_drops_the_national_verification_and_completion_clocks() -> None:
    s = covid()
    cid = s.submit("Vaksin booster", sop="covid19_fasttrack")
    assert sorted(d.clock for d in s.engine.deadlines(cid, SYSTEM)) == [
        "disposition",
        "follow_up",
        "ombudsman_eligibility",
    ]


def test_covid_disposition_is_due_within_1_working_day() -> None:
    s = covid()
    cid = s.submit("Isolasi mandiri tanpa bantuan", sop="covid19_fasttrack")
    d = deadline(s, cid, "disposition")
    assert (str(d.budget), d.due.local_date) == ("1 working day", date(2026, 3, 3))  # type: ignore[union-attr]
    # 4 working hours before the end of Tue 3 March: office hours close at 16:00, so 12:00.
    check_boundary(s, cid, "disposition", "warning", wib(3, 3, 12), "emitted")
    assert s.state(cid) == "received"
    check_boundary(s, cid, "disposition", "breach", end_of(date(2026, 3, 3)), "fired")
    assert s.state(cid) == "escalated"
    check_fired_once(s, cid, "disposition", "breach")


def test_covid_disposition_across_the_holiday_cluster() -> None:
    s = scenario("covid19_fasttrack", start="2026-03-17T15:00:00+07:00")
    cid = s.submit("Rapid test berbayar", sop="covid19_fasttrack")
    # Received Tue 17 March: 18-24 March are off, so the 1 working day is Wed 25 March; the
    # follow-up's 2 working days end on Thu 26 March.
    assert deadline(s, cid, "disposition").due.local_date == date(2026, 3, 25)  # type: ignore[union-attr]
    assert deadline(s, cid, "follow_up").due.local_date == date(2026, 3, 26)  # type: ignore[union-attr]
    check_boundary(s, cid, "disposition", "warning", wib(3, 25, 12), "emitted")
    check_boundary(s, cid, "disposition", "breach", end_of(date(2026, 3, 25)), "fired")


def test_covid_follow_up_is_due_2_working_days_from_receipt_and_its_breach_escalates() -> None:
    s = covid()
    cid = s.submit("Swab antigen ditolak puskesmas", sop="covid19_fasttrack")
    s.advance_to(wib(3, 3, 10))
    s.fire(cid, "dispose", s.liaison_officer("kemenkes"), unit="dinkes_kota")
    d = deadline(s, cid, "follow_up")
    # Counted from receipt on Mon 2 March, not from the disposition: the clock keeps running
    # from received into distributed, so it still ends with Wed 4 March.
    assert (d.generation, d.due.local_date) == (1, date(2026, 3, 4))  # type: ignore[union-attr]
    check_boundary(s, cid, "follow_up", "breach", end_of(date(2026, 3, 4)), "fired")
    assert s.state(cid) == "escalated"
    assert s.events(cid, "deadline_transition") == ["deadline_transition:escalate"]
    check_fired_once(s, cid, "follow_up", "breach")


def test_covid_follow_up_in_time_stops_the_clock() -> None:
    s = covid()
    cid = s.submit("Vaksin untuk lansia", sop="covid19_fasttrack")
    officer = s.liaison_officer("kemenkes")
    s.fire(cid, "dispose", officer, unit="dinkes_kota")
    s.advance_to(wib(3, 4, 15))
    s.fire(cid, "follow_up", officer, response="Jadwal vaksin lansia sudah dibuka")
    s.advance_to(end_of(date(2026, 3, 5)))
    assert s.state(cid) == "followed_up"
    assert firings_of(s, cid, "follow_up", "breach") == []


def test_covid_hold_pauses_disposition_and_follow_up() -> None:
    s = covid()
    cid = s.submit("Oksigen langka", sop="covid19_fasttrack")
    s.advance(hours=1)
    s.fire(cid, "hold", s.agency_admin("kemenkes"), reason="menunggu data pasien")
    assert {d.clock: d.status for d in s.engine.deadlines(cid, SYSTEM)} == {
        "ombudsman_eligibility": ClockStatus.PAUSED,
        "disposition": ClockStatus.PAUSED,
        "follow_up": ClockStatus.PAUSED,
    }
    s.advance_to(end_of(date(2026, 3, 6)))
    assert s.state(cid) == "on_hold"
    assert [f for f in s.firings if f.outcome != "stale"] == []


# ---------------------------------------------------------------- Batam: first response in 24 hours


def batam() -> Scenario:
    return scenario("batam_24h")


def test_batam_first_response_breach_is_at_24_hours_to_the_second() -> None:
    s = batam()
    cid = s.submit(sop="batam_24h")
    d = deadline(s, cid, "initial_response")
    assert str(d.budget) == "24 hours"
    assert d.explain().splitlines()[-2] == "Due at Tuesday 3 March 2026 09:00 WIB (2026-03-03 02:00 UTC)."
    check_boundary(s, cid, "initial_response", "warning", wib(3, 3, 5), "emitted")
    assert s.state(cid) == "received"
    check_boundary(s, cid, "initial_response", "breach", wib(3, 3, 9), "fired")
    assert s.state(cid) == "escalated"
    check_fired_once(s, cid, "initial_response", "breach")


def test_batam_24_hours_run_through_the_weekend() -> None:
    s = scenario("batam_24h", start="2026-03-06T15:30:00+07:00")  # a Friday afternoon
    cid = s.submit(sop="batam_24h")
    check_boundary(s, cid, "initial_response", "warning", wib(3, 7, 11, 30), "emitted")
    check_boundary(s, cid, "initial_response", "breach", wib(3, 7, 15, 30), "fired")


def test_batam_24_hours_run_through_nyepi() -> None:
    s = scenario("batam_24h", start="2026-03-18T20:00:00+07:00")  # joint leave before Nyepi
    cid = s.submit(sop="batam_24h")
    check_boundary(s, cid, "initial_response", "breach", wib(3, 19, 20), "fired")


def test_batam_hold_pauses_the_24_hours_to_the_second() -> None:
    s = batam()
    cid = s.submit(sop="batam_24h")
    s.advance(hours=10, minutes=20, seconds=5)
    s.fire(cid, "hold", s.national_admin, reason="klarifikasi")
    assert deadline(s, cid, "initial_response").consumed == 10 * 3600 + 20 * 60 + 5
    s.advance(days=2)
    s.fire(cid, "resume", s.national_admin)
    resumed = s.clock.now()
    left = timedelta(hours=13, minutes=39, seconds=55)
    check_boundary(s, cid, "initial_response", "warning", resumed + left - timedelta(hours=4), "emitted")
    check_boundary(s, cid, "initial_response", "breach", resumed + left, "fired")


def test_batam_verifying_in_time_stops_the_first_response_clock() -> None:
    s = batam()
    cid = s.submit(sop="batam_24h")
    s.advance(hours=23, minutes=59, seconds=59)
    s.fire(cid, "verify", s.national_admin, classification="pengaduan", category="perizinan")
    s.advance(hours=1)
    assert s.state(cid) == "verified"
    assert firings_of(s, cid, "initial_response", "breach") == []


def test_batam_keeps_the_national_verification_clock() -> None:
    s = batam()
    cid = s.submit(sop="batam_24h")
    assert deadline(s, cid, "verification").due.local_date == date(2026, 3, 5)  # type: ignore[union-attr]


# ---------------------------------------------------------------- Kalsel: shorter limits (example file)


def test_kalsel_verification_is_2_working_days() -> None:
    s = scenario(KALSEL)
    cid = s.submit(sop="kalsel_shorter")
    d = deadline(s, cid, "verification")
    assert (str(d.budget), d.due.local_date) == ("2 working days", date(2026, 3, 4))  # type: ignore[union-attr]
    check_boundary(s, cid, "verification", "warning", opening_of(date(2026, 3, 3)), "emitted")
    check_boundary(s, cid, "verification", "breach", end_of(date(2026, 3, 4)), "fired")
    assert s.state(cid) == "escalated"
    check_fired_once(s, cid, "verification", "breach")


@pytest.mark.parametrize(
    ("classification", "budget", "breach"),
    [
        # Distributed Mon 2 March 10:00; working days after it: 3-6, 9-13, 16, 17 March, 25 March ...
        ("aspirasi", "3 working days", date(2026, 3, 5)),
        ("permintaan_informasi", "3 working days", date(2026, 3, 5)),
        ("pengaduan", "10 working days", date(2026, 3, 16)),
        # 3-6 (4), 9-13 (9), 16, 17 (11), 25-27 (14), 30, 31 (16), 1, 2 April (18), 6-10 (23),
        # 13-17 (28), 20, 21 April (30).
        ("pengaduan_pengawasan", "30 working days", date(2026, 4, 21)),
    ],
)
def test_kalsel_completion_budgets_are_shorter(classification: str, budget: str, breach: date) -> None:
    s = scenario(KALSEL)
    cid = s.submit(sop="kalsel_shorter")
    s.advance(hours=1)
    s.fire(cid, "verify", s.national_admin, classification=classification, category="pendidikan")
    s.fire(cid, "distribute", s.national_admin, agency="dinas_pendidikan_kalsel")
    d = deadline(s, cid, "completion")
    assert (str(d.budget), d.due.local_date) == (budget, breach)  # type: ignore[union-attr]
    check_boundary(s, cid, "completion", "breach", end_of(breach), "fired")
    assert s.state(cid) == "escalated"


def test_kalsel_extension_max_is_10_working_days() -> None:
    s = scenario(KALSEL)
    cid = s.submit(sop="kalsel_shorter")
    s.fire(cid, "verify", s.national_admin, classification="pengaduan", category="pendidikan")
    s.fire(cid, "distribute", s.national_admin, agency=s.agency)
    s.fire(cid, "extend", extend_by="10 working days", reason="koordinasi")
    with pytest.raises(ValueError, match=re.escape("total at most 10 working days (10 used)")):
        s.fire(cid, "extend", extend_by="1 working day", reason="lagi")


def test_kalsel_reporter_response_closes_after_5_working_days() -> None:
    s = scenario(KALSEL)
    cid = s.submit(sop="kalsel_shorter")
    s.fire(cid, "verify", s.national_admin, classification="aspirasi", category="pendidikan")
    s.fire(cid, "distribute", s.national_admin, agency=s.agency)
    s.advance(hours=2)
    s.fire(cid, "follow_up", response="Aspirasi diteruskan ke DPRD")
    # Followed up Mon 2 March: Tue 3, Wed 4, Thu 5, Fri 6, Mon 9 March.
    check_boundary(s, cid, "reporter_response", "reminder", opening_of(date(2026, 3, 5)), "emitted")
    check_boundary(s, cid, "reporter_response", "auto_close", end_of(date(2026, 3, 9)), "fired")
    assert s.state(cid) == "closed"


def test_kalsel_keeps_the_national_clocks_it_does_not_change() -> None:
    s = scenario(KALSEL)
    cid = s.submit(sop="kalsel_shorter")
    assert str(deadline(s, cid, "ombudsman_eligibility").budget) == "60 working days"
    s.fire(cid, "verify", s.national_admin, classification="aspirasi", category="pendidikan")
    s.fire(cid, "distribute", s.national_admin, agency=s.agency)
    assert str(deadline(s, cid, "first_response").budget) == "5 working days"
