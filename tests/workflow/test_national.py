"""The national SOP's clocks, each rung checked at its exact instant, across real holiday clusters.

Every expected date was worked out by hand from the 2026 calendar (SKB 3 Menteri): Nyepi on
Thursday 19 March with joint leave on Wednesday 18 and Friday 20 March, Idul Fitri on Saturday 21
and Sunday 22 March with joint leave on Monday 23 and Tuesday 24 March, Good Friday on 3 April,
1, 14, 15, 27 and 28 May, 1 and 16 June. Day 1 of a day-based deadline is the first working day
after the local date of its start, and the deadline passes at the local midnight that ends its
last day. A warning "N working days before" comes when the office opens (07:30 WIB) on the N-th
working day before the due date.

A boundary check moves the clock to one second before a rung's instant (nothing of that rung has
fired), then one second on (it fires exactly once), then far on (it never fires again).
"""

from __future__ import annotations

import itertools
import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from sp4n.errors import InvalidData, MissingData, PermissionDenied, TransitionNotAllowed
from sp4n.persistence import ClockStatus, TimerStatus
from sp4n.testing import Scenario
from sp4n.workflow import SYSTEM, Actor, Deadline

WIB = ZoneInfo("Asia/Jakarta")
MON_16_MARCH = "2026-03-16T10:00:00+07:00"  # the Monday before the Nyepi / Idul Fitri cluster
AGENCY = "dinas_kesehatan"


def end_of(day: date) -> datetime:
    """The instant a deadline on ``day`` passes: the WIB midnight that ends it."""
    return datetime.combine(day + timedelta(days=1), time(0), WIB)


def opening_of(day: date) -> datetime:
    """The instant the office opens on ``day``: 07:30 WIB, when warnings reach people at work."""
    return datetime.combine(day, time(7, 30), WIB)


def wib(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=WIB)


def scenario(start: str = MON_16_MARCH) -> Scenario:
    counter = itertools.count(1)
    return Scenario(sops=["national"], start=start, id_factory=lambda: f"c{next(counter)}")


def deadline(s: Scenario, cid: str, clock: str) -> Deadline:
    found = [d for d in s.engine.deadlines(cid, SYSTEM) if d.clock == clock]
    assert len(found) == 1, f"clock {clock!r} is not running or paused: {s.engine.deadlines(cid, SYSTEM)}"
    return found[0]


def rung_at(s: Scenario, cid: str, clock: str, rung: str) -> datetime:
    return dict(deadline(s, cid, clock).rungs)[rung]


def firings_of(s: Scenario, cid: str, clock: str, rung: str) -> list[str]:
    return [f.outcome for f in s.firings if (f.complaint_id, f.clock, f.rung) == (cid, clock, rung)]


def check_boundary(s: Scenario, cid: str, clock: str, rung: str, instant: datetime, outcome: str) -> None:
    """Nothing of the rung one second before ``instant``; exactly one firing at it."""
    assert rung_at(s, cid, clock, rung) == instant
    s.advance_to(instant - timedelta(seconds=1))
    assert firings_of(s, cid, clock, rung) == []
    at = [f for f in s.advance(seconds=1) if (f.complaint_id, f.clock, f.rung) == (cid, clock, rung)]
    assert [f.outcome for f in at] == [outcome]
    assert at[0].due_at == instant
    assert at[0].processed_at == instant
    assert at[0].lateness_seconds == 0.0


def check_fires_once(s: Scenario, cid: str, clock: str, rung: str) -> None:
    s.advance_working_days(5)
    assert len(firings_of(s, cid, clock, rung)) == 1
    assert s.engine.run_due() == []


def distributed(s: Scenario, classification: str = "pengaduan", *, at: datetime | None = None) -> str:
    """A complaint received now, verified and distributed to AGENCY at ``at`` (default: now)."""
    cid = s.submit()
    if at is not None:
        s.advance_to(at)
    s.fire(cid, "verify", classification=classification, category="kesehatan")
    s.fire(cid, "distribute", agency=AGENCY)
    return cid


# ---------------------------------------------------------------- verification (3 working days)


