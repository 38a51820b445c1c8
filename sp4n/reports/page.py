"""A KPI report as one static HTML file: its tables and its SVG charts inline, no script, no
external asset, so it opens anywhere (a closed government network, an e-mail attachment).
Every cell is HTML-escaped; the charts escape their own labels."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from sp4n.reports.export import table
from sp4n.reports.model import Report

_STYLE = """
body { font-family: sans-serif; margin: 2em; color: #222; }
table { border-collapse: collapse; margin: 1em 0 2em; font-size: 12px; }
th, td { border: 1px solid #ccc; padding: 3px 6px; text-align: right; }
th:first-child, td:first-child { text-align: left; }
tr:last-child td { font-weight: bold; }
"""


def _table(report: Report) -> str:
    header, lines = table(report)
    head = "".join(f"<th>{escape(h.replace('_', ' '))}</th>" for h in header)
    rows = "".join(
        "<tr>" + "".join(f"<td>{'' if c is None else escape(str(c))}</td>" for c in cells) + "</tr>" for cells in lines
    )
    split = ", ".join(d.value for d in report.by) or "total"
    return f"<h2>{escape(report.period.label)} by {escape(split)}</h2>\n<table><tr>{head}</tr>{rows}</table>"


def report_page(title: str, reports: Sequence[Report], charts: Sequence[str] = ()) -> str:
    """The HTML page of ``reports`` (a table each) and ``charts`` (SVG texts)."""
    parts = [
        "<!DOCTYPE html>",
        '<html lang="id"><head><meta charset="utf-8">',
        f"<title>{escape(title)}</title><style>{_STYLE}</style></head><body>",
        f"<h1>{escape(title)}</h1>",
        '<p>Definitions of every figure: docs/reports.md. "wd" are working days.</p>',
        *[f"<figure>{svg}</figure>" for svg in charts],
        *[_table(r) for r in reports],
        "</body></html>\n",
    ]
    return "\n".join(parts)
