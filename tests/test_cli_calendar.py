"""The ``sp4n calendar`` commands: their output, and every error path with its exact message."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from sp4n import __version__, cli
from sp4n.calendars import WorkingCalendar
from sp4n.calendars.indonesia import last_confirmed_year
from sp4n.cli import main
from sp4n.errors import OverrideFileError, Sp4nError

WIB = ZoneInfo("Asia/Jakarta")
START = "2026-03-16T10:00+07:00"
"""Monday 16 March 2026, 10:00 WIB: three working days later crosses Nyepi and Idul Fitri."""

CAL = WorkingCalendar.indonesia()

OVERRIDES = """\
name: Test overrides
add:
  - {date: 2026-03-25, name: "Cuti bersama tambahan", kind: joint_leave, source: "SKB test 2026", confirmed: false}
remove:
  - {date: 2026-12-24, source: "SKB test 2026", reason: "moved"}
"""


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def fields(line: str) -> list[str]:
    """The columns of a `show` line (separated by two spaces or more)."""
    return [cell.strip() for cell in line.split("  ") if cell.strip()]


# ---------------------------------------------------------------------------------- show


def test_show_lists_every_dated_day_of_the_year(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "calendar", "show", "2026")
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0] == f"Indonesia (WIB), zone Asia/Jakarta (WIB), calendar version {CAL.version}"
    assert lines[1] == "Non-working days of 2026 (dated):"
    days = CAL.non_working_days(2026)
    rows = lines[2 : 2 + len(days)]
    for day, row in zip(days, rows, strict=True):
        expected = [day.date.isoformat(), day.date.strftime("%a"), day.kind.value, day.name, day.source or "-"]
        assert fields(row) == [*expected, *(["estimated"] if day.estimated else [])]
    assert fields(rows[days.index(next(d for d in days if d.date == date(2026, 3, 19)))])[:4] == [
        "2026-03-19",
        "Thu",
        "national_holiday",
        "Hari Suci Nyepi",
    ]
    national = sum(d.kind == "national_holiday" for d in days)
    joint = sum(d.kind == "joint_leave" for d in days)
    assert lines[2 + len(days) :] == [
        f"{len(days)} days: {national} national_holiday, {joint} joint_leave; 0 estimated",
        "Joint leave 2026: confirmed",
    ]


def test_show_weekdays_only_drops_days_on_weekends(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "calendar", "show", "2026", "--weekdays-only")
    assert code == 0
    assert "Non-working days of 2026 (on working weekdays):" in out
    assert "2026-03-20  Fri" in out
    assert "2026-03-21" not in out  # Idul Fitri on a Saturday
    assert "2026-03-22" not in out
    assert f"{len(CAL.non_working_days(2026, weekdays_only=True))} days: " in out


def test_show_without_joint_leave(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "calendar", "show", "2026", "--no-joint-leave", "--zone", "WITA")
    assert code == 0
    cal = WorkingCalendar.indonesia("WITA", joint_leave=False)
    assert out.splitlines()[0] == (
        f"Indonesia (WITA), without joint leave, zone Asia/Makassar (WITA), calendar version {cal.version}"
    )
    assert "joint_leave" not in out.replace("--no-joint-leave", "")
    assert out.splitlines()[-1] == "Joint leave 2026: confirmed; counted as working days (--no-joint-leave)"


def test_show_a_year_without_decreed_joint_leave_says_so(capsys: pytest.CaptureFixture[str]) -> None:
    year = last_confirmed_year() + 1
    code, out, _ = run(capsys, "calendar", "show", str(year))
    assert code == 0
    assert out.splitlines()[-1] == f"Joint leave {year}: not confirmed (no joint-leave decree data yet)"
    estimated = [line for line in out.splitlines() if line.endswith("  estimated")]
    assert estimated
    assert all("(perkiraan)" in line for line in estimated)


def test_show_a_year_outside_the_default_range_extends_the_calendar(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "calendar", "show", "2035")
    assert code == 0
    assert "2035-08-17  Fri  national_holiday  Hari Kemerdekaan Republik Indonesia" in out
    assert out.splitlines()[-1] == "Joint leave 2035: not confirmed (no joint-leave decree data yet)"


def test_show_applies_override_files_in_order(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    pytest.importorskip("sp4n.calendars.overrides")
    first = tmp_path / "extra.yaml"
    first.write_text(OVERRIDES, encoding="utf-8")
    second = tmp_path / "more.toml"
    second.write_text(
        'name = "More"\n[[add]]\ndate = 2026-07-01\nname = "Hari jadi"\nkind = "regional"\nsource = "Perda test"\n',
        encoding="utf-8",
    )
    code, out, err = run(capsys, "calendar", "show", "2026", "--overrides", str(first), str(second))
    assert (code, err) == (0, "")
    expected = CAL.with_overrides(first).with_overrides(second)
    assert out.splitlines()[0] == (
        f"Indonesia (WIB) + Test overrides + More, zone Asia/Jakarta (WIB), calendar version {expected.version}"
    )
    assert "2026-03-25  Wed  joint_leave       Cuti bersama tambahan" in out
    row = next(line for line in out.splitlines() if line.startswith("2026-03-25"))
    assert fields(row)[-2:] == ["SKB test 2026", "estimated"]
    assert "2026-07-01  Wed  regional" in out
    assert "2026-12-24" not in out
    assert "; 1 estimated" in out


# ---------------------------------------------------------------------------------- due


def test_due_prints_local_and_utc_instant_and_local_date(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "calendar", "due", START, "3 working days")
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        f"Indonesia (WIB), zone Asia/Jakarta (WIB), calendar version {CAL.version}",
        "start        2026-03-16T10:00+07:00",
        "duration     3 working days (receipt day excluded; after hours: same_day)",
        "due (local)  2026-03-27T00:00+07:00",
        "due (UTC)    2026-03-26T17:00+00:00",
        "due date     2026-03-26 (Thursday)",
        "data         confirmed",
    ]


@pytest.mark.parametrize("lang", ["en", "id"])
def test_due_explain_prints_the_explanation(capsys: pytest.CaptureFixture[str], lang: str) -> None:
    code, out, _ = run(capsys, "calendar", "due", START, "3 hari kerja", "--explain", "--lang", lang)
    assert code == 0
    due = CAL.due(datetime(2026, 3, 16, 10, tzinfo=WIB), "3 working days")
    assert out.endswith("\n\n" + due.explain("en" if lang == "en" else "id") + "\n")
    assert ("Hari Suci Nyepi [national holiday]" if lang == "en" else "Hari Suci Nyepi [libur nasional]") in out


def test_due_counting_policy_options(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "calendar", "due", START, "3 working days", "--receipt-day", "included")
    assert code == 0
    assert "due date     2026-03-25 (Wednesday)" in out
    assert "(receipt day included; after hours: same_day)" in out

    late = "2026-03-16T17:00+07:00"
    code, out, _ = run(capsys, "calendar", "due", late, "3 working days", "--after-hours", "next_working_day")
    assert code == 0
    assert "due date     2026-03-27 (Friday)" in out


def test_due_in_another_zone_and_in_working_hours(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "calendar", "due", START, "3 working days", "--zone", "WIT")
    assert code == 0
    assert "start        2026-03-16T12:00+09:00" in out
    assert "due (local)  2026-03-27T00:00+09:00" in out
    assert "due (UTC)    2026-03-26T15:00+00:00" in out

    code, out, _ = run(capsys, "calendar", "due", START, "8 working hours")
    assert code == 0
    assert "due (local)  2026-03-17T09:30+07:00" in out  # 6 h on Monday (to 16:00), 2 h from 07:30 Tuesday


def test_due_on_estimated_data_says_so(capsys: pytest.CaptureFixture[str]) -> None:
    year = last_confirmed_year() + 1
    code, out, _ = run(capsys, "calendar", "due", f"{year}-06-01T09:00+07:00", "5 working days")
    assert code == 0
    assert f"no confirmed joint leave for {year}" in out
    assert "data         not confirmed: " in out


# ---------------------------------------------------------------------------------- export-ics


def test_export_ics_to_stdout(capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("sp4n.calendars.ics")
    code, out, err = run(capsys, "calendar", "export-ics", "2026")
    assert (code, err) == (0, "")
    assert out.startswith("BEGIN:VCALENDAR")
    assert "DTSTART;VALUE=DATE:20260319" in out
    assert "DTSTART;VALUE=DATE:2025" not in out
    assert "DTSTART;VALUE=DATE:2027" not in out
    assert out.count("BEGIN:VEVENT") == len(CAL.non_working_days(2026))


def test_export_ics_to_a_file_round_trips(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    pytest.importorskip("sp4n.calendars.ics")
    path = tmp_path / "libur-2026.ics"
    code, out, _ = run(capsys, "calendar", "export-ics", "2026", "--output", str(path))
    assert code == 0
    days = CAL.non_working_days(2026)
    assert out == f"Wrote {len(days)} non-working days of 2026 (Indonesia (WIB)) to {path}\n"
    empty = WorkingCalendar(years=(2026, 2026), name="Indonesia (WIB)")
    assert empty.with_ics(path).days == days


def test_export_ics_unavailable(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "sp4n.calendars.ics", None)
    code, out, err = run(capsys, "calendar", "export-ics", "2026")
    assert (code, out) == (2, "")
    assert err == (
        "sp4n: error: iCalendar export is not available in this installation "
        "(import of sp4n.calendars.ics halted; None in sys.modules)\n"
    )


def test_export_ics_cannot_write(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    pytest.importorskip("sp4n.calendars.ics")
    path = tmp_path / "missing" / "x.ics"
    code, _, err = run(capsys, "calendar", "export-ics", "2026", "-o", str(path))
    assert code == 2
    assert err == f"sp4n: error: cannot write {path}: No such file or directory\n"


# ---------------------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["calendar", "show", "1800"], "year=1800 is invalid: expected a year from 1900 to 2200"),
        (["calendar", "export-ics", "2201"], "year=2201 is invalid: expected a year from 1900 to 2200"),
        (
            ["calendar", "due", "2026-03-16T10:00", "3 working days"],
            "start='2026-03-16T10:00' is invalid: expected an ISO 8601 date and time with a UTC offset, "
            "such as '2026-03-16T10:00+07:00'",
        ),
        (
            ["calendar", "due", "next monday", "3 working days"],
            "start='next monday' is invalid: expected an ISO 8601 date and time with a UTC offset, "
            "such as '2026-03-16T10:00+07:00'",
        ),
    ],
)
def test_cli_errors_are_reported_with_exit_code_2(
    capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    code, out, err = run(capsys, *argv)
    assert (code, out) == (2, "")
    assert err == f"sp4n: error: {message}\n"


def library_error(call: Callable[[], object]) -> Sp4nError:
    """The error the library raises for the same input (its wording is the library's to choose)."""
    with pytest.raises(Sp4nError) as info:
        call()
    return info.value


@pytest.mark.parametrize(
    ("argv", "call", "fragment"),
    [
        (
            ["calendar", "show", "2026", "--zone", "XYZ"],
            lambda: WorkingCalendar.indonesia("XYZ"),
            "zone='XYZ' is not a known time zone",
        ),
        (
            ["calendar", "due", START, "3 days"],
            lambda: CAL.due(datetime(2026, 3, 16, 10, tzinfo=WIB), "3 days"),
            "duration='3 days' is not a valid duration",
        ),
        (
            ["calendar", "due", START, "99999 working days"],
            lambda: CAL.due(datetime(2026, 3, 16, 10, tzinfo=WIB), "99999 working days"),
            "is outside the calendar, which covers 2019-01-01 to",
        ),
    ],
)
def test_library_errors_are_reported_with_exit_code_2(
    capsys: pytest.CaptureFixture[str], argv: list[str], call: Callable[[], object], fragment: str
) -> None:
    expected = library_error(call)
    assert fragment in str(expected)
    code, out, err = run(capsys, *argv)
    assert (code, out) == (2, "")
    assert err == f"sp4n: error: {expected}\n"


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("missing.yaml", None),
        ("bad.yaml", "add:\n  - {date: 2026-02-30, name: X, source: Y}\n"),
        ("nosource.yaml", "add:\n  - {date: 2026-07-01, name: X}\n"),
    ],
)
def test_bad_override_files_are_reported(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, name: str, text: str | None
) -> None:
    pytest.importorskip("sp4n.calendars.overrides")
    path = tmp_path / name
    if text is not None:
        path.write_text(text, encoding="utf-8")
    with pytest.raises(OverrideFileError) as expected:
        CAL.with_overrides(path)
    code, out, err = run(capsys, "calendar", "due", START, "3 working days", "--overrides", str(path))
    assert (code, out) == (2, "")
    assert err == f"sp4n: error: {expected.value}\n"
    assert str(path) in err