def test_verification_is_due_after_the_nyepi_and_idul_fitri_cluster() -> None:
    s = scenario()
    cid = s.submit()
    d = deadline(s, cid, "verification")
    assert d.status is ClockStatus.RUNNING
    assert str(d.budget) == "3 working days"
    # Tue 17 is day 1; 18-24 March are all off (joint leave, Nyepi, Idul Fitri, weekend); Wed 25
    # is day 2 and Thu 26 day 3.
    assert d.due is not None
    assert d.due.local_date == date(2026, 3, 26)
    assert d.due.at == end_of(date(2026, 3, 26))
    assert d.rungs == (("warning", opening_of(date(2026, 3, 25))), ("breach", end_of(date(2026, 3, 26))))


def test_verification_explains_the_holidays_it_skipped() -> None:
    s = scenario()
    cid = s.submit()
    d = deadline(s, cid, "verification")
    assert d.due is not None
    skipped = {day.date: day.name for day in d.due.skipped}
    assert skipped[date(2026, 3, 19)] == "Hari Suci Nyepi"
    assert skipped[date(2026, 3, 18)] == "Cuti Bersama Hari Suci Nyepi"
    assert {date(2026, 3, 20), date(2026, 3, 23), date(2026, 3, 24)} <= set(skipped)
    english = d.explain()
    assert english.startswith("Verify and forward (verification), 3 working days: due Thursday 26 March 2026 (WIB)")
    for line in (
        "Received Monday 16 March 2026 10:00 WIB; counting 3 working days.",
        "Day 1 is the day after the day of receipt.",
        "  - Wednesday 18 March 2026: Cuti Bersama Hari Suci Nyepi [joint leave]",
        "  - Thursday 19 March 2026: Hari Suci Nyepi [national holiday]",
        "  - Friday 20 March 2026: Cuti Bersama Hari Raya Idul Fitri [joint leave]",
        "  - Saturday 21 March 2026: Hari Raya Idul Fitri [national holiday]",
        "  - Tuesday 24 March 2026: Cuti Bersama Hari Raya Idul Fitri [joint leave]",
        "Due at the end of Thursday 26 March 2026 (passes at 2026-03-27 00:00 WIB, 2026-03-26 17:00 UTC).",
    ):
        assert line in english.splitlines()
    due_id = d.due.explain("id")
    assert "Tidak dihitung:" in due_id
    assert "  - Kamis, 19 Maret 2026: Hari Suci Nyepi [libur nasional]" in due_id
    indonesian = d.explain("id")
    assert "Verifikasi dan penerusan (verification)" in indonesian
    assert "Hari Suci Nyepi" in indonesian
    assert "Batas waktu: akhir hari Kamis, 26 Maret 2026" in indonesian


def test_verification_warning_fires_at_the_opening_of_wednesday_25_march() -> None:
    s = scenario()
    cid = s.submit()
    check_boundary(s, cid, "verification", "warning", opening_of(date(2026, 3, 25)), "emitted")
    assert s.state(cid) == "received"
    assert s.events(cid) == ["submitted:received", "deadline:verification.warning"]
    check_fires_once(s, cid, "verification", "warning")


def test_verification_breach_escalates_at_the_end_of_thursday_26_march() -> None:
    s = scenario()
    cid = s.submit()
    check_boundary(s, cid, "verification", "breach", end_of(date(2026, 3, 26)), "fired")
    assert s.state(cid) == "escalated"
    last = s.engine.history(cid, SYSTEM)[-1]
    assert (last.kind, last.trigger, last.source, last.dest, last.actor_role) == (
        "deadline_transition",
        "escalate",
        "received",
        "escalated",
        "system",
    )
    assert last.payload["timer"] == "c1/verification/1/breach"
    check_fires_once(s, cid, "verification", "breach")


def test_verification_keeps_running_once_verified_and_stops_when_distributed() -> None:
    s = scenario()
    cid = s.submit()
    s.fire(cid, "verify", classification="pengaduan", category="kesehatan")
    assert deadline(s, cid, "verification").due == s.calendar.due(s.clock.now(), "3 working days")
    assert deadline(s, cid, "verification").generation == 1  # verified is in runs_in: nothing changed
    s.fire(cid, "distribute", agency=AGENCY)
    assert "verification" not in [d.clock for d in s.engine.deadlines(cid, SYSTEM)]
    s.advance_to(end_of(date(2026, 3, 27)))
    assert firings_of(s, cid, "verification", "breach") == []
    assert s.state(cid) == "distributed"


