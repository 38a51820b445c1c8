"""Charts of a report as SVG, written directly (no plotting library, nothing to install):

- :func:`trend_svg`: complaints received and completed per time bucket (a report split by
  ``week``, or any one time dimension), as bars;
- :func:`league_svg`: the league table of agencies (a report split by ``agency``), completion
  rate as horizontal bars, best first, with the mean working days to follow-up beside each.

Every label is XML-escaped, so a name from the data cannot inject markup into the page.
"""

from __future__ import annotations

from xml.sax.saxutils import escape

from sp4n.errors import InvalidData
from sp4n.reports.model import Dimension, Report, Stage

_TIME = {Dimension.DAY, Dimension.WEEK, Dimension.MONTH, Dimension.QUARTER, Dimension.HALF, Dimension.YEAR}
_FONT = 'font-family="sans-serif" font-size="12"'


def _svg(width: int, height: int, title: str, body: list[str]) -> str:
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title, {chr(34): "&quot;"})}">'
    )
    return "\n".join(
        [
            head,
            f"<title>{escape(title)}</title>",
            f'<rect width="{width}" height="{height}" fill="white"/>',
            *body,
            "</svg>\n",
        ]
    )


def trend_svg(report: Report) -> str:
    """Received and completed per time bucket, as grouped bars."""
    if len(report.by) != 1 or report.by[0] not in _TIME:
        raise InvalidData("by", [d.value for d in report.by], "one time dimension (e.g. week) for a trend")
    dim = report.by[0].value
    rows = [r for r in report.rows if r.key.get(dim) is not None]
    top = max([r.received for r in rows] + [1])
    slot, chart_h, left, base = 48, 220, 50, 260
    width = left + slot * max(len(rows), 1) + 20
    title = escape(f"Complaints per {dim}, {report.period.label}")
    body = [f'<text x="{left}" y="20" {_FONT} font-weight="bold">{title}</text>']
    body.append(f'<line x1="{left}" y1="{base}" x2="{width - 10}" y2="{base}" stroke="black"/>')
    for i, row in enumerate(rows):
        x = left + i * slot + 6
        for j, (value, color) in enumerate(((row.received, "#4e79a7"), (row.stage(Stage.COMPLETED), "#59a14f"))):
            h = round(chart_h * value / top)
            bar = f'x="{x + j * 17}" y="{base - h}" width="16" height="{h}" fill="{color}"'
            body.append(f"<rect {bar}><title>{value}</title></rect>")
        label = escape(str(row.key[dim]))
        body.append(f'<text x="{x}" y="{base + 14}" font-family="sans-serif" font-size="9">{label}</text>')
    legend = '<tspan fill="#4e79a7">&#9632; received</tspan> <tspan fill="#59a14f">&#9632; selesai (completed)</tspan>'
    body.append(f'<text x="{left}" y="{base + 34}" {_FONT}>{legend}</text>')
    return _svg(width, base + 44, f"Trend {report.period.label}", body)


def league_svg(report: Report) -> str:
    """Agencies by completion rate, best first, with the mean working days to follow-up."""
    if Dimension.AGENCY not in report.by or len(report.by) != 1:
        raise InvalidData("by", [d.value for d in report.by], "agency alone, for a league table")
    rows = [r for r in report.rows if r.key.get("agency") is not None and r.received]
    rows.sort(key=lambda r: (-(r.completion_rate or 0.0), str(r.key["agency"])))
    left, bar, line_h = 200, 300, 22
    height = 50 + line_h * max(len(rows), 1)
    title = escape(f"League table, {report.period.label}: completion rate")
    body = [f'<text x="10" y="20" {_FONT} font-weight="bold">{title}</text>']
    for i, row in enumerate(rows):
        y = 36 + i * line_h
        rate = row.completion_rate or 0.0
        mean = row.to_follow_up.mean
        follow = "-" if mean is None else f"{mean:.1f}"
        body.append(f'<text x="10" y="{y + 13}" {_FONT}>{escape(str(row.key["agency"]))}</text>')
        body.append(f'<rect x="{left}" y="{y}" width="{round(bar * rate)}" height="16" fill="#59a14f"/>')
        note = f"{rate:.1%} ({row.received}; {follow} wd to follow-up)"
        body.append(f'<text x="{left + bar + 8}" y="{y + 13}" {_FONT}>{note}</text>')
    return _svg(left + bar + 260, height, f"League {report.period.label}", body)
