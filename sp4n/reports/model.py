"""What a KPI report holds: one :class:`ReportRow` of figures per group, and their total.

Every figure is a count or is computed from counts (histograms of whole working days), so rows
add up exactly: an agency's row rolled up from its sub-agencies gives the same mean, median and
90th percentile as if its complaints had been counted together. docs/reports.md defines each one.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from sp4n.reports.period import Period


class Stage(StrEnum):
    """Where a complaint stands, in the four groups of KemenPANRB's evaluation (seed 001)."""

    COMPLETED = "selesai"
    IN_PROCESS = "dalam_proses"
    UNVERIFIED = "belum_terverifikasi"
    NOT_FOLLOWED_UP = "belum_ditindaklanjuti"


class Dimension(StrEnum):
    """What a report may be split by: a complaint's attribute, the staff member who acted, or
    the time bucket (of its receipt) in the period."""

    AGENCY = "agency"
    CATEGORY = "category"
    CHANNEL = "channel"
    CLASSIFICATION = "classification"
    SOP = "sop"
    ZONE = "zone"
    ADMIN = "admin"
    LIAISON_OFFICER = "liaison_officer"
    DAY = "day"
    WEEK = "week"
    MONTH = "month"
    QUARTER = "quarter"
    HALF = "half"
    YEAR = "year"


AGE_BUCKETS = ((0, "0-3"), (4, "4-5"), (6, "6-14"), (15, "15-60"), (61, ">60"))
"""The backlog's age buckets: (first working day of age, label)."""


@dataclass(frozen=True)
class Durations:
    """Working days from receipt to one step, over the complaints that reached it."""

    histogram: tuple[tuple[int, int], ...] = ()
    """(working days, complaints), by working days."""

    @property
    def count(self) -> int:
        """How many complaints reached the step (with a counted duration)."""
        return sum(n for _, n in self.histogram)

    @property
    def mean(self) -> float | None:
        """The average, None without complaints."""
        n = self.count
        return sum(d * k for d, k in self.histogram) / n if n else None

    def percentile(self, p: float) -> int | None:
        """The nearest-rank ``p``-th percentile: the least value that at least ``p``% of the
        complaints do not exceed (None without complaints)."""
        n = self.count
        if not n:
            return None
        rank = max(1, math.ceil(p / 100 * n))
        seen = 0
        for days, k in self.histogram:
            seen += k
            if seen >= rank:
                return days
        raise AssertionError("unreachable: the ranks add up to n")

    @property
    def median(self) -> int | None:
        """The nearest-rank median (the lower middle of an even count)."""
        return self.percentile(50)

    @property
    def p90(self) -> int | None:
        """The nearest-rank 90th percentile."""
        return self.percentile(90)

    def __add__(self, other: Durations) -> Durations:
        merged = Counter(dict(self.histogram))
        merged.update(dict(other.histogram))
        return Durations(tuple(sorted(merged.items())))

    def to_dict(self) -> dict[str, Any]:
        """Count, mean, median and p90, for JSON."""
        mean = self.mean
        return {
            "count": self.count,
            "mean": None if mean is None else round(mean, 4),
            "median": self.median,
            "p90": self.p90,
        }


@dataclass(frozen=True)
class ClockFigures:
    """The runs of one clock, counted as Jira Service Management counts SLA cycles: a run that
    stopped in time is met, one that stopped late or still runs past its due instant is breached;
    running in time and paused runs are open; runs ended without a verdict (a reset, an SOP
    migration) are left out."""

    met: int = 0
    breached: int = 0
    open: int = 0

    @property
    def met_rate(self) -> float | None:
        """met / (met + breached); None when no run has a verdict yet."""
        decided = self.met + self.breached
        return self.met / decided if decided else None

    def __add__(self, other: ClockFigures) -> ClockFigures:
        return ClockFigures(self.met + other.met, self.breached + other.breached, self.open + other.open)

    def to_dict(self) -> dict[str, Any]:
        """The counts and the rate, for JSON."""
        rate = self.met_rate
        return {
            "met": self.met,
            "breached": self.breached,
            "open": self.open,
            "met_rate": None if rate is None else round(rate, 4),
        }


def _add_counts(a: dict[str, int], b: dict[str, int]) -> dict[str, int]:
    out = dict(a)
    for k, v in b.items():
        out[k] = out.get(k, 0) + v
    return out


