"""Exports of a report: the flat table, CSV and XLSX with formula-looking text escaped, JSON,
the terminal table, and the SVG charts with their labels escaped."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from xml.etree import ElementTree

import pytest
from openpyxl import load_workbook
from rich.console import Console

from sp4n.errors import InvalidData
from sp4n.reports import ClockFigures, Dimension, Durations, Period, Report, ReportRow, Stage, Unit
from sp4n.reports.charts import league_svg, trend_svg
from sp4n.reports.export import escape_cell, table, to_csv, to_json, to_rich, write_xlsx

HOSTILE = ('=HYPERLINK("http://x")', "+1+2", "-3", "@SUM(A1)", "\tTAB", "<script>alert(1)</script>")


def row(agency: str | None, done: int, waiting: int) -> ReportRow:
    return ReportRow(
        key={"agency": agency},
        states={"closed": done, "distributed": waiting},
        stages={Stage.COMPLETED: done, Stage.NOT_FOLLOWED_UP: waiting},
        to_follow_up=Durations(((3, done),)),
        clocks={"verification": ClockFigures(met=done, breached=waiting)},
    )


def report(*agencies: str) -> Report:
    rows = tuple(row(a, 3, 1) for a in agencies)
    total = ReportRow()
    for r in rows:
        total = total + r
    return Report(Period.parse("2026-Q1"), (Dimension.AGENCY,), "2026-04-01T00:00:00+00:00", rows, total)


@pytest.mark.parametrize("value", HOSTILE[:5])
def test_a_formula_looking_text_is_escaped(value: str) -> None:
    assert escape_cell(value) == "'" + value


def test_plain_text_and_numbers_are_left_alone() -> None:
    assert [escape_cell(v) for v in ("dinkes", -3, 0.5, None, "")] == ["dinkes", -3, 0.5, None, ""]


def test_the_flat_table_has_a_total_line() -> None:
    header, lines = table(report("dinkes", "disdik"))
    assert header[:3] == ["agency", "received", "selesai"]
    assert header[-1] == "verification_met_rate"
    assert lines[-1][:3] == ["TOTAL", 8, 6]
    assert lines[-1][header.index("completion_rate")] == 0.75
    assert lines[-1][header.index("days_to_follow_up_mean")] == 3.0


def test_csv_escapes_every_hostile_cell() -> None:
    text = to_csv(report(*HOSTILE))
    cells = [line[0] for line in csv.reader(io.StringIO(text))][1:-1]
    assert cells == ["'" + v for v in HOSTILE[:5]] + [HOSTILE[5]]


def test_xlsx_escapes_and_keeps_numbers(tmp_path: Path) -> None:
    path = tmp_path / "kpi.xlsx"
    write_xlsx(report(*HOSTILE), path)
    sheet = load_workbook(path).active
    assert sheet is not None
    values = [[c.value for c in r] for r in sheet.iter_rows()]
    assert [v[0] for v in values[1:6]] == ["'" + v for v in HOSTILE[:5]]
    assert values[-1][:3] == ["TOTAL", 24, 18]
    assert sheet.title == "KPI 2026-Q1"


def test_json_and_the_terminal_table() -> None:
    assert json.loads(to_json(report("dinkes")))["total"]["stages"]["selesai"] == 3
    console = Console(file=io.StringIO(), width=2000)
    console.print(to_rich(report("[bold]dinkes[/bold]")))
    out = console.file.getvalue()  # type: ignore[attr-defined]
    assert "[bold]dinkes[/bold]" in out
    assert "TOTAL" in out


def test_the_league_table_escapes_names_and_ranks_by_completion() -> None:
    rep = report("b_dinas", "<script>alert(1)</script>")
    rows = (row("low", 1, 3), row("high", 4, 0))
    svg = league_svg(Report(rep.period, rep.by, rep.as_of, rows, rep.total))
    root = ElementTree.fromstring(svg)
    texts = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert texts.index("high") < texts.index("low")
    assert "<script>" not in league_svg(rep)
    assert "&lt;script&gt;" in league_svg(rep)


def test_a_trend_has_a_bar_pair_per_bucket_and_needs_a_time_split() -> None:
    weeks = Period.parse("2026-03").split(Unit.WEEK)
    rows = tuple(ReportRow(key={"week": w.label}, states={"closed": 2}, stages={Stage.COMPLETED: 2}) for w in weeks)
    rep = Report(Period.parse("2026-03"), (Dimension.WEEK,), "x", rows, ReportRow())
    root = ElementTree.fromstring(trend_svg(rep))
    bars = [r for r in root.iter("{http://www.w3.org/2000/svg}rect") if r.get("width") == "16"]
    assert len(bars) == 2 * len(weeks) == 12
    with pytest.raises(InvalidData, match=r"by=\['agency'\] is invalid: one time dimension"):
        trend_svg(report("dinkes"))
    with pytest.raises(InvalidData, match=r"by=\['week'\] is invalid: agency alone"):
        league_svg(rep)