# ---------------------------------------------------------------- hold and resume


def test_hold_pauses_verification_and_resume_continues_it() -> None:
    s = scenario()
    cid = s.submit()
    # Held on Tue 17 March at 15:00: Tue 17 was day 1 of 3, so 1 working day is used.
    s.advance_to(wib(3, 17, 15))
    s.fire(cid, "hold", reason="menunggu kelengkapan data pelapor")
    paused = deadline(s, cid, "verification")
    assert (paused.status, paused.consumed, paused.due, paused.rungs) == (ClockStatus.PAUSED, 1, None, ())
    assert paused.explain() == (
        "Verify and forward (verification): paused, 1 used of 3 working days\n"
        "Paused since Tuesday 17 March 2026 15:00 WIB; 2 working days left."
    )
    # Nothing fires at the original warning (25 March at opening) or breach (end of 26 March).
    s.advance_to(wib(3, 27, 9))
    assert firings_of(s, cid, "verification", "warning") == []
    assert firings_of(s, cid, "verification", "breach") == []
    assert s.state(cid) == "on_hold"
    # Resumed on Fri 27 March at 09:00 with 2 working days left, counted like a new receipt:
    # the resume day is not counted, so day 2 is Mon 30 March and day 3 Tue 31 March. The days on
    # hold (Wed 25, Thu 26 and the morning of Fri 27; 18-24 March were off anyway) are not
    # counted; without the hold the breach would have come at the end of Thu 26 March.
    s.fire(cid, "resume")
    running = deadline(s, cid, "verification")
    assert (running.status, running.consumed, running.generation) == (ClockStatus.RUNNING, 1, 3)
    assert running.due is not None
    assert running.due.local_date == date(2026, 3, 31)
    check_boundary(s, cid, "verification", "warning", opening_of(date(2026, 3, 30)), "emitted")
    check_boundary(s, cid, "verification", "breach", end_of(date(2026, 3, 31)), "fired")
    assert s.state(cid) == "escalated"


def test_hold_closes_the_pending_timers_as_stale() -> None:
    s = scenario()
    cid = s.submit()
    s.fire(cid, "hold", reason="menunggu kelengkapan data")
    timers = {t.id: t.status for t in s.engine.store.timers(cid)}
    assert timers["c1/verification/1/warning"] is TimerStatus.STALE
    assert timers["c1/verification/1/breach"] is TimerStatus.STALE
    assert timers["c1/ombudsman_eligibility/1/eligible"] is TimerStatus.STALE
    assert s.engine.next_due_at() is None
    held = deadline(s, cid, "ombudsman_eligibility")
    assert (held.status, held.consumed) == (ClockStatus.PAUSED, 0)


def test_hold_and_resume_on_the_day_of_receipt_changes_nothing() -> None:
    s = scenario()
    cid = s.submit()
    s.advance(hours=2)
    s.fire(cid, "hold", reason="klarifikasi")
    s.advance(hours=3)
    s.fire(cid, "resume")
    # Nothing was used (Monday is the day of receipt) and counting restarts from Monday again.
    assert deadline(s, cid, "verification").due.local_date == date(2026, 3, 26)  # type: ignore[union-attr]


# ---------------------------------------------------------------- first response (5 working days)


def test_first_response_overdue_emits_an_event_without_moving_the_complaint() -> None:
    s = scenario()
    cid = distributed(s)
    # Distributed Mon 16 March: Tue 17, Wed 25, Thu 26, Fri 27, Mon 30 March.
    check_boundary(s, cid, "first_response", "overdue", end_of(date(2026, 3, 30)), "emitted")
    assert s.state(cid) == "distributed"
    event = s.engine.history(cid, SYSTEM)[-1]
    assert (event.kind, event.trigger, event.source, event.dest) == ("deadline", None, "distributed", "distributed")
    assert event.payload["event"] == "first_response.overdue"
    assert event.payload["clock"] == "first_response"
    check_fires_once(s, cid, "first_response", "overdue")
    assert s.state(cid) == "distributed"


