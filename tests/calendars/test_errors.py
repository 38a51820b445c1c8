"""Every error of the calendar layer: its class, the argument it names, the value, and the message.

Each message is matched in full enough that a broken format string or a wrong argument name
fails here. Most tests use a calendar of fixed years (2024-2026) so the messages do not move when
the ``holidays`` package learns a new year.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from sp4n.calendars import (
    CountingPolicy,
    DayKind,
    Duration,
    DurationUnit,
    NonWorkingDay,
    ReceiptDay,
    WorkingCalendar,
)
from sp4n.errors import (
    CalendarError,
    DateOutOfRangeError,
    InvalidArgumentError,
    InvalidDurationError,
    NaiveDatetimeError,
    Sp4nError,
    UnknownZoneError,
)

WIB = ZoneInfo("Asia/Jakarta")
CAL = WorkingCalendar.indonesia(years=(2024, 2026))
COVERS = re.escape("is outside the calendar, which covers 2024-01-01 to 2026-12-31; build it with more years") + (
    " or allow_uncovered=True$"
)
START = datetime(2026, 3, 16, 10, tzinfo=WIB)


def days(*isos: str) -> np.ndarray:
    return np.array(isos, dtype="datetime64[D]")


# ---------------------------------------------------------------------------- the tree


@pytest.mark.parametrize(
    "cls", [NaiveDatetimeError, UnknownZoneError, DateOutOfRangeError, InvalidDurationError, InvalidArgumentError]
)
def test_bad_input_errors_are_sp4n_errors_and_value_errors(cls: type[Exception]) -> None:
    assert issubclass(cls, Sp4nError)
    assert issubclass(cls, ValueError)
    if cls is not InvalidArgumentError:
        assert issubclass(cls, CalendarError)


# ---------------------------------------------------------------------------- naive and non-datetime instants


def test_naive_start() -> None:
    naive = datetime(2026, 3, 16, 10)
    with pytest.raises(
        NaiveDatetimeError,
        match=r"^start=datetime\.datetime\(2026, 3, 16, 10, 0\) is a naive datetime; give a timezone-aware one "
        r"\(e\.g\. with tzinfo=ZoneInfo\('Asia/Jakarta'\) or a '\+07:00' offset\)$",
    ) as info:
        CAL.due(naive, "3 working days")
    assert info.value.argument == "start"
    assert info.value.value == naive


def test_naive_instant_for_local_date() -> None:
    with pytest.raises(NaiveDatetimeError, match=r"^instant=datetime\.datetime\(2026, 3, 16, 23, 30\) is a naive"):
        CAL.local_date(datetime(2026, 3, 16, 23, 30))


@pytest.mark.parametrize(
    ("start", "shown"), [(date(2026, 3, 16), r"datetime\.date\(2026, 3, 16\)"), ("2026-03-16T10:00+07:00", "'.*'")]
)
def test_start_that_is_not_a_datetime(start: object, shown: str) -> None:
    with pytest.raises(InvalidArgumentError, match=rf"^start={shown} is invalid: expected a timezone-aware datetime$"):
        CAL.due(start, "3 working days")  # type: ignore[arg-type]


# ---------------------------------------------------------------------------- zones


@pytest.mark.parametrize(("zone", "shown"), [("Mars/Olympus", "'Mars/Olympus'"), ("", "''"), ("   ", "'   '")])
def test_unknown_zone(zone: str, shown: str) -> None:
    message = (
        rf"^zone={shown} is not a known time zone; use an IANA name such as 'Asia/Jakarta', 'Asia/Makassar', "
        r"'Asia/Jayapura' or the aliases WIB, WITA, WIT$"
    )
    with pytest.raises(UnknownZoneError, match=message) as info:
        WorkingCalendar.indonesia(zone)
    assert info.value.argument == "zone"
    assert info.value.value == zone
    with pytest.raises(UnknownZoneError, match=message):
        WorkingCalendar(years=(2026, 2026), zone=zone)


def test_zone_of_the_wrong_type() -> None:
    with pytest.raises(UnknownZoneError, match=r"^zone=None is not a known time zone"):
        WorkingCalendar(years=(2026, 2026), zone=None)  # type: ignore[arg-type]


def test_zone_that_is_not_a_valid_key() -> None:
    with pytest.raises(UnknownZoneError, match=r"^zone='\.\./etc/passwd' is not a known time zone"):
        WorkingCalendar.indonesia("../etc/passwd")


# ---------------------------------------------------------------------------- dates outside the calendar


def test_is_working_day_out_of_range() -> None:
    with pytest.raises(DateOutOfRangeError, match=r"^d=datetime\.date\(2023, 12, 31\) " + COVERS) as info:
        CAL.is_working_day(date(2023, 12, 31))
    assert (info.value.argument, info.value.value) == ("d", date(2023, 12, 31))
    assert (info.value.first, info.value.last) == (date(2024, 1, 1), date(2026, 12, 31))
    with pytest.raises(DateOutOfRangeError, match=r"^d=datetime\.date\(2027, 1, 1\) " + COVERS):
        CAL.is_working_day(date(2027, 1, 1))


def test_add_working_days_out_of_range() -> None:
    with pytest.raises(DateOutOfRangeError, match=r"^d=datetime\.date\(2027, 1, 4\) " + COVERS):
        CAL.add_working_days(date(2027, 1, 4), 1)
    with pytest.raises(DateOutOfRangeError, match=r"^d=datetime\.date\(2023, 6, 1\) " + COVERS):
        CAL.add_working_days(date(2023, 6, 1), 0)


def test_add_working_days_result_out_of_range() -> None:
    with pytest.raises(DateOutOfRangeError, match=r"^result='5 working days from 2026-12-28' " + COVERS):
        CAL.add_working_days(date(2026, 12, 28), 5)
    with pytest.raises(DateOutOfRangeError, match=r"^result='-2 working days from 2024-01-03' " + COVERS):
        CAL.add_working_days(date(2024, 1, 3), -2)
    # 31 December 2026 is a Thursday, a working day; n = 0 stays in range.
    assert CAL.add_working_days(date(2026, 12, 31), 0) == date(2026, 12, 31)


def test_working_days_between_out_of_range() -> None:
    with pytest.raises(DateOutOfRangeError, match=r"^a=datetime\.date\(2023, 12, 31\) " + COVERS):
        CAL.working_days_between(date(2023, 12, 31), date(2024, 1, 5))
    with pytest.raises(DateOutOfRangeError, match=r"^b=datetime\.date\(2027, 1, 5\) " + COVERS):
        CAL.working_days_between(date(2026, 12, 1), date(2027, 1, 5))


def test_non_working_days_between_out_of_range() -> None:
    with pytest.raises(DateOutOfRangeError, match=r"^b=datetime\.date\(2027, 1, 5\) " + COVERS):
        CAL.non_working_days_between(date(2026, 12, 1), date(2027, 1, 5))


@pytest.mark.parametrize("duration", ["3 working days", "8 working hours", "24 hours", "10 calendar days"])
def test_due_with_a_start_after_the_calendar_names_start(duration: str) -> None:
    start = datetime(2027, 1, 5, 10, tzinfo=WIB)
    with pytest.raises(DateOutOfRangeError, match=r"^start=datetime\.datetime\(2027, 1, 5, 10, 0, tzinfo=") as info:
        CAL.due(start, duration)
    assert info.value.argument == "start"


@pytest.mark.parametrize("duration", ["24 hours", "10 calendar days"])
def test_due_with_a_start_before_the_calendar_is_refused_even_if_the_end_is_inside(duration: str) -> None:
    """31 Dec 2023 is outside a 2024-2026 calendar; the deadline must not silently rest on it."""
    with pytest.raises(DateOutOfRangeError, match=r"^start=datetime\.datetime\(2023, 12, 31, 10, 0, tzinfo="):
        CAL.due(datetime(2023, 12, 31, 10, tzinfo=WIB), duration)


@pytest.mark.parametrize(
    ("duration", "shown"),
    [
        ("5 working days", r"'5 working days from 2026-12-28'"),
        ("80 working hours", r"'80 working hours from 2026-12-28 10:00:00\+07:00'"),
        ("200 hours", r"datetime\.date\(2027, 1, 5\)"),
        ("10 calendar days", r"datetime\.date\(2027, 1, 7\)"),
    ],
)
def test_due_with_a_result_after_the_calendar(duration: str, shown: str) -> None:
    with pytest.raises(DateOutOfRangeError, match=rf"^result={shown} " + COVERS):
        CAL.due(datetime(2026, 12, 28, 10, tzinfo=WIB), duration)


def test_bulk_out_of_range() -> None:
    inside_and_out = days("2026-06-01", "2027-01-04")
    with pytest.raises(DateOutOfRangeError, match=r"^dates='2027-01-04' " + COVERS):
        CAL.is_working_day_array(inside_and_out)
    with pytest.raises(DateOutOfRangeError, match=r"^dates='2023-12-31' " + COVERS):
        CAL.add_working_days_array(days("2023-12-31"), 1)
    with pytest.raises(DateOutOfRangeError, match=r"^result='some dates \+ n' " + COVERS):
        CAL.add_working_days_array(days("2026-06-01", "2026-12-30"), 3)
    with pytest.raises(DateOutOfRangeError, match=r"^result='some dates \+ n' " + COVERS):
        CAL.add_working_days_array(days("2024-01-02", "2026-12-30"), np.array([-1, 1]))
    with pytest.raises(DateOutOfRangeError, match=r"^a='2023-12-31' " + COVERS):
        CAL.working_days_between_array(days("2023-12-31"), days("2024-01-05"))
    with pytest.raises(DateOutOfRangeError, match=r"^b='2027-01-05' " + COVERS):
        CAL.working_days_between_array(days("2026-12-01"), days("2027-01-05"))
    with pytest.raises(DateOutOfRangeError, match=r"^dates='NaT' "):
        CAL.is_working_day_array(np.array(["NaT"], dtype="datetime64[D]"))


def test_default_calendar_names_its_own_range() -> None:
    cal = WorkingCalendar.indonesia()
    last = re.escape(cal.last_date.isoformat())
    with pytest.raises(DateOutOfRangeError, match=rf"^d=datetime\.date\(2018, 12, 31\) .* 2019-01-01 to {last};"):
        cal.is_working_day(date(2018, 12, 31))


# ---------------------------------------------------------------------------- allow_uncovered


def test_allow_uncovered_answers_from_the_weekmask_outside_the_years() -> None:
    cal = WorkingCalendar.indonesia(years=(2024, 2026), allow_uncovered=True)
    assert cal.allow_uncovered
    assert not cal.is_covered(date(2030, 1, 1))
    assert cal.is_covered(date(2025, 6, 1))
    assert cal.is_working_day(date(2030, 1, 1))  # a Tuesday; the real New Year holiday is unknown
    assert not cal.is_working_day(date(2030, 1, 5))  # a Saturday
    assert not cal.is_working_day(date(2026, 12, 25))  # inside the years, holidays still count
    assert cal.add_working_days(date(2026, 12, 31), 1) == date(2027, 1, 1)
    assert cal.working_days_between(date(2023, 12, 29), date(2024, 1, 3)) == 2  # Mon 1 Jan 2024 is a holiday
    assert cal.is_working_day_array(days("2030-01-01", "2030-01-05")).tolist() == [True, False]
    assert cal.non_working_day(date(2030, 1, 5)) == NonWorkingDay(
        date=date(2030, 1, 5), name="Sabtu / Saturday", kind=DayKind.WEEKEND
    )
    due = cal.due(datetime(2030, 1, 1, 10, tzinfo=WIB), "3 working days")
    assert due.local_date == date(2030, 1, 4)
    assert due.unconfirmed_years == (2030,)
    assert not due.confirmed
    assert "no confirmed joint-leave (cuti bersama) data for 2030" in due.explain("en")


def test_allow_uncovered_still_has_an_end() -> None:
    cal = WorkingCalendar.indonesia(years=(2024, 2026), allow_uncovered=True)
    assert (cal.first_date, cal.last_date) == (date(1970, 1, 1), date(2100, 12, 31))
    with pytest.raises(DateOutOfRangeError, match=r"^d=datetime\.date\(1969, 12, 31\) .* 1970-01-01 to 2100-12-31;"):
        cal.is_working_day(date(1969, 12, 31))


# ---------------------------------------------------------------------------- durations

MALFORMED = [
    ("3 hari", "say 'working days' or 'calendar days'; a bare 'days' is ambiguous"),
    ("3 days", "say 'working days' or 'calendar days'; a bare 'days' is ambiguous"),
    ("-2 working days", "a duration cannot be negative"),
    ("three working days", "expected '<whole number> <unit>' with unit one of working days, working hours"),
    ("x", "expected '<whole number> <unit>' with unit one of"),
    ("", "expected '<whole number> <unit>' with unit one of"),
    ("3.5 working hours", "expected '<whole number> <unit>' with unit one of"),
    ("3 weeks", "unknown unit 'weeks'; use one of working days, working hours, hours, calendar days "
     "(or hari kerja, jam kerja, jam, hari kalender)"),
    ("3 minggu", "unknown unit 'minggu'"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "reason"), MALFORMED)
def test_malformed_duration_text(text: str, reason: str) -> None:
    message = rf"^duration={re.escape(repr(text))} is not a valid duration: {re.escape(reason)}"
    with pytest.raises(InvalidDurationError, match=message) as info:
        Duration.parse(text)
    assert (info.value.argument, info.value.value) == ("duration", text)
    with pytest.raises(InvalidDurationError, match=message):
        CAL.due(START, text)


@pytest.mark.parametrize(("value", "shown"), [(5, "5"), (None, "None"), (3.0, r"3\.0")])
def test_duration_that_is_not_text(value: object, shown: str) -> None:
    with pytest.raises(
        InvalidDurationError,
        match=rf"^duration={shown} is not a valid duration: expected text such as '3 working days'$",
    ):
        CAL.due(START, value)  # type: ignore[arg-type]


def test_duration_parse_names_the_argument_it_is_given() -> None:
    with pytest.raises(InvalidDurationError, match=r"^budget='3 hari' is not a valid duration"):
        Duration.parse("3 hari", "budget")


@pytest.mark.parametrize(
    ("indonesian", "english"),
    [
        ("3 hari kerja", "3 working days"),
        ("8 jam kerja", "8 working hours"),
        ("24 jam", "24 hours"),
        ("10 hari kalender", "10 calendar days"),
        ("1 hari kerja", "1 working day"),
        ("  3  Hari Kerja ", "3 working days"),
        ("3 WORKING DAYS", "3 working days"),
    ],
)
def test_indonesian_durations_equal_english_ones(indonesian: str, english: str) -> None:
    assert Duration.parse(indonesian) == Duration.parse(english)
    assert str(Duration.parse(indonesian)) == english


@pytest.mark.parametrize(
    "text",
    [
        "0 working days",
        "1 working day",
        "3 working days",
        "1 working hour",
        "8 working hours",
        "1 hour",
        "24 hours",
        "1 calendar day",
        "10 calendar days",
    ],
)
def test_duration_str_round_trips(text: str) -> None:
    duration = Duration.parse(text)
    assert str(duration) == text
    assert Duration.parse(str(duration)) == duration
    assert repr(duration) == f"Duration({text!r})"
    assert Duration.parse(duration) is duration


def test_duration_fields() -> None:
    duration = Duration.parse("3 hari kerja")
    assert (duration.value, duration.unit) == (3, DurationUnit.WORKING_DAYS)
    assert duration.is_day_based
    assert not Duration.parse("8 jam kerja").is_day_based


# ---------------------------------------------------------------------------- wrong types


def test_datetime_passed_as_a_date() -> None:
    instant = datetime(2026, 3, 16, 10, tzinfo=WIB)
    expected = r"is invalid: expected a datetime\.date \(for an instant, use local_date\(\) first\)$"
    with pytest.raises(InvalidArgumentError, match=r"^d=datetime\.datetime\(2026, 3, 16, 10, 0, tzinfo=.*" + expected):
        CAL.add_working_days(instant, 1)  # type: ignore[arg-type]
    with pytest.raises(InvalidArgumentError, match=r"^d=datetime\.datetime\(2026, 3, 16, 10, 0, tzinfo=.*" + expected):
        CAL.is_working_day(instant)
    with pytest.raises(InvalidArgumentError, match=r"^b=datetime\.datetime\(2026, 3, 16, 10, 0, tzinfo=.*" + expected):
        CAL.working_days_between(date(2026, 3, 2), instant)
    with pytest.raises(InvalidArgumentError, match=r"^a='2026-03-02' " + expected):
        CAL.working_days_between("2026-03-02", date(2026, 3, 16))  # type: ignore[arg-type]


@pytest.mark.parametrize(("n", "shown"), [(1.5, r"1\.5"), (2.0, r"2\.0"), (True, "True"), ("3", "'3'"), (None, "None")])
def test_n_that_is_not_a_whole_number(n: object, shown: str) -> None:
    with pytest.raises(InvalidArgumentError, match=rf"^n={shown} is invalid: expected a whole number$"):
        CAL.add_working_days(date(2026, 3, 16), n)  # type: ignore[arg-type]


def test_numpy_integer_n_is_a_whole_number() -> None:
    assert CAL.add_working_days(date(2026, 3, 16), np.int64(3)) == date(2026, 3, 26)  # type: ignore[arg-type]


@pytest.mark.parametrize("n", [1.5, np.array([1.5, 2.0])])
def test_bulk_n_that_is_not_a_whole_number(n: object) -> None:
    """The scalar refuses n=1.5; the bulk variant must not truncate it to 1 silently."""
    with pytest.raises(InvalidArgumentError, match=r"^n=.* is invalid: expected .*whole number"):
        CAL.add_working_days_array(days("2026-03-16", "2026-03-17"), n)  # type: ignore[arg-type]


def test_bulk_input_that_is_not_datetime64() -> None:
    with pytest.raises(
        InvalidArgumentError, match=r"^dates=dtype\('O'\) is invalid: expected an array of numpy datetime64\[D\]$"
    ):
        CAL.is_working_day_array([date(2026, 3, 16)])
    with pytest.raises(InvalidArgumentError, match=r"^dates=dtype\('int64'\) is invalid"):
        CAL.add_working_days_array(np.array([1, 2], dtype=np.int64), 1)
    with pytest.raises(InvalidArgumentError, match=r"^a=dtype\('<U10'\) is invalid"):
        CAL.working_days_between_array(np.array(["2026-03-16"]), days("2026-03-17"))


def test_explain_in_an_unknown_language() -> None:
    due = CAL.due(START, "3 working days")
    with pytest.raises(InvalidArgumentError, match=r"^lang='fr' is invalid: expected 'id' or 'en'$"):
        due.explain("fr")  # type: ignore[arg-type]


# ---------------------------------------------------------------------------- weekmask


@pytest.mark.parametrize(
    ("weekmask", "expected"),
    [
        ("0000000", r"^weekmask='0000000' is invalid: expected at least one working weekday$"),
        ("11111", r"^weekmask='11111' is invalid: expected seven 0/1 digits from Monday \('1111100'\), day names"),
        ("Funday", r"^weekmask='Funday' is invalid: expected seven 0/1 digits"),
        ("", r"^weekmask='' is invalid: expected seven 0/1 digits"),
        ((1, 1, 1), r"^weekmask=\(1, 1, 1\) is invalid: expected .* or seven booleans$"),
        ([0] * 7, r"^weekmask=\[0, 0, 0, 0, 0, 0, 0\] is invalid: expected at least one working weekday$"),
    ],
)
def test_bad_weekmask(weekmask: object, expected: str) -> None:
    with pytest.raises(InvalidArgumentError, match=expected):
        WorkingCalendar(years=(2026, 2026), weekmask=weekmask)  # type: ignore[arg-type]
    with pytest.raises(InvalidArgumentError, match=expected):
        WorkingCalendar.indonesia(years=(2026, 2026), weekmask=weekmask)  # type: ignore[arg-type]


@pytest.mark.parametrize("weekmask", ["Mon-Fri", ["1", "1", "1", "1", "1", "0", "0"]])
def test_weekmask_that_would_be_misread_is_refused(weekmask: object) -> None:
    """'Mon-Fri' was read as Monday only, and the string '0' as a working day: refuse both."""
    with pytest.raises(InvalidArgumentError, match=r"^weekmask=.* is invalid"):
        WorkingCalendar(years=(2026, 2026), weekmask=weekmask)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "weekmask", ["1111100", "Mon Tue Wed Thu Fri", "mon,tue,wed,thu,fri", "Monday Tuesday Wednesday Thursday Friday"]
)
def test_weekmask_spellings(weekmask: str) -> None:
    cal = WorkingCalendar(years=(2026, 2026), weekmask=weekmask)
    assert cal.weekmask == (True, True, True, True, True, False, False)
    assert WorkingCalendar(years=(2026, 2026), weekmask=[1, 1, 1, 1, 1, 0, 0]).weekmask == cal.weekmask


# ---------------------------------------------------------------------------- office hours


@pytest.mark.parametrize(
    ("office_hours", "expected"),
    [
        (
            {"Sat": ("08:00", "12:00")},
            r"^office_hours\['Sat'\]=\('08:00', '12:00'\) is invalid: "
            r"expected office hours only on working weekdays; sat is not one$",
        ),
        (
            {5: ("08:00", "12:00")},
            r"^office_hours\[5\]=\('08:00', '12:00'\) is invalid: expected office hours only on working weekdays",
        ),
        ({"Funday": ("08:00", "12:00")}, r"^office_hours='Funday' is invalid: expected a weekday: 0-6 \(Monday = 0\)"),
        ({7: ("08:00", "12:00")}, r"^office_hours=7 is invalid: expected a weekday"),
        (
            {"Mon": ("16:00", "07:30")},
            r"(?s)^office_hours\['Mon'\]=\('16:00', '07:30'\) is invalid: expected .*"
            r"closes=07:30:00 must be after opens=16:00:00",
        ),
        (
            {"Mon": "07:30-16:00"},
            r"^office_hours\['Mon'\]='07:30-16:00' is invalid: "
            r"expected \(opens, closes\) such as \('07:30', '16:00'\)$",
        ),
        ({"Mon": ("07:30",)}, r"^office_hours\['Mon'\]=\('07:30',\) is invalid: expected \(opens, closes\)"),
    ],
)
def test_bad_office_hours(office_hours: dict[object, object], expected: str) -> None:
    with pytest.raises(InvalidArgumentError, match=expected):
        WorkingCalendar(years=(2026, 2026), office_hours=office_hours)


@pytest.mark.parametrize("times", [("7.30", "16:00"), ("07:30", "4pm"), ("abc", "16:00")])
def test_office_hours_that_are_not_times(times: tuple[str, str]) -> None:
    """A malformed time is bad input like any other: InvalidArgumentError naming the weekday, not a bare ValueError."""
    with pytest.raises(InvalidArgumentError, match=r"^office_hours\['Mon'\]=\(.*\) is invalid"):
        WorkingCalendar(years=(2026, 2026), office_hours={"Mon": times})


def test_office_hours_error_is_one_clear_line() -> None:
    """The reason is sp4n's own sentence, not pydantic's multi-line report with a URL."""
    with pytest.raises(
        InvalidArgumentError,
        match=r"^office_hours\['Mon'\]=\('16:00', '07:30'\) is invalid: expected "
        r"closes=07:30:00 must be after opens=16:00:00$",
    ):
        WorkingCalendar(years=(2026, 2026), office_hours={"Mon": ("16:00", "07:30")})


def test_office_hours_on_a_saturday_of_a_six_day_week() -> None:
    cal = WorkingCalendar(years=(2026, 2026), weekmask="1111110", office_hours={"Sat": ("08:00", "12:00")})
    assert cal.office_hours[5].seconds == 4 * 3600


# ---------------------------------------------------------------------------- years


@pytest.mark.parametrize(
    ("years", "expected"),
    [
        ((2026, 2024), r"^years=\(2026, 2024\) is invalid: expected \(first_year, last_year\) with 1900 <= first"),
        ((1800, 2026), r"^years=\(1800, 2026\) is invalid: expected \(first_year, last_year\) with 1900"),
        ((2024, 2300), r"^years=\(2024, 2300\) is invalid"),
        ((2024.0, 2026), r"^years=\(2024\.0, 2026\) is invalid"),
        ((2026,), r"^years=\(2026,\) is invalid: expected \(first_year, last_year\)$"),
        (2026, r"^years=2026 is invalid: expected \(first_year, last_year\)$"),
        (None, r"^years=None is invalid: expected \(first_year, last_year\)$"),
        ((2024, 2025, 2026), r"^years=\(2024, 2025, 2026\) is invalid: expected \(first_year, last_year\)$"),
    ],
)
def test_bad_years(years: object, expected: str) -> None:
    with pytest.raises(InvalidArgumentError, match=expected):
        WorkingCalendar(years=years)  # type: ignore[arg-type]


def test_bad_years_for_indonesia() -> None:
    with pytest.raises(InvalidArgumentError, match=r"^years=\(2026, 2024\) is invalid"):
        WorkingCalendar.indonesia(years=(2026, 2024))


# ---------------------------------------------------------------------------- dated days


def test_duplicate_day_dates() -> None:
    first = NonWorkingDay(date=date(2026, 8, 17), name="Hari Kemerdekaan", kind=DayKind.NATIONAL_HOLIDAY)
    second = NonWorkingDay(date=date(2026, 8, 17), name="Libur daerah", kind=DayKind.REGIONAL)
    with pytest.raises(
        InvalidArgumentError, match=r"^days=.* is invalid: expected one entry per date; 2026-08-17 is listed twice$"
    ) as info:
        WorkingCalendar(years=(2026, 2026), days=[first, second])
    assert info.value.value == second


def test_weekend_kind_cannot_be_a_dated_day() -> None:
    day = NonWorkingDay(date=date(2026, 8, 19), name="x", kind=DayKind.WEEKEND)
    with pytest.raises(
        InvalidArgumentError, match=r"^days=.* is invalid: expected dated days of a kind other than weekend$"
    ):
        WorkingCalendar(years=(2026, 2026), days=[day])


def test_days_outside_the_years() -> None:
    day = NonWorkingDay(date=date(2027, 1, 1), name="Tahun Baru Masehi", kind=DayKind.NATIONAL_HOLIDAY)
    with pytest.raises(
        InvalidArgumentError, match=r"^days=.* is invalid: expected dates within the calendar's years 2026-2026$"
    ):
        WorkingCalendar(years=(2026, 2026), days=[day])


def test_days_must_be_non_working_days() -> None:
    with pytest.raises(InvalidArgumentError, match=r"^days=datetime\.date\(2026, 8, 17\) is invalid: expected "):
        WorkingCalendar(years=(2026, 2026), days=[date(2026, 8, 17)])  # type: ignore[list-item]


def test_replace_with_an_unknown_argument() -> None:
    with pytest.raises(InvalidArgumentError, match=r"^changes=\['colour'\] is invalid: expected names among \["):
        CAL.replace(colour="red")


def test_removing_a_date_that_is_not_a_day_off() -> None:
    with pytest.raises(
        InvalidArgumentError,
        match=r"^remove=datetime\.date\(2026, 3, 16\) is invalid: expected a date that is a dated non-working day",
    ):
        CAL.with_days(remove=[date(2026, 3, 16)])


# ---------------------------------------------------------------------------- policies near the edges


def test_next_working_day_beyond_the_calendar() -> None:
    """Received after hours on the last working day: the next working day is outside the calendar."""
    policy = CountingPolicy(after_hours="next_working_day")
    with pytest.raises(DateOutOfRangeError, match=COVERS):
        CAL.due(datetime(2026, 12, 31, 18, tzinfo=WIB), "1 working day", policy)


def test_included_receipt_day_result_beyond_the_calendar() -> None:
    policy = CountingPolicy(receipt_day=ReceiptDay.INCLUDED)
    with pytest.raises(DateOutOfRangeError, match=r"^result='\d working days from 2026-12-\d\d' " + COVERS):
        CAL.due(datetime(2026, 12, 30, 10, tzinfo=WIB), "3 working days", policy)
