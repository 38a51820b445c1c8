"""The words sp4n uses about dates and deadlines, in Indonesian ("id") and English ("en").

Every text sp4n writes in one language takes its dates, zones, kinds of days, amounts and the
names of what started a clock from here, so an Indonesian text never falls back to English.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from sp4n.calendars.days import KIND_LABELS, WEEKDAY_LABELS_EN, WEEKDAY_LABELS_ID, DayKind
from sp4n.calendars.duration import UNIT_LABELS, DurationUnit
from sp4n.calendars.zones import ZONE_ABBREVIATIONS
from sp4n.errors import InvalidArgumentError

Lang = Literal["id", "en"]
"""A language sp4n writes in."""

MONTHS_ID = (
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
)
MONTHS_EN = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)

RECEIPT = "submitted"
"""What starts a clock when a report is received (the event kind of a submission)."""

START_LABELS: dict[str, tuple[str, str]] = {
    RECEIPT: ("Diterima", "Received"),
    "resumed": ("Dilanjutkan", "Resumed"),
    "resume": ("Dilanjutkan", "Resumed"),
    "verify": ("Diverifikasi", "Verified"),
    "distribute": ("Didisposisikan", "Distributed"),
    "dispose": ("Didisposisikan ke unit", "Disposed to a unit"),
    "reroute": ("Dialihkan", "Re-routed"),
    "not_authority": ("Dinyatakan bukan wewenang", "Declared not the agency's authority"),
    "follow_up": ("Ditindaklanjuti", "Followed up"),
    "reply": ("Ditanggapi pelapor", "Replied to by the reporter"),
    "escalate": ("Dieskalasi", "Escalated"),
    "extend": ("Diperpanjang", "Extended"),
}
"""Indonesian and English names of what started (or resumed) a clock, by trigger or event kind."""

GENERIC_START = ("Mulai dihitung", "Counting started")
"""The name of a start that :data:`START_LABELS` does not know."""


def check_lang(lang: Any) -> Lang:
    """``lang`` if it is "id" or "en"; an error naming it otherwise."""
    if lang == "id":
        return "id"
    if lang == "en":
        return "en"
    raise InvalidArgumentError("lang", lang, "'id' or 'en'")


def pick(lang: Lang, id_text: str, en_text: str) -> str:
    """The text of ``lang`` out of an Indonesian and an English one."""
    return id_text if lang == "id" else en_text


def format_date(d: date, lang: Lang) -> str:
    """'Kamis, 26 Maret 2026' or 'Thursday 26 March 2026'."""
    if lang == "id":
        return f"{WEEKDAY_LABELS_ID[d.weekday()]}, {d.day} {MONTHS_ID[d.month - 1]} {d.year}"
    return f"{WEEKDAY_LABELS_EN[d.weekday()]} {d.day} {MONTHS_EN[d.month - 1]} {d.year}"


def format_instant(instant: datetime, zone: str, lang: Lang) -> str:
    """'Senin, 16 Maret 2026 pukul 10:00 WIB' or 'Monday 16 March 2026 10:00 WIB' (``instant`` as given)."""
    at = pick(lang, "pukul ", "")
    return f"{format_date(instant.date(), lang)} {at}{instant:%H:%M} {zone_label(zone)}"


def weekday_short(d: date, lang: Lang) -> str:
    """'Sen' or 'Mon': the first three letters of the weekday's name."""
    return (WEEKDAY_LABELS_ID if lang == "id" else WEEKDAY_LABELS_EN)[d.weekday()][:3]


def zone_label(zone: str) -> str:
    """WIB, WITA, WIT for Indonesia's zones, else the IANA name."""
    return ZONE_ABBREVIATIONS.get(zone, zone)


def kind_label(kind: DayKind, lang: Lang) -> str:
    """The label of a day kind in one language."""
    label_id, label_en = KIND_LABELS[kind]
    return pick(lang, label_id, label_en)


def amount_text(value: int, unit: DurationUnit, lang: Lang, *, seconds: bool = False) -> str:
    """An amount of a unit, '3 hari kerja' or '3 working days'; ``seconds`` says ``value`` counts
    seconds of an hour-based unit (as a clock's ledger does), shown as hours and minutes."""
    label_id, singular, plural = UNIT_LABELS[unit]
    minutes = 0
    if seconds:
        value, rest = divmod(value, 3600)
        minutes = rest // 60
    text = f"{value} {pick(lang, label_id, singular if value == 1 else plural)}"
    if minutes:
        text += f" {minutes} {pick(lang, 'menit', 'minute' if minutes == 1 else 'minutes')}"
    return text


def is_receipt(started_by: str | None) -> bool:
    """Whether a clock was started by the receipt of the report (None: not known, taken as one)."""
    return started_by is None or started_by == RECEIPT


def start_label(started_by: str | None, lang: Lang) -> str:
    """The name of what started a clock: 'Diterima' for a receipt, 'Dilanjutkan' for a resumption,
    the trigger's own name for the triggers sp4n knows, 'Mulai dihitung' for any other."""
    label_id, label_en = START_LABELS.get(RECEIPT if started_by is None else started_by, GENERIC_START)
    return pick(lang, label_id, label_en)