def test_two_deadlines_passing_at_the_same_instant_are_both_recorded() -> None:
    # For an aspiration the agency's first follow-up (5 working days) and the completion (5 working
    # days) pass at the same instant. Neither clock was stopped BEFORE that instant, so both rungs
    # are due: the overdue notice must be recorded as well as the escalation, whatever the order
    # in which the engine processes the two timers.
    s = scenario()
    cid = distributed(s, "aspirasi", at=wib(3, 17, 10))
    instant = end_of(date(2026, 3, 31))
    assert rung_at(s, cid, "first_response", "overdue") == rung_at(s, cid, "completion", "breach") == instant
    s.advance_to(instant)
    assert firings_of(s, cid, "completion", "breach") == ["fired"]
    assert firings_of(s, cid, "first_response", "overdue") == ["emitted"]
    assert "deadline:first_response.overdue" in s.events(cid)


def test_first_response_stops_with_the_follow_up() -> None:
    s = scenario()
    cid = distributed(s)
    s.advance_to(wib(3, 26, 10))
    s.fire(cid, "follow_up", response="Sudah kami tindak lanjuti")
    s.advance_to(end_of(date(2026, 3, 31)))
    assert firings_of(s, cid, "first_response", "overdue") == []


# ---------------------------------------------------------------- completion (by classification)

# Verified and distributed on Tue 17 March 10:00. Working days after it: Wed 25, Thu 26, Fri 27,
# Mon 30, Tue 31 March (5), Wed 1, Thu 2 April (7), Good Friday 3 April off, 6-10 April (12),
# 13, 14 April (14) ... The 60th is Fri 26 June: 5 in March + 21 in April (22 weekdays less Good
# Friday) + 16 in May (21 weekdays less 1, 14, 15, 27, 28 May) = 42, then June without 1 and
# 16 June: 2-5 (46), 8-12 (51), 15, 17-19 (55), 22-26 (60).
COMPLETION = [
    ("aspirasi", "5 working days", date(2026, 3, 27), date(2026, 3, 31)),
    ("permintaan_informasi", "5 working days", date(2026, 3, 27), date(2026, 3, 31)),
    ("pengaduan", "14 working days", date(2026, 4, 10), date(2026, 4, 14)),
    ("pengaduan_pengawasan", "60 working days", date(2026, 6, 24), date(2026, 6, 26)),
]


@pytest.mark.parametrize(("classification", "budget", "warning", "breach"), COMPLETION)
def test_completion_budget_by_classification_escalates_at_the_boundary(
    classification: str, budget: str, warning: date, breach: date
) -> None:
    s = scenario()
    cid = distributed(s, classification, at=wib(3, 17, 10))
    d = deadline(s, cid, "completion")
    assert str(d.budget) == budget
    assert d.due is not None
    assert d.due.local_date == breach
    check_boundary(s, cid, "completion", "warning", opening_of(warning), "emitted")
    assert s.state(cid) == "distributed"
    check_boundary(s, cid, "completion", "breach", end_of(breach), "fired")
    assert s.state(cid) == "escalated"
    assert s.events(cid, "deadline_transition") == ["deadline_transition:escalate"]
    check_fires_once(s, cid, "completion", "breach")


def test_completion_explains_the_holidays_in_its_window() -> None:
    s = scenario()
    cid = distributed(s, "pengaduan", at=wib(3, 17, 10))
    text = deadline(s, cid, "completion").explain()
    assert text.startswith("Completion (completion), 14 working days: due Tuesday 14 April 2026 (WIB)")
    assert "  - Thursday 19 March 2026: Hari Suci Nyepi [national holiday]" in text
    assert "  - Friday 3 April 2026: Wafat Yesus Kristus [national holiday]" in text


def test_completion_without_classification_falls_back_to_14_working_days() -> None:
    s = scenario()
    cid = s.submit()
    s.advance_to(end_of(date(2026, 3, 26)))  # the verification breach escalates it, unclassified
    assert s.state(cid) == "escalated"
    s.advance_to(wib(3, 27, 10))
    s.fire(cid, "distribute", agency=AGENCY)
    d = deadline(s, cid, "completion")
    assert str(d.budget) == "14 working days"
    # From Fri 27 March: 30, 31 March, 1, 2, 6-10, 13-17 April: the 14th is Fri 17 April.
    assert d.due.local_date == date(2026, 4, 17)  # type: ignore[union-attr]


