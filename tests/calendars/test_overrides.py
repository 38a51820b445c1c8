"""Override files: what they change in a calendar, and every way one can be wrong."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from sp4n.calendars import DayKind, NonWorkingDay, WorkingCalendar
from sp4n.calendars.overrides import OverrideSet, Removal, apply_overrides, load_overrides
from sp4n.errors import CalendarError, OverrideFileError

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "calendars"

VALID_YAML = """\
name: "Jawa Tengah 2026"
add:
  - date: 2026-08-18
    name: "Cuti bersama HUT RI ke-81"
    kind: joint_leave
    source: "SKB 3 Menteri (amendment), 2026"
    confirmed: true
  - date: 2026-10-16
    name: "Penutupan kantor provinsi"
    kind: regional
    source: "Surat Edaran Gubernur (example)"
  - date: 2026-12-31
    name: "Cuti bersama (rencana)"
    source: "Pengumuman (example)"
    confirmed: false
remove:
  - date: 2026-03-20
    source: "Decree moving the holiday"
    reason: "moved to 2026-03-27"
"""

VALID_TOML = """\
name = "Jawa Tengah 2026"

[[add]]
date = 2026-08-18
name = "Cuti bersama HUT RI ke-81"
kind = "joint_leave"
source = "SKB 3 Menteri (amendment), 2026"

