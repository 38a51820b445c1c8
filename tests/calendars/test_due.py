"""Due dates across real Indonesian holiday clusters, counting policies, zones and duration units.

Every expected date here was worked out by hand from the 2026-2028 calendars (see the golden files
in ``tests/golden/calendar``), not copied from the code's output.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from sp4n.calendars import (
    DEFAULT_POLICY,
    AfterHours,
    CountingPolicy,
    DayKind,
    Due,
    Duration,
    DurationUnit,
    ReceiptDay,
    WorkingCalendar,
)

WIB = ZoneInfo("Asia/Jakarta")
WITA = ZoneInfo("Asia/Makassar")
WIT = ZoneInfo("Asia/Jayapura")

CAL = WorkingCalendar.indonesia()
CAL_WITA = WorkingCalendar.indonesia("WITA")
CAL_WIT = WorkingCalendar.indonesia("WIT")

INCLUDED = CountingPolicy(receipt_day=ReceiptDay.INCLUDED)
NEXT_DAY = CountingPolicy(after_hours=AfterHours.NEXT_WORKING_DAY)
INCLUDED_NEXT_DAY = CountingPolicy(receipt_day=ReceiptDay.INCLUDED, after_hours=AfterHours.NEXT_WORKING_DAY)


def wib(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=WIB)


def end_of(d: date, tz: ZoneInfo = WIB) -> datetime:
    """The instant a day-based deadline on ``d`` passes: the following local midnight."""
    return datetime.combine(d + timedelta(days=1), time(0), tz)


def assert_due_end_of_day(due: Due, expected: date, tz: ZoneInfo = WIB) -> None:
    """``due`` ends exactly at the end of local day ``expected``, given in UTC."""
    assert due.local_date == expected
    assert due.at == end_of(expected, tz)
    assert due.at.utcoffset() == timedelta(0)
    assert due.local_at.tzinfo == tz
    assert due.local_at.time() == time(0)
    assert due.local_at.date() == expected + timedelta(days=1)
    assert (due.at - timedelta(microseconds=1)).astimezone(tz).date() == expected


def skipped(due: Due) -> list[tuple[str, str, str]]:
    return [(d.date.isoformat(), d.kind.value, d.name) for d in due.skipped]


# ---------------------------------------------------------------------------- holiday clusters

NYEPI_IDUL_FITRI_2026 = [
    ("2026-03-18", "joint_leave", "Cuti Bersama Hari Suci Nyepi"),
    ("2026-03-19", "national_holiday", "Hari Suci Nyepi"),
    ("2026-03-20", "joint_leave", "Cuti Bersama Hari Raya Idul Fitri"),
    ("2026-03-21", "national_holiday", "Hari Raya Idul Fitri"),
    ("2026-03-22", "national_holiday", "Hari kedua dari Hari Raya Idul Fitri"),
    ("2026-03-23", "joint_leave", "Cuti Bersama Hari Raya Idul Fitri"),
    ("2026-03-24", "joint_leave", "Cuti Bersama Hari Raya Idul Fitri"),
]


def test_nyepi_and_idul_fitri_2026() -> None:
    """Mon 16 Mar 10:00 WIB + 3 working days: Tue 17 (1), 18-24 off, Wed 25 (2), Thu 26 (3)."""
    due = CAL.due(wib(2026, 3, 16, 10), "3 working days")
    assert_due_end_of_day(due, date(2026, 3, 26))
    assert due.at == datetime(2026, 3, 26, 17, 0, tzinfo=UTC)
    assert due.window == (date(2026, 3, 17), date(2026, 3, 26))
    assert skipped(due) == NYEPI_IDUL_FITRI_2026
    assert due.duration == Duration.parse("3 working days")
    assert due.policy == DEFAULT_POLICY
    assert due.start == wib(2026, 3, 16, 10)
    assert due.counted_from == wib(2026, 3, 16, 10)
    assert due.zone == "Asia/Jakarta"
    assert due.calendar_version == CAL.version
    assert not due.estimated
    assert due.estimated_days == ()
    assert due.unconfirmed_years == ()
    assert due.confirmed


def test_holidays_on_a_weekend_are_skipped_under_their_own_name() -> None:
    """Sat 21 and Sun 22 Mar 2026 are Idul Fitri: skipped as national holidays, not as weekend."""
    due = CAL.due(wib(2026, 3, 16, 10), "3 working days")
    by_date = {d.date: d for d in due.skipped}
    assert by_date[date(2026, 3, 21)].kind is DayKind.NATIONAL_HOLIDAY
    assert by_date[date(2026, 3, 22)].kind is DayKind.NATIONAL_HOLIDAY
    assert all(d.kind is not DayKind.WEEKEND for d in due.skipped)


def test_christmas_2026() -> None:
    """Wed 23 Dec + 3: Thu 24 (joint leave), Fri 25 (Natal), weekend, Mon 28, Tue 29, Wed 30."""
    due = CAL.due(wib(2026, 12, 23, 10), "3 working days")
    assert_due_end_of_day(due, date(2026, 12, 30))
    assert skipped(due) == [
        ("2026-12-24", "joint_leave", "Cuti Bersama Hari Raya Natal"),
        ("2026-12-25", "national_holiday", "Hari Raya Natal"),
        ("2026-12-26", "weekend", "Sabtu / Saturday"),
        ("2026-12-27", "weekend", "Minggu / Sunday"),
    ]


def test_new_year_2027_crosses_the_year() -> None:
    """Wed 30 Dec 2026 + 3: Thu 31 (1), Fri 1 Jan off, weekend, Mon 4 (2), Tue 5 Isra Mikraj, Wed 6 (3)."""
    due = CAL.due(wib(2026, 12, 30, 9), "3 working days")
    assert_due_end_of_day(due, date(2027, 1, 6))
    assert [(d.date.isoformat(), d.kind.value) for d in due.skipped] == [
        ("2027-01-01", "national_holiday"),
        ("2027-01-02", "weekend"),
        ("2027-01-03", "weekend"),
        ("2027-01-05", "national_holiday"),
    ]
    assert due.unconfirmed_years == ()


def test_idul_adha_2026_runs_into_waisak_and_pancasila() -> None:
    """Tue 26 May + 3: Wed 27 Idul Adha, Thu 28 joint leave, Fri 29 (1), Sat 30, Sun 31 Waisak,
    Mon 1 Jun Pancasila, Tue 2 (2), Wed 3 (3)."""
    due = CAL.due(wib(2026, 5, 26, 10), "3 working days")
    assert_due_end_of_day(due, date(2026, 6, 3))
    assert skipped(due) == [
        ("2026-05-27", "national_holiday", "Hari Raya Idul Adha"),
        ("2026-05-28", "joint_leave", "Cuti Bersama Hari Raya Idul Adha"),
        ("2026-05-30", "weekend", "Sabtu / Saturday"),
        ("2026-05-31", "national_holiday", "Hari Raya Waisak"),
        ("2026-06-01", "national_holiday", "Hari Lahir Pancasila"),
    ]


def test_without_joint_leave_the_cluster_is_shorter() -> None:
    """Front-line units (joint_leave=False) work 18, 20, 23 and 24 March 2026."""
    cal = WorkingCalendar.indonesia(joint_leave=False)
    due = cal.due(wib(2026, 3, 16, 10), "3 working days")
    assert_due_end_of_day(due, date(2026, 3, 20))  # Tue 17, Wed 18, (Thu 19 Nyepi), Fri 20
    assert skipped(due) == [("2026-03-19", "national_holiday", "Hari Suci Nyepi")]
    assert due.calendar_version == cal.version != CAL.version


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("5 working days", date(2026, 3, 30)),  # 17, 25, 26, 27, 30
        ("1 working day", date(2026, 3, 17)),
        ("2 working days", date(2026, 3, 25)),
        ("14 working days", date(2026, 4, 13)),  # 17, 25-27, 30, 31, 1, 2, (3 Good Friday), 6-10, 13
        ("3 hari kerja", date(2026, 3, 26)),
    ],
)
def test_other_working_day_budgets_from_the_same_receipt(text: str, expected: date) -> None:
    assert_due_end_of_day(CAL.due(wib(2026, 3, 16, 10), text), expected)


def test_receipt_on_a_holiday_counts_from_the_next_working_day() -> None:
    """Received on Nyepi (Thu 19 Mar 2026): day 1 is Wed 25."""
    due = CAL.due(wib(2026, 3, 19, 10), "1 working day")
    assert_due_end_of_day(due, date(2026, 3, 25))
    assert [d.date for d in due.skipped] == [date(2026, 3, day) for day in range(20, 25)]


def test_duration_object_and_text_give_the_same_due() -> None:
    duration = Duration(value=3, unit=DurationUnit.WORKING_DAYS)
    assert CAL.due(wib(2026, 3, 16, 10), duration) == CAL.due(wib(2026, 3, 16, 10), "3 working days")


def test_start_in_another_offset_is_the_same_instant() -> None:
    """The same instant written in UTC gives the same Due."""
    utc = datetime(2026, 3, 16, 3, 0, tzinfo=UTC)
    assert CAL.due(utc, "3 working days") == CAL.due(wib(2026, 3, 16, 10), "3 working days")
    assert CAL.due(utc, "3 working days").start == utc


# ---------------------------------------------------------------------------- counting policies


def test_receipt_day_included() -> None:
    """Mon 16 Mar counts as day 1: Mon 16 (1), Tue 17 (2), Wed 25 (3)."""
    due = CAL.due(wib(2026, 3, 16, 10), "3 working days", INCLUDED)
    assert_due_end_of_day(due, date(2026, 3, 25))
    assert due.window == (date(2026, 3, 16), date(2026, 3, 25))
    assert [d.date for d in due.skipped] == [date(2026, 3, day) for day in range(18, 25)]


def test_receipt_day_included_on_a_saturday_starts_on_monday() -> None:
    """Sat 14 Mar: day 1 is Mon 16, then Tue 17, Wed 25."""
    due = CAL.due(wib(2026, 3, 14, 10), "3 working days", INCLUDED)
    assert_due_end_of_day(due, date(2026, 3, 25))
    assert [d.kind for d in due.skipped[:2]] == [DayKind.WEEKEND, DayKind.WEEKEND]


def test_receipt_day_included_on_the_first_covered_day() -> None:
    """Mon 1 Jan 2024 (a holiday) on a calendar from 2024: day 1 is Tue 2, day 3 is Thu 4.

    Counting must not need the day before the calendar starts.
    """
    cal = WorkingCalendar.indonesia(years=(2024, 2026))
    due = cal.due(wib(2024, 1, 1, 10), "3 working days", INCLUDED)
    assert_due_end_of_day(due, date(2024, 1, 4))


def test_after_hours_same_day_is_the_default() -> None:
    """17:30 on Mon 16 Mar still counts from Monday: due Thu 26."""
    due = CAL.due(wib(2026, 3, 16, 17, 30), "3 working days")
    assert_due_end_of_day(due, date(2026, 3, 26))
    assert due.counted_from == wib(2026, 3, 16, 17, 30)


def test_after_hours_next_working_day_17_30() -> None:
    """17:30 on Mon 16 Mar is received Tue 17 07:30; day 1 is Wed 25, day 3 Fri 27."""
    due = CAL.due(wib(2026, 3, 16, 17, 30), "3 working days", NEXT_DAY)
    assert due.counted_from == wib(2026, 3, 17, 7, 30)
    assert_due_end_of_day(due, date(2026, 3, 27))
    assert "counted from Tuesday 17 March 2026 07:30" in due.explain("en")
    assert "dihitung sejak Selasa, 17 Maret 2026 pukul 07:30" in due.explain("id")


def test_after_hours_next_working_day_within_office_hours_changes_nothing() -> None:
    due = CAL.due(wib(2026, 3, 16, 15, 59), "3 working days", NEXT_DAY)
    assert due.counted_from == wib(2026, 3, 16, 15, 59)
    assert_due_end_of_day(due, date(2026, 3, 26))
    assert "outside office hours" not in due.explain("en")


def test_after_hours_next_working_day_on_friday_uses_friday_closing_time() -> None:
    """Friday closes at 16:30: 16:15 is in office hours, 16:45 is not."""
    inside = CAL.due(wib(2026, 3, 13, 16, 15), "1 working day", NEXT_DAY)
    assert inside.counted_from == wib(2026, 3, 13, 16, 15)
    assert_due_end_of_day(inside, date(2026, 3, 16))
    outside = CAL.due(wib(2026, 3, 13, 16, 45), "1 working day", NEXT_DAY)
    assert outside.counted_from == wib(2026, 3, 16, 7, 30)
    assert_due_end_of_day(outside, date(2026, 3, 17))


def test_after_hours_next_working_day_on_a_saturday() -> None:
    """Sat 14 Mar is received Mon 16 07:30; day 1 Tue 17, day 3 Thu 26. SAME_DAY: Mon 16 is day 1."""
    next_day = CAL.due(wib(2026, 3, 14, 10), "3 working days", NEXT_DAY)
    assert next_day.counted_from == wib(2026, 3, 16, 7, 30)
    assert_due_end_of_day(next_day, date(2026, 3, 26))
    same_day = CAL.due(wib(2026, 3, 14, 10), "3 working days")
    assert_due_end_of_day(same_day, date(2026, 3, 25))


def test_included_and_next_working_day_together() -> None:
    """17:30 Mon 16 Mar: received Tue 17 07:30, which is day 1; Wed 25, Thu 26."""
    due = CAL.due(wib(2026, 3, 16, 17, 30), "3 working days", INCLUDED_NEXT_DAY)
    assert_due_end_of_day(due, date(2026, 3, 26))
    assert due.explain("en").count("Day 1 is the day of receipt.") == 1


def test_policies_compare_by_value() -> None:
    assert CountingPolicy() == DEFAULT_POLICY
    assert CountingPolicy(receipt_day="included") == INCLUDED
    assert hash(CountingPolicy(after_hours="next_working_day")) == hash(NEXT_DAY)


# ---------------------------------------------------------------------------- zones


def test_one_instant_is_monday_in_wib_and_tuesday_in_wit() -> None:
    """2026-03-16T23:30+07:00 is Mon 23:30 WIB but Tue 01:30 WIT."""
    instant = datetime.fromisoformat("2026-03-16T23:30+07:00")
    in_wib = CAL.due(instant, "3 working days")
    in_wit = CAL_WIT.due(instant, "3 working days")
    assert_due_end_of_day(in_wib, date(2026, 3, 26), WIB)  # 17, 25, 26
    assert_due_end_of_day(in_wit, date(2026, 3, 27), WIT)  # 25, 26, 27
    assert in_wit.at == datetime(2026, 3, 27, 15, 0, tzinfo=UTC)
    assert in_wit.zone == "Asia/Jayapura"
    assert in_wib.calendar_version != in_wit.calendar_version
    assert "Selasa, 17 Maret 2026 pukul 01:30 WIT" in in_wit.explain("id")


def test_wita_sits_between() -> None:
    """2026-03-16T22:30+07:00 is Mon 23:30 WITA (due Thu 26) and Tue 00:30 WIT (due Fri 27)."""
    instant = datetime.fromisoformat("2026-03-16T22:30+07:00")
    in_wita = CAL_WITA.due(instant, "3 working days")
    assert_due_end_of_day(in_wita, date(2026, 3, 26), WITA)
    assert in_wita.at == datetime(2026, 3, 26, 16, 0, tzinfo=UTC)
    assert_due_end_of_day(CAL_WIT.due(instant, "3 working days"), date(2026, 3, 27), WIT)
    assert "WITA" in in_wita.explain("en")


@pytest.mark.parametrize(
    ("alias", "zone"),
    [("WIB", "Asia/Jakarta"), ("wita", "Asia/Makassar"), (" WIT ", "Asia/Jayapura"), ("Asia/Pontianak", None)],
)
def test_zone_aliases(alias: str, zone: str | None) -> None:
    cal = WorkingCalendar.indonesia(alias)
    assert cal.zone == (zone or alias)
    assert cal.local_date(datetime.fromisoformat("2026-03-16T23:30+07:00")) == (
        date(2026, 3, 16) if cal.zone in ("Asia/Jakarta", "Asia/Pontianak") else date(2026, 3, 17)
    )


def test_working_hours_use_local_office_hours_in_each_zone() -> None:
    """08:00 WIB Monday is 10:00 WIT: 8 working hours end Mon 16:00 WIB, but Tue 09:30 WIT."""
    instant = wib(2026, 3, 9, 8)
    assert CAL.due(instant, "8 working hours").at == wib(2026, 3, 9, 16)
    in_wit = CAL_WIT.due(instant, "8 working hours")
    # Mon 10:00-16:00 WIT = 6 h, Tue 07:30 + 2 h.
    assert in_wit.at == datetime(2026, 3, 10, 9, 30, tzinfo=WIT)
    assert in_wit.local_date == date(2026, 3, 10)


# ---------------------------------------------------------------------------- working hours


def test_working_hours_across_a_weekend() -> None:
    """Fri 6 Mar 14:00 + 8 working hours: 2.5 h on Friday (closes 16:30), 5.5 h on Monday -> 13:00."""
    due = CAL.due(wib(2026, 3, 6, 14), "8 working hours")
    assert due.at == wib(2026, 3, 9, 13)
    assert due.at.tzinfo == UTC
    assert due.local_date == date(2026, 3, 9)
    assert due.local_at == wib(2026, 3, 9, 13)
    assert [(d.date, d.kind) for d in due.skipped] == [
        (date(2026, 3, 7), DayKind.WEEKEND),
        (date(2026, 3, 8), DayKind.WEEKEND),
    ]
    assert "Senin, 9 Maret 2026 pukul 13:00 WIB" in due.explain("id")


def test_working_hours_across_the_2026_cluster() -> None:
    """Tue 17 Mar 14:00 + 8 working hours: 2 h on Tuesday, then Wed 25 07:30 + 6 h = 13:30."""
    due = CAL.due(wib(2026, 3, 17, 14), "8 working hours")
    assert due.at == wib(2026, 3, 25, 13, 30)
    assert skipped(due) == NYEPI_IDUL_FITRI_2026


def test_working_hours_before_opening_start_at_opening() -> None:
    assert CAL.due(wib(2026, 3, 9, 6), "8 working hours").at == wib(2026, 3, 9, 15, 30)


def test_working_hours_ending_exactly_at_closing_time_end_that_day() -> None:
    due = CAL.due(wib(2026, 3, 9, 8), "8 working hours")
    assert due.at == wib(2026, 3, 9, 16)
    assert due.local_date == date(2026, 3, 9)


def test_working_hours_after_closing_start_next_working_day() -> None:
    """Mon 17:30: nothing left on Monday, so Tue 07:30 + 8 h = 15:30 (same with either after-hours policy)."""
    assert CAL.due(wib(2026, 3, 9, 17, 30), "8 working hours").at == wib(2026, 3, 10, 15, 30)
    assert CAL.due(wib(2026, 3, 9, 17, 30), "8 working hours", NEXT_DAY).at == wib(2026, 3, 10, 15, 30)


def test_working_hours_received_on_a_saturday() -> None:
    assert CAL.due(wib(2026, 3, 7, 10), "8 working hours").at == wib(2026, 3, 9, 15, 30)
    assert CAL.due(wib(2026, 3, 7, 10), "8 jam kerja", NEXT_DAY).at == wib(2026, 3, 9, 15, 30)


def test_a_working_week_is_43_office_hours() -> None:
    """Mon 07:30: 4 x 8.5 h + 9 h on Friday = 43 h, so 43 working hours end Fri 16:30, 44 end Mon 08:30."""
    assert CAL.due(wib(2026, 3, 9, 7, 30), "43 working hours").at == wib(2026, 3, 13, 16, 30)
    assert CAL.due(wib(2026, 3, 9, 7, 30), "44 working hours").at == wib(2026, 3, 16, 8, 30)


def test_custom_office_hours() -> None:
    cal = WorkingCalendar.indonesia(office_hours={"Mon": ("08:00", "12:00"), "Tue": ("08:00", "12:00")})
    # Mon 4 h, Tue 4 h; no hours on Wed-Fri, so they add nothing; next Monday 08:00 + 1 h.
    assert cal.due(wib(2026, 3, 9, 8), "9 working hours").at == wib(2026, 3, 16, 9)


def test_zero_working_hours_is_the_start() -> None:
    assert CAL.due(wib(2026, 3, 7, 10), "0 working hours").at == wib(2026, 3, 7, 10)


# ---------------------------------------------------------------------------- hours and calendar days


def test_hours_ignore_the_calendar() -> None:
    """Fri 20 Mar 10:00 (joint leave) + 24 hours = Sat 21 10:00, holidays or not."""
    due = CAL.due(wib(2026, 3, 20, 10), "24 hours")
    assert due.at == wib(2026, 3, 21, 10)
    assert due.local_date == date(2026, 3, 21)
    assert due.skipped == ()
    assert "Saturday 21 March 2026 10:00 WIB" in due.explain("en")


def test_hours_with_next_working_day_start_at_opening() -> None:
    """Batam's 24-hour first response, received Sat 14 Mar under NEXT_WORKING_DAY: Tue 17 07:30."""
    due = CAL.due(wib(2026, 3, 14, 10), "24 jam", NEXT_DAY)
    assert due.at == wib(2026, 3, 17, 7, 30)