def test_completion_stops_when_followed_up() -> None:
    s = scenario()
    cid = distributed(s, "aspirasi", at=wib(3, 17, 10))
    s.advance_to(wib(3, 30, 10))
    s.fire(cid, "follow_up", response="Aspirasi diterima dan diteruskan")
    s.advance_to(end_of(date(2026, 4, 1)))
    assert firings_of(s, cid, "completion", "breach") == []
    assert s.state(cid) == "followed_up"


# ---------------------------------------------------------------- extension


def test_extend_moves_the_completion_due_date_by_the_given_working_days() -> None:
    s = scenario()
    cid = distributed(s, "pengaduan", at=wib(3, 17, 10))
    before = deadline(s, cid, "completion")
    assert before.due.local_date == date(2026, 4, 14)  # type: ignore[union-attr]
    s.advance_to(wib(4, 6, 10))
    view = s.fire(cid, "extend", extend_by="3 working days", reason="menunggu hasil uji laboratorium")
    assert view.state == "distributed"
    after = deadline(s, cid, "completion")
    # 14 + 3 working days: Wed 15, Thu 16, Fri 17 April.
    assert (after.extended_by, after.consumed, after.generation) == (3, 0, before.generation + 1)
    assert after.due.local_date == date(2026, 4, 17)  # type: ignore[union-attr]
    assert after.explain().startswith("Completion (completion), 14 working days + 3: due Friday 17 April 2026 (WIB)")
    # The old rungs are stale: nothing at the end of 14 April; the warning moved to 15 April.
    timers = {t.id: t.status for t in s.engine.store.timers(cid)}
    assert timers[f"{cid}/completion/{before.generation}/breach"] is TimerStatus.STALE
    s.advance_to(end_of(date(2026, 4, 14)))
    assert firings_of(s, cid, "completion", "breach") == []
    check_boundary(s, cid, "completion", "warning", opening_of(date(2026, 4, 15)), "emitted")
    check_boundary(s, cid, "completion", "breach", end_of(date(2026, 4, 17)), "fired")
    assert s.state(cid) == "escalated"


def test_extend_refuses_beyond_extension_max() -> None:
    s = scenario()
    cid = distributed(s, "pengaduan")
    s.fire(cid, "extend", extend_by="10 working days", reason="butuh koordinasi lintas instansi")
    version = s.engine.get(cid, s.national_admin).version
    message = (
        "extend_by='5 working days' is invalid: extensions of 'completion' total at most 14 working days (10 used)"
    )
    with pytest.raises(InvalidData, match=re.escape(message)):
        s.fire(cid, "extend", extend_by="5 working days", reason="lagi")
    assert s.engine.get(cid, s.national_admin).version == version
    assert deadline(s, cid, "completion").extended_by == 10
    s.fire(cid, "extend", extend_by="4 working days", reason="yang terakhir")  # exactly up to the maximum
    assert deadline(s, cid, "completion").extended_by == 14


@pytest.mark.parametrize(
    ("extend_by", "reason"),
    [
        ("3 hours", "clock 'completion' counts working days"),
        ("3 hari", "3 hari' is not a valid duration"),
        ("0 working days", "extensions of 'completion' total at most 14 working days (0 used)"),
    ],
)
def test_extend_refuses_other_units_and_nonsense(extend_by: str, reason: str) -> None:
    s = scenario()
    cid = distributed(s, "pengaduan")
    with pytest.raises(InvalidData, match=rf"^extend_by='{re.escape(extend_by)}' is invalid: .*{re.escape(reason)}"):
        s.fire(cid, "extend", extend_by=extend_by, reason="alasan")
    assert deadline(s, cid, "completion").extended_by == 0


def test_extend_is_the_agency_admins_alone() -> None:
    s = scenario()
    cid = distributed(s, "pengaduan")
    officer = s.liaison_officer()
    message = (
        f"complaint 'c1': liaison_officer 'penghubung-{AGENCY}'@{AGENCY} may not fire 'extend': "
        "only agency_admin may fire it"
    )
    with pytest.raises(PermissionDenied, match=re.escape(message)):
        s.fire(cid, "extend", officer, extend_by="1 working days", reason="alasan")


