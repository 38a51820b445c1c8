"""The COVID-19 fast track (SE MenPANRB 53/2020), checked the way policy staff would check it.

A COVID-19 report skips the national admin: the rules of the SOP send it by keyword or category
straight to the authorized official of the agency concerned, who disposes it to a unit within
1 working day; the agency follows it up within 2 working days of receipt. A deadline that passes
escalates the report by itself.

Every test starts on Monday 2 March 2026 at 09:00 WIB, a plain working week. Run them with
``pytest examples/test_covid19_fasttrack.py``.
"""

from datetime import date, timedelta


def test_a_routed_report_goes_straight_to_the_official(sp4n_scenario):
    s = sp4n_scenario(sops=["covid19_fasttrack"])
    report = s.submit("Stok vaksin habis di puskesmas", sop="covid19_fasttrack")

    ministry = s.engine.get(report, s.national_admin)
    assert ministry.agency == "kemenkes"  # chosen by the keyword "vaksin"
    assert ministry.official == "pejabat_pengelola_pengaduan_kemenkes"

    s.fire(report, "dispose", s.liaison_officer("kemenkes"), unit="direktorat_imunisasi")
    assert s.state(report) == "distributed"  # no national admin in between


def test_a_report_in_the_covid19_category_goes_to_the_task_force(sp4n_scenario):
    s = sp4n_scenario(sops=["covid19_fasttrack"])
    report = s.submit("Kerumunan di pasar malam", sop="covid19_fasttrack", category="covid19")

    assert s.engine.get(report, s.national_admin).agency == "satgas_covid19"


def test_a_covid_report_not_disposed_within_1_working_day_escalates(sp4n_scenario):
    s = sp4n_scenario(sops=["covid19_fasttrack"])
    report = s.submit("Hasil PCR belum keluar setelah 5 hari", sop="covid19_fasttrack")

    s.advance_working_days(1)  # Tuesday 09:00: still in time
    assert s.state(report) == "received"

    s.advance_working_days(1)  # Wednesday 09:00: Tuesday has ended
    assert s.state(report) == "escalated"


def test_a_covid_report_not_followed_up_in_2_working_days_escalates(sp4n_scenario):
    s = sp4n_scenario(sops=["covid19_fasttrack"])
    report = s.submit("Warga isolasi mandiri belum dapat oksigen", sop="covid19_fasttrack")
    s.fire(report, "dispose", s.liaison_officer("kemenkes"), unit="dinas_kesehatan_kota")

    s.advance_working_days(2)  # Wednesday 09:00: still in time
    assert s.state(report) == "distributed"

    s.advance_working_days(1)  # Thursday 09:00: the two working days have passed
    assert s.state(report) == "escalated"


def test_the_follow_up_deadline_passes_at_midnight_to_the_second(sp4n_scenario):
    s = sp4n_scenario(sops=["covid19_fasttrack"])
    report = s.submit("Rapid test berbayar di bandara", sop="covid19_fasttrack")
    s.fire(report, "dispose", s.liaison_officer("kemenkes"), unit="kantor_kesehatan_pelabuhan")
    due = s.due(report, "follow_up")
    assert due.local_date == date(2026, 3, 4)  # received Monday: Tuesday and Wednesday count

    s.advance_to(due.at - timedelta(seconds=1))  # Wednesday 23:59:59 WIB
    assert s.state(report) == "distributed"
    s.advance(seconds=1)  # Thursday 00:00:00 WIB
    assert s.state(report) == "escalated"


def test_a_report_followed_up_in_time_does_not_escalate(sp4n_scenario):
    s = sp4n_scenario(sops=["covid19_fasttrack"])
    report = s.submit("Jadwal vaksin lansia tidak jelas", sop="covid19_fasttrack")
    official = s.liaison_officer("kemenkes")
    s.fire(report, "dispose", official, unit="dinas_kesehatan_kota")
    s.advance_working_days(1)
    s.fire(report, "follow_up", official, response="Jadwal vaksin lansia sudah diumumkan")

    s.advance_working_days(5)
    assert s.state(report) == "followed_up"


def test_the_idul_fitri_holidays_do_not_count(sp4n_scenario):
    s = sp4n_scenario(sops=["covid19_fasttrack"], start="2026-03-17T10:00:00+07:00")
    report = s.submit("Bantuan sosial covid belum cair", sop="covid19_fasttrack")

    # Received Tuesday 17 March; 18 to 24 March are Nyepi, Idul Fitri and joint leave.
    assert s.due(report, "disposition").local_date == date(2026, 3, 25)
    assert s.due(report, "follow_up").local_date == date(2026, 3, 26)
    assert "Hari Suci Nyepi" in s.due(report, "follow_up").explain()
