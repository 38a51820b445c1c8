"""The manual form book (form manual book): up to 100 recapped complaints, taken in at once.

Agencies take reports by WhatsApp, e-mail, phone and at the counter, and enter them later as a
book. Each row is checked first (every problem named by row and column, in Indonesian); by
default nothing is written if any row is wrong, and with ``partial`` the good rows are. The
rows that are written go in ONE transaction (``save_many``), each counting its clocks from its
own receipt (:mod:`sp4n.workflow.intake`). A row is known again by its ``id_eksternal``, or
without one by a fingerprint of its content, so importing the same book twice writes nothing
new. Likely duplicates (the same reporter and a similar title within a few days) are flagged.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Literal

from sp4n.errors import BookError, InvalidData, Sp4nError
from sp4n.persistence.base import ChangeSet
from sp4n.persistence.query import ComplaintQuery, Visibility
from sp4n.persistence.records import Complaint
from sp4n.workflow.actor import Actor
from sp4n.workflow.compiled import CompiledSop
from sp4n.workflow.intake import Intake
from sp4n.workflow.runtime import Runtime

COLUMNS: dict[str, str] = {
    "judul": "title (wajib)",
    "isi": "description",
    "tanggal_diterima": "when it was received: dd/mm/yyyy, optionally HH:MM (wajib)",
    "kanal": "channel: whatsapp, email, telepon, tatap_muka, sms, ... (default: manual)",
    "klasifikasi": "classification, by id or label",
    "kategori": "category, by id or label",
    "instansi": "agency it is assigned to",
    "id_pelapor": "reporter's id",
    "nama_pelapor": "reporter's name",
    "anonim": "ya / tidak",
    "rahasia": "ya / tidak",
    "id_eksternal": "its id elsewhere (e.g. the national LAPOR!): a row is known again by it",
}
"""The columns of a book, in template order, with what each holds."""
REQUIRED = ("judul", "tanggal_diterima")
MAX_ROWS = 100
DUPLICATE_DAYS = 7
"""Likely duplicates: the same reporter and a similar title received within this many days."""

_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})(?:\s+(\d{1,2})[:.](\d{2}))?")
_YES = {
    "ya": True,
    "y": True,
    "1": True,
    "true": True,
    "tidak": False,
    "t": False,
    "0": False,
    "false": False,
    "": False,
}


@dataclass
class RowResult:
    """What became of one row: ``new`` (written, or to be written on a dry run), ``known``
    (imported before: nothing written), ``wrong`` (its problems)."""

    row: int
    title: str
    status: Literal["new", "known", "wrong"]
    tracking_number: str | None = None
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


@dataclass
class BookResult:
    """The rows of a book, in order, and whether anything was written."""

    rows: list[RowResult]
    written: bool

    def count(self, status: str) -> int:
        """How many rows have ``status``."""
        return sum(1 for r in self.rows if r.status == status)


def _key(text: str) -> str:
    return re.sub(r"[\s\-]+", "_", text.strip().lower())


def _choice(value: str, options: Sequence[str]) -> str | None:
    """The option ``value`` names, by id or label (case, spaces and dashes ignored)."""
    wanted = _key(value)
    return next((o for o in options if _key(o) == wanted), None)


def parse_date(value: Any, tz: Any) -> datetime | None:
    """A receipt instant from dd/mm/yyyy [HH:MM] text or a spreadsheet date cell, in ``tz``."""
    if isinstance(value, datetime):
        return value if value.tzinfo is not None else value.replace(tzinfo=tz)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=tz)
    found = _DATE.fullmatch(str(value).strip())
    if found is None:
        return None
    d, m, y, hh, mm = found.groups()
    try:
        return datetime(int(y), int(m), int(d), int(hh or 0), int(mm or 0), tzinfo=tz)
    except ValueError:
        return None


def fingerprint(row: Mapping[str, Any]) -> str:
    """The external id of a row that has none: a hash of its content."""
    blob = json.dumps({k: str(row.get(k) or "").strip() for k in COLUMNS}, sort_keys=True).encode()
    return "buku-" + hashlib.sha256(blob).hexdigest()[:24]


class Book:
    """Takes books in for one engine (see :meth:`Engine.import_book`)."""

    def __init__(self, runtime: Runtime, intake: Intake) -> None:
        self.runtime = runtime
        self.intake = intake

    def run(
        self,
        rows: Sequence[Mapping[str, Any]],
        actor: Actor,
        *,
        sop: str = "national",
        partial: bool = False,
        dry_run: bool = False,
        max_rows: int = MAX_ROWS,
        duplicate_days: int = DUPLICATE_DAYS,
        progress: Callable[[int], None] | None = None,
    ) -> BookResult:
        """Check every row, then write the new ones in one transaction (see the module)."""
        check_shape(rows, max_rows)
        self.runtime.refresh_if_due()
        compiled = self.runtime.registry.get(sop)
        now = self.runtime.now()
        results: list[RowResult] = []
        fields_of: dict[int, dict[str, Any]] = {}
        seen: dict[str, int] = {}
        for i, row in enumerate(rows):
            number = i + 2  # the header is row 1, as a spreadsheet shows it
            result, fields = self._check(number, row, compiled, actor, now, sop)
            ext = fields["external_id"]
            if ext is not None and ext in seen:
                result.status, result.problems = (
                    "wrong",
                    [f"baris {number}, kolom id_eksternal: sama dengan baris {seen[ext]}"],
                )
            elif ext is not None:
                seen[ext] = number
                fields_of[number] = fields
            results.append(result)
            if progress is not None:
                progress(i + 1)
        taken = self.runtime.store.taken_external_ids([f["external_id"] for f in fields_of.values()])
        for result in results:
            if result.status == "new" and fields_of[result.row]["external_id"] in taken:
                result.status = "known"
        self._flag_duplicates(results, fields_of, duplicate_days)
        wrong = [p for r in results for p in r.problems]
        if wrong and not partial:
            raise BookError(wrong)
        new = [r for r in results if r.status == "new"]
        if dry_run or not new:
            return BookResult(results, False)
        changes: list[ChangeSet] = []
        for result in new:
            fields = fields_of[result.row]
            change, _ = self.intake.decide(compiled, actor, fields, now, checked=fields["received_at"])
            result.tracking_number = change.complaint.tracking_number
            changes.append(change)
        for change in changes:
            change.historical = True  # a recap of the past: only feed consumers that ask for it
        self.runtime.commit_many(changes)
        return BookResult(results, True)

    def _check(
        self, number: int, row: Mapping[str, Any], compiled: CompiledSop, actor: Actor, now: datetime, sop: str
    ) -> tuple[RowResult, dict[str, Any]]:
        """One row's problems, and the submission fields it gives when it has none."""
        problems: list[str] = []

        def text(name: str) -> str:
            value = row.get(name)
            return "" if value is None else str(value).strip()

        def wrong(name: str, message: str) -> None:
            problems.append(f"baris {number}, kolom {name}: {message}")

        sop_def = compiled.sop
        agency = text("instansi") or None
        tz = self.runtime.calendars.for_zone(self.runtime.zones.of(agency or actor.agency), True).tzinfo
        fields: dict[str, Any] = {
            "title": text("judul"),
            "description": text("isi"),
            "sop": sop,
            "channel": text("kanal") or "manual",
            "category": None,
            "classification": None,
            "anonymous": False,
            "confidential": False,
            "agency": agency,
            "reporter_id": text("id_pelapor") or None,
            "reporter_name": text("nama_pelapor") or None,
            "attributes": {},
            "external_id": text("id_eksternal") or fingerprint(row),
        }
        if not fields["title"]:
            wrong("judul", "wajib diisi")
        received = parse_date(row.get("tanggal_diterima"), tz) if text("tanggal_diterima") else None
        if not text("tanggal_diterima"):
            wrong("tanggal_diterima", "wajib diisi (dd/mm/yyyy)")
        elif received is None:
            wrong("tanggal_diterima", f"{text('tanggal_diterima')!r} bukan tanggal (dd/mm/yyyy, jam HH:MM boleh)")
        else:
            try:
                fields["received_at"] = self.intake.receipt(received, now)
            except InvalidData:
                shown = f"{received:%d/%m/%Y %H:%M}"
                if received > now:
                    wrong("tanggal_diterima", f"{shown!r} belum terjadi (sekarang {now.astimezone(tz):%d/%m/%Y %H:%M})")
                else:
                    days = self.intake.backdate_limit.days
                    wrong("tanggal_diterima", f"{shown!r} lebih dari {days} hari yang lalu")
        for column, name, options in (
            ("klasifikasi", "classification", sop_def.classifications),
            ("kategori", "category", sop_def.categories),
        ):
            if text(column):
                chosen = _choice(text(column), options) if options else text(column)
                if chosen is None:
                    wrong(column, f"{text(column)!r} tidak dikenal; pilih salah satu: {', '.join(options)}")
                fields[name] = chosen
        for column, name in (("anonim", "anonymous"), ("rahasia", "confidential")):
            flag = _YES.get(text(column).lower())
            if flag is None:
                wrong(column, f"{text(column)!r} bukan ya/tidak")
            fields[name] = bool(flag)
        if len(str(fields["external_id"])) > 128:
            wrong("id_eksternal", "lebih dari 128 karakter")
        if not problems:
            try:
                self.intake.check(compiled, actor, fields, now)
            except Sp4nError as exc:
                problems.append(f"baris {number}: {exc}")
        status: Literal["new", "wrong"] = "wrong" if problems else "new"
        return RowResult(number, fields["title"], status, problems=problems), fields

    def _flag_duplicates(self, results: list[RowResult], fields_of: dict[int, dict[str, Any]], days: int) -> None:
        """Warn of rows whose reporter sent a similar title within ``days`` (in the book, or stored)."""
        window = timedelta(days=days)
        rows = [(r, fields_of[r.row]) for r in results if r.status == "new" and r.row in fields_of]
        stored = self._stored_by_reporter([f for _, f in rows], window)
        for i, (result, fields) in enumerate(rows):
            who = fields["reporter_id"] or fields["reporter_name"]
            if who is None:
                continue
            for other, theirs in rows[:i]:
                if (theirs["reporter_id"] or theirs["reporter_name"]) == who and _similar(fields, theirs, window):
                    result.warnings.append(f"baris {result.row}: mungkin sama dengan baris {other.row}")
            for complaint in stored.get(fields["reporter_id"], ()):
                if _similar(fields, {"title": complaint.title, "received_at": complaint.submitted_at}, window):
                    result.warnings.append(f"baris {result.row}: mungkin sama dengan {complaint.tracking_number}")

    def _stored_by_reporter(self, rows: list[dict[str, Any]], window: timedelta) -> dict[str, list[Complaint]]:
        """The stored reports of the rows' reporters received within ``window`` of the book's
        receipts, by reporter: one query for the whole book (at most 20 a reporter, oldest first)."""
        reporters = {f["reporter_id"] for f in rows if f["reporter_id"] is not None}
        if not reporters:
            return {}
        received = [f["received_at"] for f in rows if f["reporter_id"] is not None]
        query = ComplaintQuery(
            Visibility(everything=True),
            limit=20 * len(reporters),
            reporters=frozenset(reporters),
            submitted_from=min(received) - window,
            submitted_until=max(received) + window,
        )
        found: dict[str, list[Complaint]] = {}
        for complaint, _ in self.runtime.store.find(query):
            assert complaint.reporter_id is not None
            found.setdefault(complaint.reporter_id, []).append(complaint)
        return found


def _similar(a: Mapping[str, Any], b: Mapping[str, Any], window: timedelta) -> bool:
    close = abs(a["received_at"] - b["received_at"]) <= window
    ratio = difflib.SequenceMatcher(None, _key(a["title"]), _key(b["title"])).ratio()
    return close and ratio >= 0.8


def check_shape(rows: Sequence[Mapping[str, Any]], max_rows: int) -> None:
    """BookError for a book with no rows, too many, or columns missing or unknown."""
    if not rows:
        raise BookError(["buku kosong: tidak ada baris data"])
    if len(rows) > max_rows:
        raise BookError([f"buku berisi {len(rows)} baris; paling banyak {max_rows} per buku"])
    names = set().union(*(set(r) for r in rows))
    unknown = sorted(n for n in names if n not in COLUMNS)
    missing = [n for n in REQUIRED if n not in names]
    problems = []
    if missing:
        problems.append(f"kolom wajib tidak ada: {', '.join(missing)}")
    if unknown:
        problems.append(f"kolom tidak dikenal: {', '.join(unknown)}; kolom yang dikenal: {', '.join(COLUMNS)}")
    if problems:
        raise BookError(problems)