# ---------------------------------------------------------------- not our authority, re-routing


def test_reroute_to_another_agency_does_not_reset_the_completion_clock() -> None:
    s = scenario()
    cid = distributed(s, "pengaduan", at=wib(3, 17, 10))
    before = deadline(s, cid, "completion")
    s.advance_to(wib(3, 26, 11))
    s.fire(cid, "not_authority", reason="bukan kewenangan dinas kesehatan")
    assert s.state(cid) == "rerouting"
    during = deadline(s, cid, "completion")
    s.advance_to(wib(3, 30, 9))
    view = s.fire(cid, "reroute", agency="dinas_pekerjaan_umum")
    assert (view.state, view.agency) == ("distributed", "dinas_pekerjaan_umum")
    after = deadline(s, cid, "completion")
    for d in (during, after):
        assert (d.status, d.generation, d.consumed, d.extended_by, d.budget) == (
            ClockStatus.RUNNING,
            before.generation,
            before.consumed,
            0,
            before.budget,
        )
        assert d.due == before.due
        assert d.rungs == before.rungs
    pending = [t.id for t in s.engine.store.timers(cid) if t.clock == "completion" and t.status is TimerStatus.PENDING]
    assert pending == [f"c1/completion/{before.generation}/warning", f"c1/completion/{before.generation}/breach"]
    # The new agency's liaison officer may act; the old agency's may not.
    assert "follow_up" in s.engine.allowed_triggers(cid, s.liaison_officer("dinas_pekerjaan_umum"))
    assert s.engine.allowed_triggers(cid, s.liaison_officer()) == ()
    check_boundary(s, cid, "completion", "breach", end_of(date(2026, 4, 14)), "fired")


def test_reroute_gives_the_new_agency_its_own_first_response_clock() -> None:
    s = scenario()
    cid = distributed(s, "pengaduan", at=wib(3, 17, 10))
    s.fire(cid, "not_authority", reason="bukan kewenangan kami")
    assert "first_response" not in [d.clock for d in s.engine.deadlines(cid, SYSTEM)]
    s.advance_to(wib(3, 25, 9))
    s.fire(cid, "reroute", agency="dinas_pekerjaan_umum")
    # From Wed 25 March: Thu 26, Fri 27, Mon 30, Tue 31 March, Wed 1 April.
    assert deadline(s, cid, "first_response").due.local_date == date(2026, 4, 1)  # type: ignore[union-attr]


def test_not_authority_is_the_assigned_agencys_and_reroute_outside_its_tree_the_national_admins() -> None:
    s = scenario()
    cid = distributed(s)
    other = s.liaison_officer("dinas_pendidikan")
    message = (
        "complaint 'c1': liaison_officer 'penghubung-dinas_pendidikan'@dinas_pendidikan may not fire "
        "'not_authority': the complaint is assigned to agency 'dinas_kesehatan', not 'dinas_pendidikan'"
    )
    with pytest.raises(PermissionDenied, match=re.escape(message)):
        s.fire(cid, "not_authority", other, reason="x")
    with pytest.raises(MissingData, match=re.escape("complaint 'c1': trigger 'not_authority' requires reason")):
        s.fire(cid, "not_authority")
    s.fire(cid, "not_authority", reason="bukan wewenang")
    message = (
        f"complaint 'c1': agency_admin 'admin-{AGENCY}'@{AGENCY} may not fire 'reroute': "
        f"agency 'dinas_pendidikan' is outside the agencies of '{AGENCY}' and below it"
    )
    with pytest.raises(PermissionDenied, match=re.escape(message)):
        s.fire(cid, "reroute", s.agency_admin(), agency="dinas_pendidikan")


# ---------------------------------------------------------------- reporter's reply (10 working days)


def followed_up(s: Scenario) -> str:
    cid = distributed(s, "pengaduan", at=wib(3, 17, 10))
    s.advance_to(wib(3, 27, 14))
    s.fire(cid, "follow_up", response="Jalan sudah diperbaiki")
    return cid