def test_calendar_days() -> None:
    """Mon 16 Mar + 10 calendar days: day 1 Tue 17, day 10 Thu 26; included: Wed 25."""
    due = CAL.due(wib(2026, 3, 16, 10), "10 calendar days")
    assert_due_end_of_day(due, date(2026, 3, 26))
    assert due.skipped == ()
    assert_due_end_of_day(CAL.due(wib(2026, 3, 16, 10), "10 hari kalender", INCLUDED), date(2026, 3, 25))


def test_calendar_days_may_end_on_a_holiday() -> None:
    due = CAL.due(wib(2026, 3, 16, 10), "3 calendar days")
    assert_due_end_of_day(due, date(2026, 3, 19))
    assert not CAL.is_working_day(due.local_date)


# ---------------------------------------------------------------------------- estimated and unconfirmed


def test_estimated_idul_fitri_2027() -> None:
    """Mon 8 Mar 2027 (Nyepi) + 3: 9-12 and 15 off (10-11 Idul Fitri, estimated); Tue 16, Wed 17, Thu 18."""
    due = CAL.due(wib(2027, 3, 8, 10), "3 working days")
    assert_due_end_of_day(due, date(2027, 3, 18))
    assert due.estimated
    assert not due.confirmed
    assert [(d.date, d.name) for d in due.estimated_days] == [
        (date(2027, 3, 10), "Hari Raya Idul Fitri (perkiraan)"),
        (date(2027, 3, 11), "Hari kedua dari Hari Raya Idul Fitri (perkiraan)"),
    ]
    assert all(d.estimated == ("(perkiraan)" in d.name) for d in due.skipped)
    assert due.unconfirmed_years == ()
    en, id_ = due.explain("en"), due.explain("id")
    assert "Hari Raya Idul Fitri (perkiraan) [national holiday] (estimated date)" in en
    assert "Warning: rests on estimated holiday dates" in en
    assert "Hari Raya Idul Fitri (perkiraan) [libur nasional] (tanggal perkiraan)" in id_
    assert "Perhatian: bergantung pada tanggal libur perkiraan" in id_


