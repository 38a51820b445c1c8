"""``sp4n report``: the KPIs of a period as a terminal table, CSV, XLSX or JSON, or a chart.

It reads the database at ``--url`` (as the national admin, or as an admin of ``--agency`` and
its tree) and counts at the time it runs. ``--chart trend`` draws received and completed per
week of the period, ``--chart league`` the agencies by completion rate; both as SVG.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sp4n.errors import InvalidArgumentError

URL_HELP = "sqlite:///file.db or postgresql+psycopg://user@host/db"
FORMATS = ("table", "csv", "xlsx", "json")


def add_report_command(groups: Any) -> None:
    """Add ``report`` to the top-level parser's groups."""
    report = groups.add_parser("report", help="KPIs of a period: table, CSV, XLSX, JSON or an SVG chart")
    report.add_argument("--url", required=True, help=URL_HELP)
    report.add_argument("--period", required=True, help="2026-11-29, 2026-W14, 2026-03, 2026-Q1, 2026-H1 or 2026")
    report.add_argument("--by", action="append", default=[], help="a split (repeatable): agency, category, ...")
    report.add_argument("--format", choices=FORMATS, default="table")
    report.add_argument("--chart", choices=("trend", "league"), help="draw a chart (SVG) instead of a table")
    report.add_argument("--out", type=Path, help="write to this file (xlsx and charts need one)")
    report.add_argument("--agency", help="report as an admin of this agency: its tree only")
    report.set_defaults(handler=run_report)


def run_report(args: argparse.Namespace) -> int:
    """Compute the report and write it where asked."""
    from sp4n.persistence.connect import require_existing
    from sp4n.reports import kpis
    from sp4n.reports.charts import league_svg, trend_svg
    from sp4n.reports.export import to_csv, to_json, to_rich, write_xlsx
    from sp4n.workflow import Actor, Engine

    needs_file = args.chart is not None or args.format == "xlsx"
    if needs_file and args.out is None:
        raise InvalidArgumentError("--out", None, "a file to write the chart or the workbook to")
    actor = Actor.agency_admin("sp4n-report", args.agency) if args.agency else Actor.national_admin("sp4n-report")
    by = ["week"] if args.chart == "trend" else ["agency"] if args.chart == "league" else args.by
    require_existing(args.url, "a report")
    engine = Engine(sops=(), database_url=args.url)  # reads only: the SOPs stored are known
    try:
        report = kpis(engine, actor, period=args.period, by=by)
    finally:
        engine.close()
    if args.chart is not None:
        svg = trend_svg(report) if args.chart == "trend" else league_svg(report)
        _write(args.out, lambda: args.out.write_text(svg, encoding="utf-8"))
        print(f"{args.chart} chart of {report.period.label} written to {args.out}")
        return 0
    if args.format == "xlsx":
        _write(args.out, lambda: write_xlsx(report, args.out))
        print(f"KPIs of {report.period.label} written to {args.out}")
        return 0
    if args.format == "table":
        from rich.console import Console

        Console(file=sys.stdout, width=200).print(to_rich(report))
        return 0
    text = to_csv(report) if args.format == "csv" else to_json(report)
    if args.out is not None:
        _write(args.out, lambda: args.out.write_text(text, encoding="utf-8"))
        print(f"KPIs of {report.period.label} written to {args.out}")
    else:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
    return 0


def _write(path: Path, write: Callable[[], object]) -> None:
    """Run ``write``; a file that cannot be written is an error naming --out, not a traceback."""
    try:
        write()
    except OSError as exc:
        raise InvalidArgumentError("--out", str(path), f"a file that can be written ({exc.strerror or exc})") from None