def test_reporter_silence_for_10_working_days_closes_the_complaint() -> None:
    s = scenario()
    cid = followed_up(s)
    # Followed up Fri 27 March: 30, 31 March, 1, 2 April, Good Friday off, 6-10 April, Mon 13 April.
    assert deadline(s, cid, "reporter_response").due.local_date == date(2026, 4, 13)  # type: ignore[union-attr]
    check_boundary(s, cid, "reporter_response", "reminder", opening_of(date(2026, 4, 9)), "emitted")
    assert s.state(cid) == "followed_up"
    check_boundary(s, cid, "reporter_response", "auto_close", end_of(date(2026, 4, 13)), "fired")
    view = s.engine.get(cid, s.national_admin)
    assert (view.state, view.terminal) == ("closed", True)
    last = s.engine.history(cid, SYSTEM)[-1]
    assert (last.kind, last.trigger, last.actor_role) == ("deadline_transition", "close", "system")
    assert s.engine.deadlines(cid, SYSTEM) == []
    check_fires_once(s, cid, "reporter_response", "auto_close")


def test_a_reply_keeps_the_complaint_open() -> None:
    s = scenario()
    cid = followed_up(s)
    s.advance_to(wib(4, 10, 10))  # after the reminder (end of Thu 9 April), before the auto-close
    view = s.fire(cid, "reply", message="Masih berlubang di ujung jalan")
    assert view.state == "distributed"
    assert "reporter_response" not in [d.clock for d in s.engine.deadlines(cid, SYSTEM)]
    s.advance_to(end_of(date(2026, 4, 14)))
    assert firings_of(s, cid, "reporter_response", "auto_close") == []
    assert s.state(cid) == "distributed"
    statuses = {t.id: t.status for t in s.engine.store.timers(cid) if t.clock == "reporter_response"}
    assert statuses == {
        "c1/reporter_response/1/reminder": TimerStatus.FIRED,
        "c1/reporter_response/1/auto_close": TimerStatus.STALE,
    }


def test_the_reporter_may_close_and_reply_but_nobody_else_may_reply() -> None:
    s = scenario()
    cid = followed_up(s)
    assert s.engine.allowed_triggers(cid, s.reporter) == ("reply", "close")
    assert s.engine.allowed_triggers(cid, s.agency_admin()) == ()
    message = "complaint 'c1': reporter 'warga-2' may not fire 'reply': a reporter may act only on their own reports"
    with pytest.raises(PermissionDenied, match=re.escape(message)):
        s.fire(cid, "reply", Actor.reporter("warga-2"), message="bukan laporan saya")
    assert s.fire(cid, "close").state == "closed"


# ---------------------------------------------------------------- escalation is the system's


@pytest.mark.parametrize("who", ["national_admin", "agency_admin", "reporter", "ombudsman"])
def test_a_person_cannot_escalate(who: str) -> None:
    s = scenario()
    cid = s.submit(agency=AGENCY)
    actor = {
        "national_admin": s.national_admin,
        "agency_admin": s.agency_admin(),
        "reporter": s.reporter,
        "ombudsman": s.ombudsman,
    }[who]
    assert "escalate" not in s.engine.allowed_triggers(cid, actor)
    message = f"complaint 'c1': {actor} may not fire 'escalate': only system may fire it"
    with pytest.raises(PermissionDenied, match=f"^{re.escape(message)}$"):
        s.fire(cid, "escalate", actor)
    assert s.state(cid) == "received"
    assert len(s.engine.history(cid, SYSTEM)) == 1


def test_the_host_cannot_fire_as_system() -> None:
    s = scenario()
    cid = s.submit()
    message = "complaint 'c1': system 'system' may not fire 'escalate': system acts only through deadlines"
    with pytest.raises(PermissionDenied, match=f"^{re.escape(message)}$"):
        s.engine.fire(cid, "escalate", SYSTEM)
    assert s.engine.allowed_triggers(cid, SYSTEM) == ()


def test_escalate_is_not_allowed_from_escalated() -> None:
    s = scenario()
    cid = s.submit()
    s.advance_to(end_of(date(2026, 3, 26)))
    message = (
        "complaint 'c1': trigger 'escalate' is not allowed in state 'escalated'; "
        "allowed: verify, distribute, follow_up, refer_to_ombudsman, archive"
    )
    with pytest.raises(TransitionNotAllowed, match=f"^{re.escape(message)}$"):
        s.fire(cid, "escalate", s.national_admin)