def test_confirmed_window_in_2027_is_not_estimated() -> None:
    due = CAL.due(wib(2027, 6, 7, 10), "5 working days")
    assert not due.estimated
    assert due.confirmed
    assert "Warning" not in due.explain("en")


def test_unconfirmed_year_2028() -> None:
    """2028 has no joint-leave data yet: deadlines in it say so."""
    assert 2028 not in CAL.confirmed_years
    due = CAL.due(wib(2028, 3, 8, 10), "3 working days")
    assert_due_end_of_day(due, date(2028, 3, 13))
    assert due.unconfirmed_years == (2028,)
    assert not due.confirmed
    assert "Warning: no confirmed joint-leave (cuti bersama) data for 2028." in due.explain("en")
    assert "Perhatian: belum ada data cuti bersama yang ditetapkan untuk tahun 2028." in due.explain("id")


def test_window_crossing_into_an_unconfirmed_year() -> None:
    """Thu 30 Dec 2027 + 3: Fri 31 (1), Mon 3 Jan 2028 (2), Tue 4 (3)."""
    due = CAL.due(wib(2027, 12, 30, 10), "3 working days")
    assert_due_end_of_day(due, date(2028, 1, 4))
    assert due.unconfirmed_years == (2028,)


# ---------------------------------------------------------------------------- explain


