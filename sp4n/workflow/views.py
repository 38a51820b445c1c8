"""What the engine hands back: complaint views (with privacy applied), deadlines and firings."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any, Literal

from sp4n.calendars.due import Due, format_date, zone_label
from sp4n.calendars.duration import Duration
from sp4n.persistence.records import ClockStatus, Complaint
from sp4n.states.model import Role, Sop

HIDDEN = "(anonim)"

_SEES_REPORTER = frozenset({Role.REPORTER, Role.NATIONAL_ADMIN, Role.OMBUDSMAN, Role.SYSTEM})


@dataclass(frozen=True)
class ComplaintView:
    """A complaint as one viewer may see it.

    The reporter's identity is hidden from agency staff when the report is anonymous (anonim);
    the public never sees it, and cannot see a confidential (rahasia) report at all.
    """

    id: str
    tracking_number: str
    state: str
    state_label_id: str
    state_label_en: str
    terminal: bool
    sop_id: str
    sop_version: str
    title: str
    description: str
    channel: str
    classification: str | None
    category: str | None
    reporter_id: str | None
    reporter_name: str | None
    anonymous: bool
    confidential: bool
    agency: str | None
    unit: str | None
    official: str | None
    zone: str
    submitted_at: datetime
    updated_at: datetime
    version: int

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready data (instants as ISO strings)."""
        data = asdict(self)
        data["submitted_at"] = self.submitted_at.isoformat()
        data["updated_at"] = self.updated_at.isoformat()
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ComplaintView:
        """The inverse of :meth:`to_dict`."""
        values = dict(data)
        values["submitted_at"] = datetime.fromisoformat(values["submitted_at"])
        values["updated_at"] = datetime.fromisoformat(values["updated_at"])
        return cls(**values)


def make_view(complaint: Complaint, sop: Sop, viewer: Role | None) -> ComplaintView:
    """The view of ``complaint`` for a viewer of role ``viewer`` (None for the public)."""
    state = sop.state(complaint.state)
    hide = viewer is None or (complaint.anonymous and viewer not in _SEES_REPORTER)
    return ComplaintView(
        id=complaint.id,
        tracking_number=complaint.tracking_number,
        state=complaint.state,
        state_label_id=state.label_id,
        state_label_en=state.label_en,
        terminal=state.terminal,
        sop_id=complaint.sop_id,
        sop_version=complaint.sop_version,
        title=complaint.title,
        description=complaint.description,
        channel=complaint.channel,
        classification=complaint.classification,
        category=complaint.category,
        reporter_id=None if hide else complaint.reporter_id,
        reporter_name=HIDDEN if hide and complaint.anonymous else (None if hide else complaint.reporter_name),
        anonymous=complaint.anonymous,
        confidential=complaint.confidential,
        agency=complaint.agency,
        unit=complaint.unit,
        official=complaint.official,
        zone=complaint.zone,
        submitted_at=complaint.submitted_at,
        updated_at=complaint.updated_at,
        version=complaint.version,
    )


@dataclass(frozen=True)
class Deadline:
    """A clock of a complaint as it stands: its budget, what is used, and when it is due."""

    clock: str
    label_id: str
    label_en: str
    status: ClockStatus
    budget: Duration
    extended_by: int
    consumed: int
    generation: int
    due: Due | None
    rungs: tuple[tuple[str, datetime], ...]

    def explain(self, lang: Literal["id", "en"] = "en") -> str:
        """The clock's label and state, then the explained due date when it runs."""
        label = self.label_en if lang == "en" else self.label_id
        if self.due is None:
            status = {
                "en": f"{self.status.value}",
                "id": {"paused": "dijeda", "stopped": "berhenti"}.get(self.status.value, self.status.value),
            }[lang]
            return f"{label} ({self.clock}): {status}, {self.consumed} used of {self.budget}"
        head = f"{label} ({self.clock}), {self.budget}" + (f" + {self.extended_by}" if self.extended_by else "")
        when = format_date(self.due.local_date, lang)
        zone = zone_label(self.due.zone)
        return f"{head}: due {when} ({zone})\n{self.due.explain(lang)}"


@dataclass(frozen=True)
class Firing:
    """What happened to one due timer when the engine processed it."""

    timer_id: str
    complaint_id: str
    clock: str
    rung: str
    due_at: datetime
    processed_at: datetime
    outcome: Literal["fired", "emitted", "stale", "missed", "failed"]
    trigger: str | None = None
    lateness_seconds: float = 0.0
    error: str | None = None
