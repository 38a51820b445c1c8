"""Every Indonesian text sp4n writes for the built-in SOPs is Indonesian throughout.

Each text is scanned for English words (whole words, any case). What an SOP writes in one
language only (its title, legal sources, a clock's source and certainty) is the SOP's own text,
and its names (states, triggers, clocks, roles, fields, agencies) are identifiers: both are taken
out before the scan. Everything else is sp4n's to say in Indonesian.
"""

from __future__ import annotations

import dataclasses
import itertools
import re
from collections.abc import Iterator
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from sp4n.calendars import AfterHours, CountingPolicy, ReceiptDay, WorkingCalendar
from sp4n.calendars.indonesia import last_confirmed_year
from sp4n.calendars.language import START_LABELS
from sp4n.cli import main
from sp4n.persistence import ClockStatus
from sp4n.states.loader import builtin_sop, builtin_sop_ids
from sp4n.states.model import Sop
from sp4n.testing import Scenario
from sp4n.workflow import SYSTEM, Deadline

WIB = ZoneInfo("Asia/Jakarta")
MONDAY = datetime(2026, 3, 16, 10, tzinfo=WIB)
"""Monday 16 March 2026, 10:00 WIB: three working days later crosses Nyepi and Idul Fitri."""

FORBIDDEN = frozenset(
    " ".join(
        [
            "used of working day days due paused running stopped received hour hours minute minutes estimated",
            "skipped weekend holiday holidays since remain remains remaining left counting counted started",
            "resumed extended extension warning calendar version zone start duration confirmed not the and",
            "by from at in all before after until date none runs pauses states transitions clocks requires",
            "assigns resets extends otherwise if late emit fire miss joint leave national regional override",
            "passes end day(s) monday tuesday wednesday thursday friday saturday sunday january february",
            "march may june july august october december",
        ]
    ).split()
)
"""English words that have no place in an Indonesian text (April, September, November and
'data' are Indonesian too)."""

WORD = re.compile(r"[A-Za-z]+(?:\(s\))?")


def english_words(text: str) -> list[str]:
    """The forbidden words of ``text``, with the line each is on."""
    return [
        f"{match.group(0)!r} in {line!r}"
        for line in text.splitlines()
        for match in WORD.finditer(line)
        if match.group(0).lower() in FORBIDDEN and not _in_identifier(line, match)
    ]


def _in_identifier(line: str, match: re.Match[str]) -> bool:
    """Whether the word is part of a longer name such as ``follow_up`` or ``2026-03-16T10:00``."""
    before = line[match.start() - 1] if match.start() else " "
    after = line[match.end()] if match.end() < len(line) else " "
    return before in "_-" or after in "_-" or before.isdigit() or after.isdigit()


def assert_indonesian(text: str) -> None:
    found = english_words(text)
    assert not found, "English in an Indonesian text:\n" + "\n".join(found) + "\n\n" + text


def test_the_scan_finds_english_words_and_passes_indonesian() -> None:
    assert english_words("dijeda, 2 used of 14 working days") == [
        f"{w!r} in 'dijeda, 2 used of 14 working days'" for w in ("used", "of", "working", "days")
    ]
    assert english_words("  - 2 weekend day(s)") == [f"{w!r} in '  - 2 weekend day(s)'" for w in ("weekend", "day(s)")]
    assert english_words("Batas waktu: akhir hari Kamis, 26 Maret 2026 (lewat pada 2026-03-27 pukul 00:00 WIB)") == []
    assert english_words("  follow_up (Tindak lanjut): distributed, escalated -> followed_up") == []


# ---------------------------------------------------------------------------------- SOPs


def sop_own_text(sop: Sop) -> tuple[list[str], set[str]]:
    """(texts the SOP gives in one language only, the SOP's identifiers)."""
    texts = [sop.title, *sop.legal_sources]
    names = {sop.id, *([sop.extends] if sop.extends else []), *sop.classifications, *sop.categories}
    names.update(s.id for s in sop.states)
    for t in sop.transitions:
        names.update([t.trigger, *t.source, t.dest, *t.roles, *t.requires, *t.assigns, *t.resets])
    for clock in sop.clocks:
        texts += [clock.source, clock.certainty]
        names.update([clock.name, *clock.budgets, *(r.name for r in clock.rungs)])
        names.update(r.event for r in clock.rungs if r.event)
        names.update(r.trigger for r in clock.rungs if r.trigger)
        if clock.budget_by:
            names.add(clock.budget_by)
    for rule in sop.routing:
        names.update([rule.name, rule.agency, *([rule.official] if rule.official else [])])
    return [t for t in texts if t], names