def test_explain_in_indonesian_has_the_key_facts() -> None:
    text = CAL.due(wib(2026, 3, 16, 10), "3 working days").explain("id")
    for fact in [
        "Diterima Senin, 16 Maret 2026 pukul 10:00 WIB; dihitung 3 hari kerja.",
        "Hari ke-1 adalah hari setelah hari penerimaan.",
        "Tidak dihitung:",
        "Rabu, 18 Maret 2026: Cuti Bersama Hari Suci Nyepi [cuti bersama]",
        "Kamis, 19 Maret 2026: Hari Suci Nyepi [libur nasional]",
        "Selasa, 24 Maret 2026: Cuti Bersama Hari Raya Idul Fitri [cuti bersama]",
        "Batas waktu: akhir hari Kamis, 26 Maret 2026",
        "2026-03-27 pukul 00:00 WIB",
        "2026-03-26 17:00 UTC",
        f"Versi kalender {CAL.version}.",
    ]:
        assert fact in text


def test_explain_in_english_has_the_key_facts() -> None:
    text = CAL.due(wib(2026, 12, 23, 10), "3 working days").explain("en")
    for fact in [
        "Received Wednesday 23 December 2026 10:00 WIB; counting 3 working days.",
        "Day 1 is the day after the day of receipt.",
        "Not counted:",
        "Thursday 24 December 2026: Cuti Bersama Hari Raya Natal [joint leave]",
        "Friday 25 December 2026: Hari Raya Natal [national holiday]",
        "2 weekend day(s)",
        "Due at the end of Wednesday 30 December 2026",
        "2026-12-31 00:00 WIB",
        "2026-12-30 17:00 UTC",
        f"Calendar version {CAL.version}.",
    ]:
        assert fact in text
    assert "Warning" not in text