# ---------------------------------------------------------------- archive


def test_archive_requires_a_reason_and_is_terminal() -> None:
    s = scenario()
    cid = s.submit()
    message = "complaint 'c1': trigger 'archive' requires reason"
    with pytest.raises(MissingData, match=f"^{re.escape(message)}$"):
        s.fire(cid, "archive")
    with pytest.raises(MissingData, match="requires reason"):
        s.fire(cid, "archive", reason="")
    view = s.fire(cid, "archive", reason="tidak berkaitan dengan pelayanan publik")
    assert (view.state, view.terminal, view.state_label_id) == ("archived", True, "Diarsipkan")
    assert s.engine.deadlines(cid, SYSTEM) == []
    assert [t for t in s.engine.store.timers(cid) if t.status is TimerStatus.PENDING] == []
    for actor in (s.national_admin, s.reporter, s.ombudsman):
        assert s.engine.allowed_triggers(cid, actor) == ()
    message = "complaint 'c1': trigger 'verify' is not allowed in state 'archived'; allowed: none"
    with pytest.raises(TransitionNotAllowed, match=f"^{re.escape(message)}$"):
        s.fire(cid, "verify", s.national_admin, classification="pengaduan", category="kesehatan")
    assert s.advance_working_days(80) == []
    assert s.state(cid) == "archived"


# ---------------------------------------------------------------- Ombudsman (60 working days)


def test_ombudsman_eligibility_comes_after_60_working_days() -> None:
    s = scenario()
    cid = s.submit()
    d = deadline(s, cid, "ombudsman_eligibility")
    # From Mon 16 March: Tue 17 March is day 1, then the days of COMPLETION above: Thu 25 June.
    assert d.due.local_date == date(2026, 6, 25)  # type: ignore[union-attr]
    assert "Hari Raya Idul Adha" in d.explain()
    s.advance_to(end_of(date(2026, 3, 26)))
    assert s.state(cid) == "escalated"  # escalated, and the clock runs on
    check_boundary(s, cid, "ombudsman_eligibility", "eligible", end_of(date(2026, 6, 25)), "emitted")
    assert s.state(cid) == "escalated"
    event = s.engine.history(cid, SYSTEM)[-1]
    assert (event.kind, event.payload["event"]) == ("deadline", "ombudsman_eligibility.eligible")
    check_fires_once(s, cid, "ombudsman_eligibility", "eligible")
    view = s.fire(cid, "refer_to_ombudsman", reason="lebih dari 60 hari kerja tanpa penyelesaian")
    assert (view.state, view.terminal) == ("referred", True)


def test_refer_to_ombudsman_needs_the_reporter_or_the_ombudsman() -> None:
    s = scenario()
    cid = s.submit()
    s.advance_to(end_of(date(2026, 3, 26)))
    assert s.engine.allowed_triggers(cid, s.ombudsman) == ("refer_to_ombudsman",)
    message = (
        "complaint 'c1': national_admin 'admin-nasional' may not fire 'refer_to_ombudsman': "
        "only reporter, ombudsman may fire it"
    )
    with pytest.raises(PermissionDenied, match=re.escape(message)):
        s.fire(cid, "refer_to_ombudsman", s.national_admin, reason="x")
    assert s.fire(cid, "refer_to_ombudsman", s.ombudsman, reason="atas persetujuan pelapor").state == "referred"


def test_a_clock_is_explained_by_what_started_it() -> None:
    s = scenario()
    cid = s.submit()
    assert deadline(s, cid, "verification").started_by == "submitted"
    assert "Diterima" in deadline(s, cid, "verification").explain("id")
    s.fire(cid, "verify", s.national_admin, classification="pengaduan", category="kesehatan")
    s.fire(cid, "distribute", s.national_admin, agency="dinas_kesehatan")
    first_response = deadline(s, cid, "first_response")
    assert first_response.started_by == "distribute"
    assert "Diterima" not in first_response.explain("id")
    assert "Didisposisikan" in first_response.explain("id")
