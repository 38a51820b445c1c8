"""Regional variants of the national SOP, checked the way a province or city would check its own.

``examples/sop/kalsel-shorter.yaml`` is a provincial SOP written as a variant of the national one
(``extends: national``) with shorter limits: 2 working days to verify instead of 3, completion in
3 / 10 / 30 working days instead of 5 / 14 / 60, and 5 working days for the reporter's reply
instead of 10. Its numbers are illustrative. Batam's built-in variant promises a first response
within 24 hours, weekends included.

Every test starts on Monday 2 March 2026 at 09:00 WIB, a plain working week. Run them with
``pytest examples/test_regional_variant.py``.
"""

from datetime import date, timedelta
from pathlib import Path

KALSEL = Path(__file__).parent / "sop" / "kalsel-shorter.yaml"


def test_kalsel_2_day_verification_escalates_on_day_3(sp4n_scenario):
    s = sp4n_scenario(sops=[KALSEL])
    report = s.submit("Jembatan desa putus", sop="kalsel_shorter")

    s.advance_working_days(2)  # Wednesday 09:00: day 2, still in time
    assert s.state(report) == "received"

    s.advance_working_days(1)  # Thursday 09:00: day 3
    assert s.state(report) == "escalated"


def test_kalsel_verification_passes_at_midnight_to_the_second(sp4n_scenario):
    s = sp4n_scenario(sops=[KALSEL])
    report = s.submit("Jembatan desa putus", sop="kalsel_shorter")
    due = s.due(report, "verification")
    assert due.local_date == date(2026, 3, 4)  # Tuesday and Wednesday count

    s.advance_to(due.at - timedelta(seconds=1))
    assert s.state(report) == "received"
    s.advance(seconds=1)
    assert s.state(report) == "escalated"


def test_kalsel_is_quicker_than_the_national_sop(sp4n_scenario):
    s = sp4n_scenario(sops=["national", KALSEL])
    national = s.submit("Sekolah kekurangan guru", sop="national")
    kalsel = s.submit("Sekolah kekurangan guru", sop="kalsel_shorter")

    assert s.due(national, "verification").local_date == date(2026, 3, 5)
    assert s.due(kalsel, "verification").local_date == date(2026, 3, 4)


def test_kalsel_answers_an_aspiration_within_3_working_days(sp4n_scenario):
    s = sp4n_scenario(sops=[KALSEL])
    report = s.submit("Usul taman baca di kelurahan", sop="kalsel_shorter")
    s.fire(report, "verify", s.national_admin, classification="aspirasi", category="pendidikan")
    s.fire(report, "distribute", s.national_admin, agency="dinas_pendidikan_kalsel")

    s.advance_working_days(3)  # Thursday 09:00: still in time
    assert s.state(report) == "distributed"
    s.advance_working_days(1)  # Friday 09:00
    assert s.state(report) == "escalated"


def test_kalsel_closes_a_report_after_5_silent_working_days(sp4n_scenario):
    s = sp4n_scenario(sops=[KALSEL])
    report = s.submit("Lampu jalan mati", sop="kalsel_shorter")
    s.fire(report, "verify", s.national_admin, classification="pengaduan", category="infrastruktur")
    s.fire(report, "distribute", s.national_admin, agency="dinas_pupr_kalsel")
    s.fire(report, "follow_up", s.liaison_officer("dinas_pupr_kalsel"), response="Lampu sudah diganti")

    s.advance_working_days(6)
    assert s.state(report) == "closed"


def test_batam_gives_a_first_response_within_24_hours_weekends_included(sp4n_scenario):
    s = sp4n_scenario(sops=["batam_24h"], start="2026-03-06T15:30:00+07:00")  # a Friday afternoon
    report = s.submit("Air PDAM mati sejak pagi", sop="batam_24h")

    s.advance(hours=23, minutes=59, seconds=59)  # Saturday 15:29:59
    assert s.state(report) == "received"
    s.advance(seconds=1)  # Saturday 15:30:00
    assert s.state(report) == "escalated"