def test_explain_defaults_to_english() -> None:
    due = CAL.due(wib(2026, 3, 16, 10), "3 working days")
    assert due.explain() == due.explain("en")


# ---------------------------------------------------------------------------- Due values


def test_due_equality_and_hash() -> None:
    a = CAL.due(wib(2026, 3, 16, 10), "3 working days")
    b = CAL.due(wib(2026, 3, 16, 11), "3 working days")
    assert a == b  # same deadline, same calendar, same duration
    assert hash(a) == hash(b)
    assert a != CAL.due(wib(2026, 3, 16, 10), "4 working days")
    assert a != WorkingCalendar.indonesia(joint_leave=False).due(wib(2026, 3, 16, 10), "3 working days")


def test_the_deadline_instant_is_the_start_of_the_next_local_day() -> None:
    due = CAL.due(wib(2026, 3, 16, 10), "3 working days")
    assert due.at == CAL.start_of_day(date(2026, 3, 27))
    assert due.at - timedelta(microseconds=1) < CAL.start_of_day(date(2026, 3, 27))
    assert CAL.local_date(due.at) == date(2026, 3, 27)
    assert CAL.local_date(due.at - timedelta(microseconds=1)) == date(2026, 3, 26)


def test_allow_uncovered_answers_outside_the_years_and_flags_them() -> None:
    cal = WorkingCalendar.indonesia(years=(2024, 2026), allow_uncovered=True)
    # 2027: weekmask only, so Fri 1 Jan 2027 (a real holiday) counts as a working day.
    due = cal.due(wib(2026, 12, 30, 10), "3 working days")
    assert_due_end_of_day(due, date(2027, 1, 4))  # Thu 31 (1), Fri 1 (2), Mon 4 (3)
    assert due.unconfirmed_years == (2027,)
    assert "2027" in due.explain("en")
