"""KPI reports: what agencies are measured on, summed up from the read model in SQL.

``kpis(engine, actor, period="2026-Q1", by=["agency"])`` gives a :class:`Report` of the
complaints received in the period, one :class:`ReportRow` per group; docs/reports.md defines
every figure. Exports (CSV, XLSX, JSON, a terminal table) and SVG charts are in
:mod:`sp4n.reports.export` and :mod:`sp4n.reports.charts`.
"""

from sp4n.reports.kpis import kpis as kpis
from sp4n.reports.model import AGE_BUCKETS as AGE_BUCKETS
from sp4n.reports.model import ClockFigures as ClockFigures
from sp4n.reports.model import Dimension as Dimension
from sp4n.reports.model import Durations as Durations
from sp4n.reports.model import Report as Report
from sp4n.reports.model import ReportRow as ReportRow
from sp4n.reports.model import Stage as Stage
from sp4n.reports.period import Period as Period
from sp4n.reports.period import Unit as Unit

__all__ = [
    "AGE_BUCKETS",
    "ClockFigures",
    "Dimension",
    "Durations",
    "Period",
    "Report",
    "ReportRow",
    "Stage",
    "Unit",
    "kpis",
]
