"""Readable accounts of a due date, wholly in Indonesian or wholly in English.

:meth:`Due.explain <sp4n.calendars.Due.explain>` calls :func:`explain_due`; this module knows a
due date only by the attributes it reads (:class:`Explained`), so it need not import ``due``.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Protocol

from sp4n.calendars.days import DayKind, NonWorkingDay
from sp4n.calendars.duration import Duration, DurationUnit
from sp4n.calendars.language import (
    Lang,
    amount_text,
    check_lang,
    format_date,
    format_instant,
    is_receipt,
    kind_label,
    pick,
    start_label,
    zone_label,
)
from sp4n.calendars.policy import CountingPolicy, ReceiptDay


class Explained(Protocol):
    """What an explanation reads of a due date (a :class:`~sp4n.calendars.Due` has all of it)."""

    @property
    def start(self) -> datetime: ...
    @property
    def counted_from(self) -> datetime: ...
    @property
    def local_at(self) -> datetime: ...
    @property
    def at(self) -> datetime: ...
    @property
    def local_date(self) -> date: ...
    @property
    def duration(self) -> Duration: ...
    @property
    def policy(self) -> CountingPolicy: ...
    @property
    def zone(self) -> str: ...
    @property
    def calendar_version(self) -> str: ...
    @property
    def skipped(self) -> tuple[NonWorkingDay, ...]: ...
    @property
    def estimated(self) -> bool: ...
    @property
    def unconfirmed_years(self) -> tuple[int, ...]: ...


def explain_due(due: Explained, lang: Lang, start: str | None = None) -> str:
    """Lines that say from when, what was counted, what was skipped, and when it ends.

    ``start`` is what started the count (see :func:`~sp4n.calendars.language.start_label`):
    None or "submitted" for a receipt, a trigger such as "distribute" or "resumed" otherwise.
    """
    lang = check_lang(lang)
    tz = due.local_at.tzinfo
    begun = due.start.astimezone(tz)
    counted = due.counted_from.astimezone(tz)
    end = due.local_at
    label = start_label(start, lang)
    amount = amount_text(due.duration.value, due.duration.unit, lang)
    lines = [f"{label} {format_instant(begun, due.zone, lang)}; {pick(lang, 'dihitung', 'counting')} {amount}."]
    if counted != begun:
        lines.append(
            pick(lang, f"{label} di luar jam kerja: dihitung sejak ", f"{label} outside office hours: counted from ")
            + f"{format_date(counted.date(), lang)} {pick(lang, 'pukul ', '')}{counted:%H:%M}."
        )
    unit = due.duration.unit
    if unit in (DurationUnit.WORKING_DAYS, DurationUnit.CALENDAR_DAYS):
        lines.append(_day_one(due.policy.receipt_day is ReceiptDay.INCLUDED, is_receipt(start), lang))
    lines.extend(_skipped(due.skipped, lang))
    zone = zone_label(due.zone)
    if unit in (DurationUnit.WORKING_DAYS, DurationUnit.CALENDAR_DAYS):
        after = end.date()
        lines.append(
            pick(lang, "Batas waktu: akhir hari ", "Due at the end of ")
            + f"{format_date(due.local_date, lang)} ("
            + pick(lang, f"lewat pada {after:%Y-%m-%d} pukul 00:00", f"passes at {after:%Y-%m-%d} 00:00")
            + f" {zone}, {due.at:%Y-%m-%d %H:%M} UTC)."
        )
    else:
        lines.append(
            pick(lang, "Batas waktu: ", "Due at ")
            + f"{format_instant(end, due.zone, lang)} ({due.at:%Y-%m-%d %H:%M} UTC)."
        )
    if due.estimated:
        lines.append(
            pick(
                lang,
                "Perhatian: bergantung pada tanggal libur perkiraan yang masih dapat bergeser.",
                "Warning: rests on estimated holiday dates, which may still move.",
            )
        )
    if due.unconfirmed_years:
        years = ", ".join(str(y) for y in due.unconfirmed_years)
        lines.append(
            pick(
                lang,
                f"Perhatian: belum ada data cuti bersama yang ditetapkan untuk tahun {years}.",
                f"Warning: no confirmed joint-leave (cuti bersama) data for {years}.",
            )
        )
    lines.append(pick(lang, "Versi kalender", "Calendar version") + f" {due.calendar_version}.")
    return "\n".join(lines)


def _day_one(included: bool, receipt: bool, lang: Lang) -> str:
    """Which day is day 1, named for what started the count."""
    day = (
        pick(lang, "hari penerimaan", "the day of receipt")
        if receipt
        else pick(lang, "hari mulai dihitung", "the day counting started")
    )
    if included:
        return pick(lang, f"Hari ke-1 adalah {day}.", f"Day 1 is {day}.")
    return pick(lang, f"Hari ke-1 adalah hari setelah {day}.", f"Day 1 is the day after {day}.")


def _skipped(skipped: tuple[NonWorkingDay, ...], lang: Lang) -> list[str]:
    """The days not counted: each dated one with its name and kind, then the number of weekend days."""
    if not skipped:
        return []
    holidays = [d for d in skipped if d.kind is not DayKind.WEEKEND]
    weekends = len(skipped) - len(holidays)
    lines = [pick(lang, "Tidak dihitung:", "Not counted:")]
    for d in holidays:
        mark = pick(lang, " (tanggal perkiraan)", " (estimated date)") if d.estimated else ""
        lines.append(f"  - {format_date(d.date, lang)}: {d.name} [{kind_label(d.kind, lang)}]{mark}")
    if weekends:
        lines.append(pick(lang, f"  - {weekends} hari akhir pekan", f"  - {weekends} weekend day(s)"))
    return lines
