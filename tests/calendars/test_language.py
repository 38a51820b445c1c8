"""Explanations in one language: the start of a count named for what started it, amounts in words."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from sp4n.calendars import AfterHours, CountingPolicy, DurationUnit, ReceiptDay, WorkingCalendar
from sp4n.calendars.language import GENERIC_START, START_LABELS, amount_text, check_lang, start_label
from sp4n.errors import InvalidArgumentError

WIB = ZoneInfo("Asia/Jakarta")
CAL = WorkingCalendar.indonesia()
MONDAY = datetime(2026, 3, 16, 10, tzinfo=WIB)


def test_a_receipt_is_received_and_anything_else_is_named_for_itself() -> None:
    due = CAL.due(MONDAY, "3 working days")
    assert due.explain("id").splitlines()[:2] == [
        "Diterima Senin, 16 Maret 2026 pukul 10:00 WIB; dihitung 3 hari kerja.",
        "Hari ke-1 adalah hari setelah hari penerimaan.",
    ]
    assert due.explain("id", start="submitted") == due.explain("id")
    assert due.explain("id", start="distribute").splitlines()[:2] == [
        "Didisposisikan Senin, 16 Maret 2026 pukul 10:00 WIB; dihitung 3 hari kerja.",
        "Hari ke-1 adalah hari setelah hari mulai dihitung.",
    ]
    assert due.explain("en", start="resumed").splitlines()[:2] == [
        "Resumed Monday 16 March 2026 10:00 WIB; counting 3 working days.",
        "Day 1 is the day after the day counting started.",
    ]
    assert due.explain("id", start="follow_up").startswith("Ditindaklanjuti Senin")
    assert due.explain("id", start="verify").startswith("Diverifikasi Senin")
    assert due.explain("id", start="resumed").startswith("Dilanjutkan Senin")
    assert due.explain("id", start="a_trigger_of_a_regional_sop").startswith("Mulai dihitung Senin")
    assert due.explain("en", start="a_trigger_of_a_regional_sop").startswith("Counting started Monday")


def test_every_start_label_is_not_the_receipts_but_the_receipts_own() -> None:
    for key, (label_id, label_en) in START_LABELS.items():
        assert (start_label(key, "id"), start_label(key, "en")) == (label_id, label_en)
        assert (label_id == "Diterima") == (key == "submitted")
    assert start_label(None, "id") == "Diterima"
    assert start_label("unknown", "id") == GENERIC_START[0]


def test_day_one_of_a_count_that_includes_its_first_day() -> None:
    included = CountingPolicy(receipt_day=ReceiptDay.INCLUDED)
    due = CAL.due(MONDAY, "3 working days", included)
    assert "Hari ke-1 adalah hari penerimaan." in due.explain("id").splitlines()
    assert "Hari ke-1 adalah hari mulai dihitung." in due.explain("id", start="resumed").splitlines()
    assert "Day 1 is the day counting started." in due.explain("en", start="resumed").splitlines()


def test_a_start_outside_office_hours_is_named_for_what_started_it() -> None:
    late = datetime(2026, 3, 16, 17, tzinfo=WIB)
    due = CAL.due(late, "3 working days", CountingPolicy(after_hours=AfterHours.NEXT_WORKING_DAY))
    assert "Received outside office hours: counted from Tuesday 17 March 2026 07:30." in due.explain("en")
    lines = due.explain("id", start="resumed").splitlines()
    assert "Dilanjutkan di luar jam kerja: dihitung sejak Selasa, 17 Maret 2026 pukul 07:30." in lines


@pytest.mark.parametrize(
    ("value", "unit", "seconds", "id_text", "en_text"),
    [
        (1, DurationUnit.WORKING_DAYS, False, "1 hari kerja", "1 working day"),
        (14, DurationUnit.WORKING_DAYS, False, "14 hari kerja", "14 working days"),
        (10, DurationUnit.CALENDAR_DAYS, False, "10 hari kalender", "10 calendar days"),
        (8, DurationUnit.WORKING_HOURS, False, "8 jam kerja", "8 working hours"),
        (24, DurationUnit.HOURS, False, "24 jam", "24 hours"),
        (3600, DurationUnit.HOURS, True, "1 jam", "1 hour"),
        (10 * 3600 + 20 * 60 + 5, DurationUnit.HOURS, True, "10 jam 20 menit", "10 hours 20 minutes"),
        (60, DurationUnit.WORKING_HOURS, True, "0 jam kerja 1 menit", "0 working hours 1 minute"),
    ],
)
def test_amounts_in_words(value: int, unit: DurationUnit, seconds: bool, id_text: str, en_text: str) -> None:
    assert amount_text(value, unit, "id", seconds=seconds) == id_text
    assert amount_text(value, unit, "en", seconds=seconds) == en_text


def test_an_unknown_language_is_refused() -> None:
    with pytest.raises(InvalidArgumentError, match=r"lang='fr' is invalid: expected 'id' or 'en'"):
        check_lang("fr")
    with pytest.raises(InvalidArgumentError, match=r"lang='ID' is invalid"):
        CAL.due(MONDAY, "3 working days").explain("ID")  # type: ignore[arg-type]
