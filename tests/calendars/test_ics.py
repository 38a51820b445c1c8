"""iCalendar export and import: the file's content, the round trip, and every way an import fails."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import pytest
from icalendar import Calendar

from sp4n.calendars import DayKind, NonWorkingDay, WorkingCalendar
from sp4n.calendars.ics import PRODID, apply_ics, calendar_to_ics
from sp4n.errors import InvalidArgumentError, OverrideFileError

DATA = "<iCalendar data>"


@pytest.fixture(scope="module")
def cal() -> WorkingCalendar:
    # fixed years, so that the messages about dates outside them name those years
    return WorkingCalendar.indonesia(years=(2019, 2028))


@pytest.fixture(scope="module")
def empty() -> WorkingCalendar:
    return WorkingCalendar.indonesia().replace(days=())


def vcalendar(*events: str, header: str = "") -> bytes:
    """An iCalendar file holding the given VEVENT bodies."""
    parts = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//test//test//EN", *filter(None, [header])]
    for i, body in enumerate(events):
        parts += ["BEGIN:VEVENT", f"UID:event-{i}@test", "DTSTAMP:20260101T000000Z", *body.strip().splitlines()]
        parts.append("END:VEVENT")
    parts.append("END:VCALENDAR")
    return ("\r\n".join(parts) + "\r\n").encode()


def allday(start: str, summary: str = "Libur", extra: str = "") -> str:
    return f"SUMMARY:{summary}\nDTSTART;VALUE=DATE:{start}\n{extra}"


# ---------------------------------------------------------------------- export


def test_export_has_one_all_day_event_per_day(cal: WorkingCalendar) -> None:
    parsed = Calendar.from_ical(calendar_to_ics(cal))
    assert str(parsed["PRODID"]) == PRODID == "-//sp4n//sp4n calendar//EN"
    assert str(parsed["X-WR-CALNAME"]) == "Indonesia (WIB)"
    assert str(parsed["X-SP4N-VERSION"]) == cal.version
    events = parsed.events
    assert len(events) == len(cal.days)
    for event, day in zip(events, cal.days, strict=True):
        assert event["DTSTART"].params["VALUE"] == "DATE"
        assert event.start == day.date
        assert event.end == day.date + timedelta(days=1)
        assert str(event["SUMMARY"]) == day.name
        assert [str(c) for c in event.categories] == [day.kind.value]
        assert str(event["DESCRIPTION"]) == day.source
        assert ("X-SP4N-ESTIMATED" in event) is day.estimated
    assert len({str(e["UID"]) for e in events}) == len(events)


def test_export_is_stable_and_readable(cal: WorkingCalendar) -> None:
    data = cal.to_ics()
    assert data == calendar_to_ics(WorkingCalendar.indonesia(years=(2019, 2028)))
    text = data.decode()
    assert "UID:20260818-joint_leave@sp4n" not in text
    assert "BEGIN:VEVENT\r\nSUMMARY:Hari Kemerdekaan Republik Indonesia\r\nDTSTART;VALUE=DATE:20260817\r\n" in text
    assert "UID:20260817-national_holiday@sp4n\r\n" in text
    assert "X-SP4N-ESTIMATED:TRUE\r\n" in text


def test_uid_depends_on_date_and_kind_only(cal: WorkingCalendar) -> None:
    renamed = cal.with_overrides(
        {"add": [{"date": "2026-08-17", "name": "HUT RI ke-81", "kind": "national_holiday", "source": "Keppres"}]}
    )
    assert "UID:20260817-national_holiday@sp4n" in renamed.to_ics().decode()


# ---------------------------------------------------------------------- round trip


@pytest.mark.parametrize(
    "source",
    [
        pytest.param(lambda: WorkingCalendar.indonesia(), id="WIB"),
        pytest.param(lambda: WorkingCalendar.indonesia("WITA", joint_leave=False), id="WITA-no-joint-leave"),
        pytest.param(
            lambda: WorkingCalendar.indonesia().with_overrides(
                {
                    "add": [
                        {"date": "2026-08-18", "name": "Cuti; HUT, RI \\ 81", "kind": "joint_leave", "source": "SKB"},
                        {"date": "2026-10-16", "name": "Libur daerah", "kind": "regional", "source": "SE Gubernur"},
                        {"date": "2026-12-31", "name": "Rencana", "source": "Pengumuman", "confirmed": False},
                    ]
                }
            ),
            id="with-overrides",
        ),
    ],
)
def test_round_trip_gives_the_same_days(empty: WorkingCalendar, source: Callable[[], WorkingCalendar]) -> None:
    original = source()
    back = empty.with_ics(original.to_ics())
    assert len(back.days) == len(original.days)
    for got, want in zip(back.days, original.days, strict=True):
        assert (got.date, got.name, got.kind, got.source, got.estimated) == (
            want.date,
            want.name,
            want.kind,
            want.source,
            want.estimated,
        )
    assert back.days == original.days
    assert any(d.estimated for d in back.days)
    if original.zone == empty.zone:
        assert back.version == original.version


# ---------------------------------------------------------------------- import


def test_import_from_a_file_adds_days(cal: WorkingCalendar, tmp_path: Path) -> None:
    path = tmp_path / "jateng.ics"
    path.write_bytes(vcalendar(allday("20260818", "Cuti bersama HUT RI")))
    for source in (path, str(path)):
        new = apply_ics(cal, source)
        day = new.non_working_day(date(2026, 8, 18))
        assert day == NonWorkingDay(
            date=date(2026, 8, 18),
            name="Cuti bersama HUT RI",
            kind=DayKind.OVERRIDE,
            source="iCalendar import: jateng.ics",
            estimated=False,
        )
        assert new.version != cal.version
        assert cal.add_working_days(date(2026, 8, 14), 2) == date(2026, 8, 19)
        assert new.add_working_days(date(2026, 8, 14), 2) == date(2026, 8, 20)


def test_import_from_bytes_or_str_data(cal: WorkingCalendar) -> None:
    data = vcalendar(allday("20261016", "Libur daerah", "DESCRIPTION:SE Gubernur\\, 2026"))
    for source in (data, data.decode()):
        day = cal.with_ics(source, kind=DayKind.REGIONAL).non_working_day(date(2026, 10, 16))
        assert day is not None
        assert (day.kind, day.source) == (DayKind.REGIONAL, "SE Gubernur, 2026")
    default = cal.with_ics(vcalendar(allday("20261016"))).non_working_day(date(2026, 10, 16))
    assert default is not None
    assert default.source == "iCalendar import: data"


def test_kind_from_categories_else_the_argument(empty: WorkingCalendar) -> None:
    data = vcalendar(
        allday("20260818", "A", "CATEGORIES:Holidays,JOINT_LEAVE"),
        allday("20260819", "B", "CATEGORIES:weekend"),
        allday("20260820", "C", "CATEGORIES:Holidays"),
        allday("20260821", "D"),
    )
    kinds = [d.kind for d in empty.with_ics(data, kind=DayKind.NATIONAL_HOLIDAY).days]
    assert kinds == [DayKind.JOINT_LEAVE] + [DayKind.NATIONAL_HOLIDAY] * 3


def test_multi_day_events_are_expanded(empty: WorkingCalendar) -> None:
    data = vcalendar(
        allday("20260320", "Idul Fitri", "DTEND;VALUE=DATE:20260325"),
        allday("20260601", "Tiga hari", "DURATION:P3D"),
    )
    days = empty.with_ics(data).days
    assert [d.date for d in days] == [
        *(date(2026, 3, d) for d in range(20, 25)),
        *(date(2026, 6, d) for d in range(1, 4)),
    ]
    assert {d.name for d in days[:5]} == {"Idul Fitri"}


def test_estimated_flag_is_read(empty: WorkingCalendar) -> None:
    data = vcalendar(
        allday("20260818", "A", "X-SP4N-ESTIMATED:TRUE"),
        allday("20260819", "B", "X-SP4N-ESTIMATED:false"),
        allday("20260820", "C"),
    )
    assert [d.estimated for d in empty.with_ics(data).days] == [True, False, False]


def test_imported_day_replaces_the_day_on_its_date(cal: WorkingCalendar) -> None:
    new = cal.with_ics(vcalendar(allday("20260817", "HUT RI ke-81", "CATEGORIES:national_holiday")))
    assert len(new.days) == len(cal.days)
    day = new.non_working_day(date(2026, 8, 17))
    assert day is not None
    assert day.name == "HUT RI ke-81"


def test_calendar_name_from_x_wr_calname(cal: WorkingCalendar) -> None:
    assert cal.with_ics(vcalendar(allday("20260818"), header="X-WR-CALNAME:Jateng")).name == "Indonesia (WIB) + Jateng"
    assert cal.with_ics(vcalendar(allday("20260818"))).name == cal.name
    assert cal.with_ics(cal.to_ics()).name == cal.name


def test_an_empty_calendar_file_changes_nothing(cal: WorkingCalendar) -> None:
    assert cal.with_ics(vcalendar()).version == cal.version


# ---------------------------------------------------------------------- import errors


def expect(origin: str, location: str, reason: str) -> str:
    where = f"{origin}: {location}" if location else origin
    return "^" + re.escape(f"{where}: {reason}") + "$"


def test_timed_event_is_refused_with_its_summary_and_start(cal: WorkingCalendar) -> None:
    data = vcalendar(allday("20260818"), "SUMMARY:Rapat koordinasi\nDTSTART:20260818T020000Z\nDTEND:20260818T030000Z")
    reason = (
        "starts at 2026-08-18T02:00:00+00:00 (DTSTART): a timed event; a working calendar has no half-days, "
        "so only all-day events (DTSTART;VALUE=DATE) can be imported"
    )
    with pytest.raises(OverrideFileError, match=expect(DATA, 'VEVENT 2 ("Rapat koordinasi")', reason)) as info:
        cal.with_ics(data)
    assert info.value.location == 'VEVENT 2 ("Rapat koordinasi")'


def test_timed_event_with_a_zone(cal: WorkingCalendar) -> None:
    data = vcalendar("SUMMARY:Apel pagi\nDTSTART;TZID=Asia/Jakarta:20260818T073000")
    with pytest.raises(OverrideFileError, match=r'VEVENT 1 \("Apel pagi"\): starts at 2026-08-18T07:30:00\+07:00'):
        cal.with_ics(data)


@pytest.mark.parametrize(
    ("event", "location", "reason"),
    [
        pytest.param(
            allday("20310101", "Tahun Baru"),
            'VEVENT 1 ("Tahun Baru")',
            "2031-01-01 is outside the calendar's years 2019-2028",
            id="after-years",
        ),
        pytest.param(
            allday("20181231", "Lama"),
            'VEVENT 1 ("Lama")',
            "2018-12-31 is outside the calendar's years 2019-2028",
            id="before-years",
        ),
        pytest.param(
            allday("20260101", "Abadi", "DTEND;VALUE=DATE:99990101"),
            'VEVENT 1 ("Abadi")',
            "2029-01-01 is outside the calendar's years 2019-2028",
            id="spans-centuries",
        ),
        pytest.param(
            allday("20281231", "Akhir", "DTEND;VALUE=DATE:20290102"),
            'VEVENT 1 ("Akhir")',
            "2029-01-01 is outside the calendar's years 2019-2028",
            id="runs-past-years",
        ),
        pytest.param(
            allday("20261301", "Salah"),
            'VEVENT 1 ("Salah")',
            "DTSTART cannot be read: Wrong date format 20261301",
            id="bad-date",
        ),
        pytest.param("SUMMARY:Tanpa tanggal", 'VEVENT 1 ("Tanpa tanggal")', "no DTSTART", id="no-dtstart"),
        pytest.param(
            allday("20260818", "Tiap tahun", "RRULE:FREQ=YEARLY"),
            'VEVENT 1 ("Tiap tahun")',
            "recurring events are not supported; list each day as its own event",
            id="recurring",
        ),
        pytest.param(
            allday("20260818", "Terbalik", "DTEND;VALUE=DATE:20260818"),
            'VEVENT 1 ("Terbalik")',
            "ends (2026-08-18) on or before it starts (2026-08-18)",
            id="empty-span",
        ),
        pytest.param("DTSTART;VALUE=DATE:20260818", "VEVENT 1", "no SUMMARY (the name of the day)", id="no-summary"),
        pytest.param(
            allday("20260818", "Ragu", "X-SP4N-ESTIMATED:MAYBE"),
            'VEVENT 1 ("Ragu")',
            'X-SP4N-ESTIMATED is "MAYBE"; expected TRUE or FALSE',
            id="bad-estimated",
        ),
        pytest.param(
            allday("20260818", "Dua zona", "DTEND:20260820T000000Z"),
            'VEVENT 1 ("Dua zona")',
            "DTSTART/DTEND/DURATION cannot be read: "
            "DTSTART and DTEND must be of the same type, either date or datetime.",
            id="mixed-start-end",
        ),
    ],
)
def test_event_errors(cal: WorkingCalendar, event: str, location: str, reason: str) -> None:
    version = cal.version
    with pytest.raises(OverrideFileError, match=expect(DATA, location, reason)):
        cal.with_ics(vcalendar(event))
    assert cal.version == version


def test_same_date_in_two_events(cal: WorkingCalendar) -> None:
    data = vcalendar(allday("20260818", "Satu", "DTEND;VALUE=DATE:20260820"), allday("20260819", "Dua"))
    reason = '2026-08-19 is already given by VEVENT 1 ("Satu")'
    with pytest.raises(OverrideFileError, match=expect(DATA, 'VEVENT 2 ("Dua")', reason)):
        cal.with_ics(data)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        pytest.param(b"hello world", "not iCalendar data: Content line could not be parsed into parts", id="garbage"),
        pytest.param(b"", "not iCalendar data: Found no components where exactly one is required", id="empty"),
        pytest.param(b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\n", "not iCalendar data: ", id="truncated"),
        pytest.param(
            b"BEGIN:VEVENT\r\nSUMMARY:x\r\nDTSTART;VALUE=DATE:20260818\r\nEND:VEVENT\r\n",
            "expected a VCALENDAR; got 'VEVENT'",
            id="bare-event",
        ),
    ],
)
def test_unparseable_data(cal: WorkingCalendar, data: bytes, reason: str) -> None:
    with pytest.raises(OverrideFileError, match="^" + re.escape(f"{DATA}: {reason}")):
        cal.with_ics(data)


def test_unparseable_file_names_the_file(cal: WorkingCalendar, tmp_path: Path) -> None:
    path = tmp_path / "rusak.ics"
    path.write_bytes(b"not a calendar")
    with pytest.raises(OverrideFileError, match="^" + re.escape(f"{path}: not iCalendar data: ")):
        cal.with_ics(path)


def test_event_errors_in_a_file_name_the_file(cal: WorkingCalendar, tmp_path: Path) -> None:
    path = tmp_path / "jauh.ics"
    path.write_bytes(vcalendar(allday("20350101", "Jauh")))
    reason = "2035-01-01 is outside the calendar's years 2019-2028"
    with pytest.raises(OverrideFileError, match=expect(str(path), 'VEVENT 1 ("Jauh")', reason)):
        apply_ics(cal, path)


def test_missing_file(cal: WorkingCalendar, tmp_path: Path) -> None:
    path = tmp_path / "tidak-ada.ics"
    with pytest.raises(OverrideFileError, match=expect(str(path), "", "file not found")):
        apply_ics(cal, path)


def test_unreadable_file(cal: WorkingCalendar, tmp_path: Path) -> None:
    with pytest.raises(OverrideFileError, match="^" + re.escape(f"{tmp_path}: cannot read the file: ")):
        apply_ics(cal, tmp_path)


def test_source_of_the_wrong_type(cal: WorkingCalendar) -> None:
    with pytest.raises(OverrideFileError, match=expect("42", "", "expected a path, bytes or str of iCalendar data")):
        apply_ics(cal, 42)  # type: ignore[arg-type]


def test_weekend_is_not_a_kind_to_import_as(cal: WorkingCalendar) -> None:
    with pytest.raises(
        InvalidArgumentError,
        match=re.escape("kind=<DayKind.WEEKEND: 'weekend'> is invalid: expected one of national_holiday, joint_leave"),
    ):
        apply_ics(cal, vcalendar(), kind=DayKind.WEEKEND)
