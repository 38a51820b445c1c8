"""A report as a flat table: for the terminal (rich), CSV and XLSX files for the ministry, JSON.

The table has one line per row of the report and a last line with the total (only that one
for a report not split); its columns are the split's keys, then the figures of
:data:`COLUMNS`, then the met rate of each clock. Text
cells that a spreadsheet would read as a formula (starting with ``=``, ``+``, ``-``, ``@``, a tab
or a carriage return) are written with a leading apostrophe, so an agency or staff name cannot
smuggle a formula into the ministry's workbook (CSV injection).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from sp4n.reports.model import Report, ReportRow, Stage

Cell = str | int | float | None


def _stage_count(stage: Stage) -> Callable[[ReportRow], Cell]:
    return lambda row: row.stage(stage)


COLUMNS: Sequence[tuple[str, Callable[[ReportRow], Cell]]] = (
    ("received", lambda r: r.received),
    *[(s.value, _stage_count(s)) for s in Stage],
    ("completion_rate", lambda r: _round(r.completion_rate)),
    ("days_to_verification_mean", lambda r: _round(r.to_verification.mean)),
    ("days_to_verification_median", lambda r: r.to_verification.median),
    ("days_to_verification_p90", lambda r: r.to_verification.p90),
    ("days_to_distribution_mean", lambda r: _round(r.to_distribution.mean)),
    ("days_to_follow_up_mean", lambda r: _round(r.to_follow_up.mean)),
    ("days_to_follow_up_median", lambda r: r.to_follow_up.median),
    ("days_to_follow_up_p90", lambda r: r.to_follow_up.p90),
    ("escalated", lambda r: r.escalated),
    ("referred", lambda r: r.referred),
    ("closed_without_reply", lambda r: r.closed_without_reply),
    ("replied", lambda r: r.replied),
    ("backlog", lambda r: sum(r.backlog.values())),
)
"""The figures of the flat table, after the keys (docs/reports.md defines each)."""

TOTAL = "TOTAL"
"""The key cell of the total line."""

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _round(x: float | None) -> float | None:
    return None if x is None else round(x, 4)


def escape_cell(value: Cell) -> Cell:
    """``value`` safe for a spreadsheet: text that would start a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def table(report: Report) -> tuple[list[str], list[list[Cell]]]:
    """The header and the lines of the flat table (cells not escaped)."""
    clocks = sorted(report.total.clocks)
    header = [d.value for d in report.by] + [name for name, _ in COLUMNS] + [f"{c}_met_rate" for c in clocks]

    def line(row: ReportRow, keys: list[Cell]) -> list[Cell]:
        rates: list[Cell] = [_round(row.clocks[c].met_rate) if c in row.clocks else None for c in clocks]
        return keys + [get(row) for _, get in COLUMNS] + rates

    if not report.by:  # the one group is the total
        return ["scope", *header], [line(report.total, [TOTAL])]
    lines = [line(r, [r.key.get(d.value) for d in report.by]) for r in report.rows]
    lines.append(line(report.total, [TOTAL] + [None] * (len(report.by) - 1)))
    return header, lines


def to_csv(report: Report) -> str:
    """The flat table as CSV text (cells escaped)."""
    header, lines = table(report)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for cells in lines:
        writer.writerow(["" if c is None else escape_cell(c) for c in cells])
    return out.getvalue()


def write_xlsx(report: Report, path: str | Path) -> None:
    """The flat table as an XLSX workbook (one sheet, cells escaped, numbers as numbers)."""
    from openpyxl import Workbook

    header, lines = table(report)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = f"KPI {report.period.label}"
    sheet.append(header)
    for cells in lines:
        sheet.append([escape_cell(c) for c in cells])
    book.save(path)


def to_json(report: Report) -> str:
    """The report as JSON text (what ``GET /v1/reports/kpis`` answers)."""
    return json.dumps(report.to_dict(), ensure_ascii=False, indent=2)


def to_rich(report: Report) -> Any:
    """The flat table as a :class:`rich.table.Table` for the terminal."""
    from rich.markup import escape
    from rich.table import Table

    header, lines = table(report)
    shown = Table(title=f"KPI {report.period.label} (as of {report.as_of})")
    for name in header:
        shown.add_column(name.replace("_", " "), overflow="fold")
    for cells in lines:
        shown.add_row(*["" if c is None else escape(str(c)) for c in cells])
    return shown
