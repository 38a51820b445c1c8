"""Book files: the rows of a manual form book from CSV or XLSX bytes, and an empty template.

The file is read whole and checked before any row is: a file that is not CSV or XLSX, a CSV that
is not UTF-8, an empty one, spreadsheet formulas or merged cells are refused with the reason, in
Indonesian (:class:`~sp4n.errors.BookError`). ``sp4n import`` reads a file on disk; the HTTP
service reads an uploaded body; both end in :meth:`Engine.import_book`.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path, PurePath
from typing import Any

from sp4n.errors import BookError
from sp4n.workflow.book import COLUMNS

CSV_SUFFIXES = (".csv",)
XLSX_SUFFIXES = (".xlsx", ".xlsm")


def write_template(path: Path) -> None:
    """An empty book with the Indonesian column names (CSV, or XLSX by the suffix)."""
    if path.suffix.lower() in XLSX_SUFFIXES:
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
    if not path.is_file():
        raise BookError([f"berkas {path.name!r} tidak ada"])
    return parse_book(path.read_bytes(), path.name)


def parse_book(data: bytes, name: str) -> list[dict[str, Any]]:
    """The rows of a book's bytes, read as CSV or XLSX after the suffix of its file ``name``."""
    suffix = PurePath(name).suffix.lower()
    if suffix in CSV_SUFFIXES:
        return _read_csv(data, name)
    if suffix in XLSX_SUFFIXES:
        return _read_xlsx(data, name)
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


def _read_csv(data: bytes, name: str) -> list[dict[str, Any]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        bad = data[exc.start : exc.start + 1].hex()
        raise BookError(
            [f"berkas {name!r} bukan UTF-8 (byte 0x{bad} di posisi {exc.start}); simpan ulang sebagai CSV UTF-8"]
        ) from None
    reader = csv.reader(io.StringIO(text, newline=""))  # "" : \r, \n and \r\n all end a line
    try:
        lines = list(reader)
    except csv.Error as exc:
        raise BookError([f"berkas {name!r} bukan CSV yang dapat dibaca (baris {reader.line_num}: {exc})"]) from None
    if not lines:
        raise BookError([f"berkas {name!r} kosong"])
    return _rows(lines[0], [list(line) for line in lines[1:]], name)


def _read_xlsx(data: bytes, name: str) -> list[dict[str, Any]]:
    from zipfile import BadZipFile

    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = load_workbook(io.BytesIO(data), data_only=False)
    except (BadZipFile, InvalidFileException, KeyError, OSError):
        raise BookError([f"berkas {name!r} bukan XLSX yang dapat dibaca"]) from None
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
        raise BookError([f"berkas {name!r} kosong"])
    return _rows([c.value for c in cells[0]], [[c.value for c in row] for row in cells[1:]], name)