def test_argparse_errors_exit_2_with_usage(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main([])
    assert exit_info.value.code == 2
    assert "sp4n: error: the following arguments are required: GROUP" in capsys.readouterr().err

    with pytest.raises(SystemExit) as exit_info:
        main(["calendar", "due", START, "3 working days", "--lang", "fr"])
    assert exit_info.value.code == 2
    assert "argument --lang: invalid choice: 'fr'" in capsys.readouterr().err

    with pytest.raises(SystemExit) as exit_info:
        main(["calendar", "show", "twenty"])
    assert exit_info.value.code == 2
    assert "argument year: invalid int value: 'twenty'" in capsys.readouterr().err


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out == f"sp4n {__version__}\n"


def test_the_cli_never_reads_the_wall_clock() -> None:
    source = Path(cli.__file__).read_text(encoding="utf-8")
    assert "now(" not in source
    assert "today(" not in source


def test_runs_as_a_program() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "sp4n.cli", "calendar", "due", START, "3 working days"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert (done.returncode, done.stderr) == (0, "")
    assert "due (UTC)    2026-03-26T17:00+00:00" in done.stdout

    failed = subprocess.run(
        [sys.executable, "-m", "sp4n.cli", "calendar", "due", START, "3 days"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert failed.returncode == 2
    assert failed.stderr.startswith("sp4n: error: duration='3 days' is not a valid duration")