[[remove]]
date = "2026-03-20"
source = "Decree moving the holiday"
"""


@pytest.fixture(scope="module")
def cal() -> WorkingCalendar:
    # fixed years, so that the messages about dates outside them name those years
    return WorkingCalendar.indonesia(years=(2019, 2028))


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def by_date(cal: WorkingCalendar) -> dict[date, NonWorkingDay]:
    return {d.date: d for d in cal.days}


# ---------------------------------------------------------------------- applying


def test_yaml_file_adds_and_removes_days(cal: WorkingCalendar, tmp_path: Path) -> None:
    new = apply_overrides(cal, write(tmp_path, "jateng.yaml", VALID_YAML))
    days = by_date(new)
    assert days[date(2026, 8, 18)] == NonWorkingDay(
        date=date(2026, 8, 18),
        name="Cuti bersama HUT RI ke-81",
        kind=DayKind.JOINT_LEAVE,
        source="SKB 3 Menteri (amendment), 2026",
        estimated=False,
    )
    assert days[date(2026, 10, 16)].kind is DayKind.REGIONAL
    assert days[date(2026, 12, 31)].kind is DayKind.OVERRIDE
    assert days[date(2026, 12, 31)].estimated is True
    assert date(2026, 3, 20) not in days
    assert new.is_working_day(date(2026, 3, 20))
    assert not new.is_working_day(date(2026, 8, 18))
    assert len(new.days) == len(cal.days) + 3 - 1
    assert new.name == "Indonesia (WIB) + Jawa Tengah 2026"
    assert new.version != cal.version


def test_arithmetic_reflects_an_added_joint_leave_day(cal: WorkingCalendar) -> None:
    # Friday 14 August; Monday 17 August is Independence Day.
    assert cal.add_working_days(date(2026, 8, 14), 2) == date(2026, 8, 19)
    new = cal.with_overrides(
        {"add": [{"date": "2026-08-18", "name": "Cuti bersama", "kind": "joint_leave", "source": "SKB"}]}
    )
    assert new.add_working_days(date(2026, 8, 14), 2) == date(2026, 8, 20)
    assert new.working_days_between(date(2026, 8, 14), date(2026, 8, 21)) == 3
    due = new.due(datetime(2026, 8, 14, 2, 0, tzinfo=UTC), "2 working days")
    assert due.local_date == date(2026, 8, 20)
    assert due.calendar_version == new.version != cal.version
    assert date(2026, 8, 18) in {d.date for d in due.skipped}


def test_removed_day_counts_again(cal: WorkingCalendar) -> None:
    # Thursday 19 March is Nyepi; Friday 20 and Monday 23 March are joint leave.
    assert cal.add_working_days(date(2026, 3, 19), 1) == date(2026, 3, 25)
    new = cal.with_overrides({"remove": [{"date": date(2026, 3, 20), "source": "Decree"}]})
    assert new.add_working_days(date(2026, 3, 19), 1) == date(2026, 3, 20)


def test_unconfirmed_day_makes_a_due_date_estimated(cal: WorkingCalendar) -> None:
    new = cal.with_overrides(
        {"add": [{"date": date(2026, 8, 18), "name": "Cuti", "source": "Plan", "confirmed": False}]}
    )
    due = new.due(datetime(2026, 8, 14, 2, 0, tzinfo=UTC), "2 working days")
    assert due.estimated
    assert [d.date for d in due.estimated_days] == [date(2026, 8, 18)]


def test_toml_file_is_the_same_structure(cal: WorkingCalendar, tmp_path: Path) -> None:
    from_toml = apply_overrides(cal, write(tmp_path, "jateng.toml", VALID_TOML))
    from_yaml = apply_overrides(cal, write(tmp_path, "jateng.yml", VALID_YAML))
    assert by_date(from_toml)[date(2026, 8, 18)] == by_date(from_yaml)[date(2026, 8, 18)]
    assert date(2026, 3, 20) not in by_date(from_toml)


def test_path_as_str_and_with_overrides_method(cal: WorkingCalendar, tmp_path: Path) -> None:
    path = write(tmp_path, "jateng.yaml", VALID_YAML)
    assert apply_overrides(cal, str(path)) == cal.with_overrides(path)


def test_adding_a_day_replaces_the_entry_on_that_date(cal: WorkingCalendar) -> None:
    new = cal.with_overrides(
        {"add": [{"date": "2026-08-17", "name": "HUT RI ke-81", "kind": "national_holiday", "source": "Keppres"}]}
    )
    assert by_date(new)[date(2026, 8, 17)].source == "Keppres"
    assert len(new.days) == len(cal.days)


def test_empty_lists_and_no_name_keep_days_and_name(cal: WorkingCalendar, tmp_path: Path) -> None:
    new = apply_overrides(cal, write(tmp_path, "empty.yaml", "add:\nremove: []\n"))
    assert new.days == cal.days
    assert new.name == cal.name
    assert new.version == cal.version


def test_load_overrides_gives_the_checked_content(tmp_path: Path) -> None:
    path = write(tmp_path, "jateng.yaml", VALID_YAML)
    loaded = load_overrides(path)
    assert isinstance(loaded, OverrideSet)
    assert loaded.origin == str(path)
    assert loaded.name == "Jawa Tengah 2026"
    assert [d.date for d in loaded.add] == [date(2026, 8, 18), date(2026, 10, 16), date(2026, 12, 31)]
    assert loaded.remove == (Removal(date(2026, 3, 20), "Decree moving the holiday", "moved to 2026-03-27"),)


def test_an_override_set_can_be_applied_to_several_calendars(tmp_path: Path) -> None:
    loaded = load_overrides(write(tmp_path, "jateng.yaml", VALID_YAML))
    for zone in ("WIB", "WITA"):
        assert not apply_overrides(WorkingCalendar.indonesia(zone), loaded).is_working_day(date(2026, 8, 18))


def test_examples_load_and_apply_together(cal: WorkingCalendar) -> None:
    jateng = EXAMPLES / "jateng-2026.yaml"
    extra = EXAMPLES / "extra-joint-leave-2026.toml"
    for path in (jateng, extra):
        loaded = load_overrides(path)
        assert loaded.add
        assert all(d.source for d in loaded.add)
        assert all(r.source for r in loaded.remove)
    new = cal.with_overrides(jateng).with_overrides(extra)
    days = by_date(new)
    assert {days[d].kind for d in (date(2026, 10, 16), date(2026, 3, 25), date(2026, 8, 18))} == {
        DayKind.REGIONAL,
        DayKind.JOINT_LEAVE,
    }
    assert date(2026, 3, 20) not in days
    assert days[date(2026, 12, 31)].estimated
    assert new.name == "Indonesia (WIB) + Jawa Tengah 2026 + Cuti bersama tambahan 2026"
    assert new.add_working_days(date(2026, 8, 14), 2) == date(2026, 8, 20)
    assert len({cal.version, cal.with_overrides(jateng).version, new.version}) == 3


# ---------------------------------------------------------------------- errors


def expect(origin: object, location: str, reason: str) -> str:
    where = f"{origin}: {location}" if location else str(origin)
    return "^" + re.escape(f"{where}: {reason}") + "$"


SOURCE_WHY = "; every override must name its legal source (e.g. the decree)"
ADD_KEYS = "date, name, kind, source, confirmed"
KINDS = "national_holiday, joint_leave, regional, override"


def entry(**fields: str) -> str:
    """One YAML add entry, with the fields of a valid one unless given."""
    values = {"date": "2026-08-18", "name": '"Cuti"', "kind": "joint_leave", "source": '"SKB"', **fields}
    lines = [f"{k}: {v}" for k, v in values.items() if v != "<absent>"]
    return "add:\n  - " + "\n    ".join(lines) + "\n"


YAML_ERRORS = [
    pytest.param(
        "- 1\n- 2\n", "top level", "expected a mapping with keys name, add, remove; got [1, 2]", id="top-list"
    ),
    pytest.param("", "top level", "the file is empty", id="empty"),
    pytest.param(
        "adds: []\n", "top level", 'unknown key "adds"; allowed keys: name, add, remove', id="unknown-top-key"
    ),
    pytest.param("name: 5\n", "name", "5 is not a non-empty text", id="name-not-text"),
    pytest.param(
        "add: {date: 2026-08-18}\n", "add", 'expected a list of entries; got {"date": "2026-08-18"}', id="add-map"
    ),
    pytest.param(
        "add:\n  - 2026-08-18\n",
        "add[0]",
        f'expected a mapping with keys {ADD_KEYS}; got "2026-08-18"',
        id="entry-not-mapping",
    ),
    pytest.param(
        entry(reason='"x"'), "add[0]", f'unknown key "reason"; allowed keys: {ADD_KEYS}', id="unknown-entry-key"
    ),
    pytest.param(entry(source="<absent>"), "add[0].source", f"missing{SOURCE_WHY}", id="missing-source"),
    pytest.param(entry(source='""'), "add[0].source", f'"" is not a non-empty text{SOURCE_WHY}', id="empty-source"),
    pytest.param(entry(source='"  "'), "add[0].source", f'"  " is not a non-empty text{SOURCE_WHY}', id="blank-source"),
    pytest.param(entry(name="<absent>"), "add[0].name", "missing", id="missing-name"),
    pytest.param(entry(date="<absent>"), "add[0].date", "missing", id="missing-date"),
    pytest.param(entry(date="2026-13-01"), "add[0].date", '"2026-13-01" is not a date (YYYY-MM-DD)', id="month-13"),
    pytest.param(entry(date="2026-02-30"), "add[0].date", '"2026-02-30" is not a date (YYYY-MM-DD)', id="feb-30"),
    pytest.param(entry(date="18-08-2026"), "add[0].date", '"18-08-2026" is not a date (YYYY-MM-DD)', id="dmy"),
    pytest.param(entry(date="20260818"), "add[0].date", "20260818 is not a date (YYYY-MM-DD)", id="number"),
    pytest.param(entry(kind="cuti"), "add[0].kind", f'"cuti" is not allowed; use one of {KINDS}', id="bad-kind"),
    pytest.param(
        entry(kind="weekend"),
        "add[0].kind",
        f'"weekend" is not allowed (weekends come from the weekmask); use one of {KINDS}',
        id="weekend-kind",
    ),
    pytest.param(entry(confirmed='"yes"'), "add[0].confirmed", '"yes" is not true or false', id="confirmed-text"),
    pytest.param(
        entry() + "  - {date: 2026-08-19, name: a, source: b}\n  - {date: 2026-08-18, name: c, source: d}\n",
        "add[2].date",
        "2026-08-18 is already listed at add[0]",
        id="same-date-twice",
    ),
    pytest.param(
        entry() + "remove:\n  - {date: 2026-08-18, source: x}\n",
        "remove[0].date",
        "2026-08-18 is already listed at add[0]; to replace a day, list it in add only",
        id="add-and-remove",
    ),
    pytest.param(
        "remove:\n  - {date: 2026-03-20, source: x}\n  - {date: 2026-03-20, source: y}\n",
        "remove[1].date",
        "2026-03-20 is already listed at remove[0]; to replace a day, list it in add only",
        id="remove-twice",
    ),
    pytest.param(
        "remove:\n  - {date: 2026-03-20}\n", "remove[0].source", f"missing{SOURCE_WHY}", id="remove-no-source"
    ),
    pytest.param(
        "remove:\n  - {date: 2026-03-20, source: x, because: y}\n",
        "remove[0]",
        'unknown key "because"; allowed keys: date, source, reason',
        id="remove-unknown-key",
    ),
    pytest.param(
        "remove:\n  - {date: 2026-03-20, source: x, reason: 7}\n",
        "remove[0].reason",
        "7 is not a non-empty text",
        id="remove-reason-not-text",
    ),
    pytest.param(
        "remove:\n  - {date: 2026-3-20, source: x}\n",
        "remove[0].date",
        '"2026-3-20" is not a date (YYYY-MM-DD)',
        id="remove-bad-date",
    ),
    pytest.param(
        entry(date="2031-08-18"),
        "add[0].date",
        "2031-08-18 is outside the calendar's years 2019-2028",
        id="add-outside-years",
    ),
    pytest.param(
        "remove:\n  - {date: 2018-08-17, source: x}\n",
        "remove[0].date",
        "2018-08-17 is outside the calendar's years 2019-2028",
        id="remove-outside-years",
    ),
    pytest.param(
        "remove:\n  - {date: 2026-03-26, source: x}\n",
        "remove[0].date",
        "2026-03-26 is not a dated non-working day of Indonesia (WIB)",
        id="remove-working-day",
    ),
    pytest.param(
        "remove:\n  - {date: 2026-03-28, source: x}\n",
        "remove[0].date",
        "2026-03-28 is not a dated non-working day of Indonesia (WIB)",
        id="remove-weekend",
    ),
    pytest.param(
        "add:\n  - date: 2026-08-18\n    date: 2026-08-19\n",
        "line 3, column 5",
        "invalid YAML: duplicate key 'date'",
        id="yaml-duplicate-key",
    ),
    pytest.param(
        "add:\n  - {date: 2026-08-18\n",
        "line 3, column 1",
        "invalid YAML: expected ',' or '}', but got '<stream end>'",
        id="yaml-syntax",
    ),
]


@pytest.mark.parametrize(("text", "location", "reason"), YAML_ERRORS)
def test_yaml_errors(cal: WorkingCalendar, tmp_path: Path, text: str, location: str, reason: str) -> None:
    path = write(tmp_path, "bad.yaml", text)
    days, version = cal.days, cal.version
    with pytest.raises(OverrideFileError, match=expect(path, location, reason)) as info:
        apply_overrides(cal, path)
    assert (info.value.source, info.value.location, info.value.reason) == (str(path), location, reason)
    assert isinstance(info.value, CalendarError)
    assert isinstance(info.value, ValueError)
    assert (cal.days, cal.version) == (days, version)


def test_toml_syntax_error(cal: WorkingCalendar, tmp_path: Path) -> None:
    path = write(tmp_path, "bad.toml", "[[add]]\ndate = 2026-13-01\n")
    with pytest.raises(OverrideFileError, match=re.escape(f"{path}: invalid TOML: ") + ".*line 2"):
        apply_overrides(cal, path)


def test_toml_datetime_is_not_a_date(cal: WorkingCalendar, tmp_path: Path) -> None:
    path = write(tmp_path, "bad.toml", '[[add]]\ndate = 2026-08-18T08:00:00\nname = "x"\nsource = "y"\n')
    reason = '"2026-08-18 08:00:00" is a date and time; give a date (YYYY-MM-DD)'
    with pytest.raises(OverrideFileError, match=expect(path, "add[0].date", reason)):
        apply_overrides(cal, path)


def test_toml_entry_errors_name_their_place(cal: WorkingCalendar, tmp_path: Path) -> None:
    text = '[[add]]\ndate = 2026-08-18\nname = "a"\nsource = "b"\n\n[[add]]\ndate = 2026-08-19\nname = "c"\n'
    path = write(tmp_path, "bad.toml", text)
    with pytest.raises(OverrideFileError, match=expect(path, "add[1].source", f"missing{SOURCE_WHY}")):
        apply_overrides(cal, path)


def test_mapping_errors_name_the_mapping(cal: WorkingCalendar) -> None:
    with pytest.raises(OverrideFileError, match=expect("<mapping>", "add[0].date", "missing")):
        apply_overrides(cal, {"add": [{"name": "x", "source": "y"}]})
    with pytest.raises(
        OverrideFileError, match=expect("<mapping>", "top level", "unknown key 3; allowed keys: name, add, remove")
    ):
        apply_overrides(cal, {3: []})  # type: ignore[dict-item]


def test_missing_file(cal: WorkingCalendar, tmp_path: Path) -> None:
    path = tmp_path / "nowhere.yaml"
    with pytest.raises(OverrideFileError, match=expect(path, "", "no such file")):
        apply_overrides(cal, path)


def test_unreadable_file(cal: WorkingCalendar, tmp_path: Path) -> None:
    path = tmp_path / "folder.yaml"
    path.mkdir()
    with pytest.raises(OverrideFileError, match=re.escape(f"{path}: cannot read the file: ")):
        apply_overrides(cal, path)


def test_file_that_is_not_utf8(cal: WorkingCalendar, tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes("name: Jawa Tengah \u2013 2026\n".encode("cp1252"))
    with pytest.raises(OverrideFileError, match=re.escape(f"{path}: not UTF-8 text (invalid start byte at byte 18)")):
        apply_overrides(cal, path)


@pytest.mark.parametrize("name", ["overrides.json", "overrides"])
def test_wrong_extension(cal: WorkingCalendar, tmp_path: Path, name: str) -> None:
    path = write(tmp_path, name, "{}")
    with pytest.raises(OverrideFileError, match=expect(path, "", f'"{name}" does not end in .yaml, .yml or .toml')):
        apply_overrides(cal, path)


def test_source_of_the_wrong_type(cal: WorkingCalendar) -> None:
    with pytest.raises(
        OverrideFileError, match=expect(42, "", "expected a path to a .yaml/.yml/.toml file or a mapping")
    ):
        apply_overrides(cal, 42)  # type: ignore[arg-type]