@dataclass(frozen=True)
class ReportRow:
    """The figures of one group of complaints (those received in the period, in the asker's scope)."""

    key: dict[str, str | None] = field(default_factory=dict)
    """The group: a value per dimension of the report (None: not set, e.g. no agency yet)."""
    states: dict[str, int] = field(default_factory=dict)
    """Complaints by their state now."""
    stages: dict[Stage, int] = field(default_factory=dict)
    """Complaints by :class:`Stage`."""
    to_verification: Durations = Durations()
    to_distribution: Durations = Durations()
    to_follow_up: Durations = Durations()
    clocks: dict[str, ClockFigures] = field(default_factory=dict)
    backlog: dict[str, int] = field(default_factory=dict)
    """Complaints not finished, by age in working days (labels of :data:`AGE_BUCKETS`)."""
    escalated: int = 0
    referred: int = 0
    closed_without_reply: int = 0
    replied: int = 0

    @property
    def received(self) -> int:
        """Complaints received in the period."""
        return sum(self.states.values())

    def stage(self, stage: Stage) -> int:
        """Complaints at ``stage``."""
        return self.stages.get(stage, 0)

    def share(self, stage: Stage) -> float | None:
        """The share of the complaints received that are at ``stage`` (None without complaints)."""
        return self.stage(stage) / self.received if self.received else None

    @property
    def completion_rate(self) -> float | None:
        """Share of the complaints received that are finished (:attr:`Stage.COMPLETED`)."""
        return self.share(Stage.COMPLETED)

    def __add__(self, other: ReportRow) -> ReportRow:
        clocks = dict(self.clocks)
        for name, figures in other.clocks.items():
            clocks[name] = clocks.get(name, ClockFigures()) + figures
        stages = {s: self.stage(s) + other.stage(s) for s in Stage if self.stage(s) + other.stage(s)}
        return ReportRow(
            key=self.key,
            states=_add_counts(self.states, other.states),
            stages=stages,
            to_verification=self.to_verification + other.to_verification,
            to_distribution=self.to_distribution + other.to_distribution,
            to_follow_up=self.to_follow_up + other.to_follow_up,
            clocks=clocks,
            backlog=_add_counts(self.backlog, other.backlog),
            escalated=self.escalated + other.escalated,
            referred=self.referred + other.referred,
            closed_without_reply=self.closed_without_reply + other.closed_without_reply,
            replied=self.replied + other.replied,
        )

    def to_dict(self) -> dict[str, Any]:
        """Every figure, for JSON (rates and means rounded to 4 places)."""

        def rate(x: float | None) -> float | None:
            return None if x is None else round(x, 4)

        return {
            "key": dict(self.key),
            "received": self.received,
            "stages": {s.value: self.stage(s) for s in Stage},
            "shares": {s.value: rate(self.share(s)) for s in Stage},
            "completion_rate": rate(self.completion_rate),
            "states": dict(sorted(self.states.items())),
            "to_verification": self.to_verification.to_dict(),
            "to_distribution": self.to_distribution.to_dict(),
            "to_follow_up": self.to_follow_up.to_dict(),
            "clocks": {k: v.to_dict() for k, v in sorted(self.clocks.items())},
            "backlog": {label: self.backlog.get(label, 0) for _, label in AGE_BUCKETS},
            "escalated": self.escalated,
            "referred": self.referred,
            "closed_without_reply": self.closed_without_reply,
            "replied": self.replied,
        }


@dataclass(frozen=True)
class Report:
    """The KPIs of a period: a row per group (ordered by key), and the total of every complaint
    counted (each once, however the agency rows roll up)."""

    period: Period
    by: tuple[Dimension, ...]
    as_of: str
    """The instant (ISO 8601, UTC) open runs and backlog ages were measured at."""
    rows: tuple[ReportRow, ...]
    total: ReportRow

    def to_dict(self) -> dict[str, Any]:
        """The report for JSON (what ``GET /v1/reports/kpis`` answers)."""
        return {
            "period": self.period.label,
            "by": [d.value for d in self.by],
            "as_of": self.as_of,
            "rows": [r.to_dict() for r in self.rows],
            "total": self.total.to_dict(),
        }
