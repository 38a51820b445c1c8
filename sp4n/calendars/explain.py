"""Readable accounts of a due date, in Indonesian and English."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from sp4n.calendars.days import DayKind
from sp4n.calendars.duration import DurationUnit
from sp4n.calendars.policy import ReceiptDay

if TYPE_CHECKING:
    from sp4n.calendars.due import Due

_UNITS_ID = {
    DurationUnit.WORKING_DAYS: "hari kerja",
    DurationUnit.WORKING_HOURS: "jam kerja",
    DurationUnit.HOURS: "jam",
    DurationUnit.CALENDAR_DAYS: "hari kalender",
}


def explain_due(due: Due, lang: Literal["id", "en"]) -> str:
    """Lines that say from when, what was counted, what was skipped, and when it ends."""
    from sp4n.calendars.due import format_date, kind_label, zone_label

    if lang not in ("id", "en"):
        from sp4n.errors import InvalidArgumentError

        raise InvalidArgumentError("lang", lang, "'id' or 'en'")
    tz = due.local_at.tzinfo
    zone = zone_label(due.zone)
    start = due.start.astimezone(tz)
    counted = due.counted_from.astimezone(tz)
    end = due.local_at
    en = lang == "en"
    amount = str(due.duration) if en else f"{due.duration.value} {_UNITS_ID[due.duration.unit]}"
    lines = [
        (
            f"Received {format_date(start.date(), lang)} {start:%H:%M} {zone}; counting {amount}."
            if en
            else f"Diterima {format_date(start.date(), lang)} pukul {start:%H:%M} {zone}; dihitung {amount}."
        ),
    ]
    if counted != start:
        lines.append(
            f"Received outside office hours: counted from {format_date(counted.date(), lang)} {counted:%H:%M}."
            if en
            else f"Diterima di luar jam kerja: dihitung sejak {format_date(counted.date(), lang)} "
            f"pukul {counted:%H:%M}."
        )
    unit = due.duration.unit
    if unit in (DurationUnit.WORKING_DAYS, DurationUnit.CALENDAR_DAYS):
        included = due.policy.receipt_day is ReceiptDay.INCLUDED
        if en:
            lines.append("Day 1 is the day of receipt." if included else "Day 1 is the day after the day of receipt.")
        else:
            lines.append(
                "Hari ke-1 adalah hari penerimaan." if included else "Hari ke-1 adalah hari setelah hari penerimaan."
            )
    skipped = due.skipped
    holidays = [d for d in skipped if d.kind is not DayKind.WEEKEND]
    weekends = len(skipped) - len(holidays)
    if skipped:
        head = "Not counted:" if en else "Tidak dihitung:"
        lines.append(head)
        for d in holidays:
            mark = (" (estimated date)" if en else " (tanggal perkiraan)") if d.estimated else ""
            lines.append(f"  - {format_date(d.date, lang)}: {d.name} [{kind_label(d.kind, lang)}]{mark}")
        if weekends:
            lines.append(f"  - {weekends} weekend day(s)" if en else f"  - {weekends} hari akhir pekan")
    if unit in (DurationUnit.WORKING_DAYS, DurationUnit.CALENDAR_DAYS):
        after = end.date()
        lines.append(
            f"Due at the end of {format_date(due.local_date, lang)} "
            f"(passes at {after:%Y-%m-%d} 00:00 {zone}, {due.at:%Y-%m-%d %H:%M} UTC)."
            if en
            else f"Batas waktu: akhir hari {format_date(due.local_date, lang)} "
            f"(lewat pada {after:%Y-%m-%d} pukul 00:00 {zone}, {due.at:%Y-%m-%d %H:%M} UTC)."
        )
    else:
        lines.append(
            f"Due at {format_date(end.date(), lang)} {end:%H:%M} {zone} ({due.at:%Y-%m-%d %H:%M} UTC)."
            if en
            else f"Batas waktu: {format_date(end.date(), lang)} pukul {end:%H:%M} {zone} ({due.at:%Y-%m-%d %H:%M} UTC)."
        )
    if due.estimated:
        lines.append(
            "Warning: rests on estimated holiday dates, which may still move."
            if en
            else "Perhatian: bergantung pada tanggal libur perkiraan yang masih dapat bergeser."
        )
    if due.unconfirmed_years:
        years = ", ".join(str(y) for y in due.unconfirmed_years)
        lines.append(
            f"Warning: no confirmed joint-leave (cuti bersama) data for {years}."
            if en
            else f"Perhatian: belum ada data cuti bersama yang ditetapkan untuk tahun {years}."
        )
    lines.append(f"Calendar version {due.calendar_version}." if en else f"Versi kalender {due.calendar_version}.")
    return "\n".join(lines)
