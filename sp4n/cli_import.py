"""``sp4n import``: a manual form book from a CSV or XLSX file, and ``sp4n import template``.

The file is read whole and checked before anything is written: a file that is not CSV or XLSX,
a CSV that is not UTF-8, an empty one, one of more rows than a book holds, spreadsheet formulas
or merged cells are refused with the reason, as are missing or unknown columns and wrong rows
(see :mod:`sp4n.workflow.book`). A progress bar (rich, which also draws the summary table) shows
while the rows are checked, on a terminal.
"""

from __future__ import annotations

import argparse
import csv
import io
from pathlib import Path
from typing import Any

from sp4n.errors import BookError
from sp4n.workflow.book import COLUMNS

_CSV = (".csv",)
_XLSX = (".xlsx", ".xlsm")


def add_import_command(groups: Any) -> None:
    """``sp4n import FILE --url URL [--dry-run] [--partial]`` and ``sp4n import template``."""
    command = groups.add_parser("import", help="take in a manual form book (CSV or XLSX); `import template` writes one")
    command.add_argument("file", help="the book (.csv or .xlsx), or `template`")
    command.add_argument("--url", help="the database (sqlite:///file.db or postgresql+psycopg://...)")
    command.add_argument("--dry-run", action="store_true", help="check every row, write nothing")
    command.add_argument("--partial", action="store_true", help="write the good rows, report the wrong ones")
    command.add_argument("--admin", default="admin-buku", help="id of the admin entering the book")
    command.add_argument("--agency", help="the admin's agency (an agency admin); a national admin without it")
    command.add_argument("--sop", default="national", help="the SOP the complaints follow (default national)")
    command.add_argument("--output", default="buku-manual.csv", help="where `import template` writes (.csv or .xlsx)")
    command.set_defaults(handler=run_import)


def write_template(path: Path) -> None:
    """An empty book with the Indonesian column names (CSV, or XLSX by the suffix)."""
    if path.suffix.lower() in _XLSX:
        from openpyxl import Workbook

        book = Workbook()
        sheet = book.active
        assert sheet is not None
        sheet.title = "buku_manual"
        sheet.append(list(COLUMNS))
        notes = book.create_sheet("petunjuk")
        for name, meaning in COLUMNS.items():
            notes.append([name, meaning])
        book.save(path)
        return
    with path.open("w", encoding="utf-8", newline="") as out:
        csv.writer(out).writerow(list(COLUMNS))


def read_book(path: Path) -> list[dict[str, Any]]:
    """The rows of a book file, keyed by column name (blank rows left out); BookError when the
    file cannot be a book."""
    name = path.name
    if not path.is_file():
        raise BookError([f"berkas {name!r} tidak ada"])
    suffix = path.suffix.lower()
    if suffix in _CSV:
        return _read_csv(path)
    if suffix in _XLSX:
        return _read_xlsx(path)
    raise BookError([f"berkas {name!r} bukan CSV atau XLSX (akhiran .csv atau .xlsx)"])


def _rows(header: list[Any], body: list[list[Any]], name: str) -> list[dict[str, Any]]:
    if not header or all(h is None or str(h).strip() == "" for h in header):
        raise BookError([f"berkas {name!r} kosong: tidak ada baris judul kolom"])
    names = [str(h).strip().lower() if h is not None else "" for h in header]
    rows = []
    for values in body:
        if all(v is None or str(v).strip() == "" for v in values):
            continue
        rows.append({n: v for n, v in zip(names, values, strict=False) if n})
    return rows


def _read_csv(path: Path) -> list[dict[str, Any]]:
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        bad = data[exc.start : exc.start + 1].hex()
        raise BookError(
            [f"berkas {path.name!r} bukan UTF-8 (byte 0x{bad} di posisi {exc.start}); simpan ulang sebagai CSV UTF-8"]
        ) from None
    lines = list(csv.reader(io.StringIO(text)))
    if not lines:
        raise BookError([f"berkas {path.name!r} kosong"])
    return _rows(lines[0], [list(line) for line in lines[1:]], path.name)


def _read_xlsx(path: Path) -> list[dict[str, Any]]:
    from zipfile import BadZipFile

    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = load_workbook(path, data_only=False)
    except (BadZipFile, InvalidFileException, KeyError, OSError):
        raise BookError([f"berkas {path.name!r} bukan XLSX yang dapat dibaca"]) from None
    sheet = book.worksheets[0]
    problems = [f"sel gabungan {r} tidak diterima; pisahkan selnya" for r in sheet.merged_cells.ranges]
    cells = [list(row) for row in sheet.iter_rows()]
    for row in cells:
        for cell in row:
            if cell.data_type == "f":
                formula = f"rumus {cell.value!r} tidak diterima; tempel sebagai nilai"
                problems.append(f"baris {cell.row}, sel {cell.coordinate}: {formula}")
    if problems:
        raise BookError(problems)
    if not cells:
        raise BookError([f"berkas {path.name!r} kosong"])
    return _rows([c.value for c in cells[0]], [[c.value for c in row] for row in cells[1:]], path.name)


def _with_sop(engine: Any, sop: str) -> None:
    """The SOP the database has active, or the built-in one of that name on a database without it."""
    from sp4n.errors import SopNotFoundError
    from sp4n.states.loader import resolve_sop

    engine.runtime.refresh()
    try:
        engine.registry.get(sop)
    except SopNotFoundError:
        engine.register(resolve_sop(sop))


def run_import(args: argparse.Namespace) -> int:
    """Handle ``sp4n import``."""
    from rich.console import Console
    from rich.progress import Progress
    from rich.table import Table

    from sp4n.workflow.actor import Actor
    from sp4n.workflow.engine import Engine

    if args.file == "template":
        write_template(Path(args.output))
        print(f"template ditulis: {args.output}")
        return 0
    if not args.url:
        raise BookError(["--url wajib: basis data tempat buku disimpan"])
    rows = read_book(Path(args.file))
    actor = Actor.agency_admin(args.admin, args.agency) if args.agency else Actor.national_admin(args.admin)
    engine = Engine(sops=(), database_url=args.url)
    console = Console()
    try:
        _with_sop(engine, args.sop)
        with Progress(console=Console(stderr=True), transient=True, disable=len(rows) < 20) as bar:
            task = bar.add_task("memeriksa baris", total=len(rows))
            result = engine.import_book(
                rows,
                actor,
                sop=args.sop,
                partial=args.partial,
                dry_run=args.dry_run,
                progress=lambda done: bar.update(task, completed=done),
            )
    finally:
        engine.close()
    table = Table(title="Buku manual" + (" (uji, tidak disimpan)" if args.dry_run else ""))
    for column in ("baris", "judul", "hasil", "nomor pelacakan", "catatan"):
        table.add_column(column)
    words = {"new": "baru" if result.written else "akan dibuat", "known": "sudah ada", "wrong": "salah"}
    for r in result.rows:
        table.add_row(str(r.row), r.title, words[r.status], r.tracking_number or "", "; ".join(r.problems + r.warnings))
    console.print(table)
    new = result.count("new") if result.written else 0
    print(f"baru: {new}, sudah ada: {result.count('known')}, salah: {result.count('wrong')}")
    return 0