@pytest.mark.parametrize("sop_id", builtin_sop_ids())
def test_sop_show_in_indonesian(sop_id: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sop", "show", sop_id, "--lang", "id"]) == 0
    out = capsys.readouterr().out
    sop = builtin_sop(sop_id)
    texts, names = sop_own_text(sop)
    for text in sorted(texts, key=len, reverse=True):
        out = out.replace(text, "")
    scanned = re.sub(r"\b(" + "|".join(sorted(map(re.escape, names), key=len, reverse=True)) + r")\b", "", out)
    assert_indonesian(scanned)
    for label in [s.label_en for s in sop.states] + [c.label_en for c in sop.clocks]:
        assert not re.search(rf"(?<!\w){re.escape(label)}(?!\w)", out), label
    assert "hari kerja" in out
    assert main(["sop", "show", sop_id]) == 0
    assert "working days" in capsys.readouterr().out  # English stays English


# ---------------------------------------------------------------------------------- Due


def dues() -> Iterator[tuple[str, str]]:
    """(what, Indonesian explanation) of due dates of every kind."""
    cal = WorkingCalendar.indonesia()
    late = MONDAY.replace(hour=17)
    next_day = CountingPolicy(after_hours=AfterHours.NEXT_WORKING_DAY)
    included = CountingPolicy(receipt_day=ReceiptDay.INCLUDED)
    for duration in ("3 working days", "1 working day", "8 working hours", "24 hours", "10 calendar days"):
        yield duration, cal.due(MONDAY, duration).explain("id")
        yield f"{duration} after hours", cal.due(late, duration, next_day).explain("id")
        yield f"{duration} receipt day included", cal.due(MONDAY, duration, included).explain("id")
    year = last_confirmed_year() + 1
    estimated = cal.due(datetime(year, 3, 1, 9, tzinfo=WIB), "60 working days")
    assert estimated.estimated
    assert estimated.unconfirmed_years
    yield "estimated", estimated.explain("id")
    for zone in ("WITA", "WIT"):
        yield zone, WorkingCalendar.indonesia(zone).due(MONDAY, "3 working days").explain("id")
    for start in [*START_LABELS, "a_trigger_of_a_regional_sop"]:
        yield f"start {start}", cal.due(late, "3 working days", next_day).explain("id", start=start)


@pytest.mark.parametrize(("what", "text"), list(dues()), ids=lambda v: v if len(v) < 40 else "")
def test_due_explain_in_indonesian(what: str, text: str) -> None:
    assert_indonesian(text)


# ---------------------------------------------------------------------------------- Deadline


def scenario(sop: str = "national") -> Scenario:
    counter = itertools.count(1)
    return Scenario(sops=[sop], start="2026-03-16T10:00:00+07:00", id_factory=lambda: f"c{next(counter)}")


def deadlines() -> Iterator[Deadline]:
    """Running, paused, resumed and extended clocks of the built-in SOPs."""
    s = scenario()
    cid = s.submit()
    yield from s.engine.deadlines(cid, SYSTEM)  # running
    s.advance_to(datetime(2026, 3, 17, 15, tzinfo=WIB))
    s.fire(cid, "hold", reason="menunggu kelengkapan data")
    yield from s.engine.deadlines(cid, SYSTEM)  # paused
    s.advance_to(datetime(2026, 3, 27, 9, tzinfo=WIB))
    s.fire(cid, "resume")
    yield from s.engine.deadlines(cid, SYSTEM)  # resumed with a day used
    s.fire(cid, "verify", classification="pengaduan", category="kesehatan")
    s.fire(cid, "distribute", agency="dinas_kesehatan")
    s.advance(days=3)
    s.fire(cid, "extend", extend_by="3 working days", reason="menunggu hasil uji laboratorium")
    yield from s.engine.deadlines(cid, SYSTEM)  # extended
    for sop in ("batam_24h", "covid19_fasttrack"):
        s = scenario(sop)
        cid = s.submit(sop=sop)
        yield from s.engine.deadlines(cid, SYSTEM)
        s.advance(hours=10, minutes=20, seconds=5)
        s.fire(cid, "hold", s.national_admin, reason="klarifikasi")
        yield from s.engine.deadlines(cid, SYSTEM)


def with_history(d: Deadline) -> list[Deadline]:
    """``d`` as the engine gives it, and with what started it and since when, for each kind of start."""
    since = MONDAY + timedelta(days=1, hours=5)
    starts = ["resumed"] if d.status is ClockStatus.PAUSED else ["submitted", "distribute", "resumed", "follow_up"]
    return [d] + [dataclasses.replace(d, started_by=s, since=since, zone="Asia/Makassar") for s in starts]


def test_deadline_explain_in_indonesian() -> None:
    every = [variant for d in deadlines() for variant in with_history(d)]
    assert {d.status for d in every} == {ClockStatus.RUNNING, ClockStatus.PAUSED}
    assert any(d.extended_by for d in every)
    assert any(d.consumed and d.due for d in every)
    assert any(d.budget.unit.value == "hours" and d.consumed for d in every)
    found = [
        f"{d.clock} {d.status.value} {d.started_by}: {hit}" for d in every for hit in english_words(d.explain("id"))
    ]
    assert not found, "English in an Indonesian text:\n" + "\n".join(found)


# ---------------------------------------------------------------------------------- calendar CLI


@pytest.mark.parametrize(
    "argv",
    [
        ["2026-03-16T10:00+07:00", "3 working days"],
        ["2026-03-16T10:00+07:00", "3 hari kerja", "--zone", "WITA", "--receipt-day", "included"],
        ["2026-03-16T17:00+07:00", "8 working hours", "--after-hours", "next_working_day"],
        ["2026-03-16T10:00+07:00", "24 hours", "--zone", "WIT"],
        ["2026-03-16T10:00+07:00", "10 calendar days", "--no-joint-leave"],
        [f"{last_confirmed_year() + 1}-03-01T09:00+07:00", "60 working days"],
    ],
)
def test_calendar_due_in_indonesian(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["calendar", "due", *argv, "--explain", "--lang", "id"]) == 0
    out = capsys.readouterr().out
    assert_indonesian(out.replace("--no-joint-leave", ""))


@pytest.mark.parametrize(
    "argv",
    [
        ["2026"],
        ["2026", "--weekdays-only"],
        ["2026", "--no-joint-leave", "--zone", "WITA"],
        [str(last_confirmed_year() + 1)],
    ],
)
def test_calendar_show_in_indonesian(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["calendar", "show", *argv, "--lang", "id"]) == 0
    out = capsys.readouterr().out
    assert_indonesian(re.sub(r"\(data: holidays [\d.]+\)|\(--no-joint-leave\)", "", out))
