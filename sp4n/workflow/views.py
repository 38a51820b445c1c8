"""What the engine hands back: complaint views (with privacy applied), deadlines and firings."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any, ClassVar, Literal

from sp4n.calendars.due import Due
from sp4n.calendars.duration import Duration, DurationUnit
from sp4n.calendars.language import Lang, amount_text, check_lang, format_date, format_instant, pick, zone_label
from sp4n.calendars.zones import zone_name, zoneinfo
from sp4n.persistence.records import ClockStatus, Complaint
from sp4n.states.model import Role, Sop

HIDDEN = "(anonim)"

_SEES_REPORTER = frozenset({Role.REPORTER, Role.NATIONAL_ADMIN, Role.OMBUDSMAN, Role.SYSTEM})


@dataclass(frozen=True)
class ComplaintView:
    """A complaint as one viewer may see it.

    The reporter's identity is hidden from agency staff when the report is anonymous (anonim);
    the public never sees it, and cannot see a confidential (rahasia) report at all. The
    attributes given at submission follow the identity (they may name a street or a phone
    number); the external id is not shown to the public. ``next_due_at`` is the earliest due
    instant of the complaint's running clocks (None when none runs).
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
    attributes: dict[str, str] = field(default_factory=dict)
    external_id: str | None = None
    next_due_at: datetime | None = None

    @classmethod
    def _of(cls, values: dict[str, Any]) -> ComplaintView:
        """A view of ``values``, one per field. A frozen dataclass's ``__init__`` sets its 27
        fields one ``object.__setattr__`` at a time, which costs more than the rest of a list
        row's work; the dict is installed whole instead (it is the view's own)."""
        view = object.__new__(cls)
        object.__setattr__(view, "__dict__", values)
        return view

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready data (instants as ISO strings). The same as ``dataclasses.asdict`` (fields in
        order, ``attributes`` copied) without its deep copy of every value: each is a str, bool,
        int, None or an instant turned into text below, and a command with an idempotency key
        stores its answer this way."""
        data = {name: getattr(self, name) for name in _VIEW_FIELDS}
        data["attributes"] = dict(data["attributes"])
        for name in ("submitted_at", "updated_at", "next_due_at"):
            value = getattr(self, name)
            data[name] = value.isoformat() if value is not None else None
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ComplaintView:
        """The inverse of :meth:`to_dict`."""
        values = dict(data)
        for name in ("submitted_at", "updated_at", "next_due_at"):
            if values.get(name) is not None:
                values[name] = datetime.fromisoformat(values[name])
        return cls(**values)


_VIEW_FIELDS = tuple(f.name for f in fields(ComplaintView))


def hides_reporter(complaint: Complaint, viewer: Role | None) -> bool:
    """Whether a viewer of role ``viewer`` (None: the public) may not see who reported."""
    return viewer is None or (complaint.anonymous and viewer not in _SEES_REPORTER)


def make_view(
    complaint: Complaint, sop: Sop, viewer: Role | None, next_due_at: datetime | None = None
) -> ComplaintView:
    """The view of ``complaint`` for a viewer of role ``viewer`` (None for the public): the one
    place a view's privacy is decided, for one complaint (get) as for a page of a list."""
    state = sop.state(complaint.state)
    hide = hides_reporter(complaint, viewer)
    return ComplaintView._of(
        {
            "id": complaint.id,
            "tracking_number": complaint.tracking_number,
            "state": complaint.state,
            "state_label_id": state.label_id,
            "state_label_en": state.label_en,
            "terminal": state.terminal,
            "sop_id": complaint.sop_id,
            "sop_version": complaint.sop_version,
            "title": complaint.title,
            "description": complaint.description,
            "channel": complaint.channel,
            "classification": complaint.classification,
            "category": complaint.category,
            "reporter_id": None if hide else complaint.reporter_id,
            "reporter_name": HIDDEN if hide and complaint.anonymous else (None if hide else complaint.reporter_name),
            "anonymous": complaint.anonymous,
            "confidential": complaint.confidential,
            "agency": complaint.agency,
            "unit": complaint.unit,
            "official": complaint.official,
            "zone": complaint.zone,
            "submitted_at": complaint.submitted_at,
            "updated_at": complaint.updated_at,
            "version": complaint.version,
            "attributes": {} if hide else dict(complaint.attributes),
            "external_id": None if viewer is None else complaint.external_id,
            "next_due_at": next_due_at,
        }
    )


@dataclass(frozen=True)
class Deadline:
    """A clock of a complaint as it stands: its budget, what is used, and when it is due.

    ``consumed`` is in the budget's units (seconds for hour-based budgets). ``started_by`` is what
    started the current run: "submitted" for the receipt of the report, "resumed" for a
    resumption, else the trigger that started the clock ("distribute", "follow_up", ...); None
    when not known (explained as a receipt). ``since`` is when the current run began, or when
    the clock was paused; ``zone`` the complaint's zone, in which a paused clock's ``since`` is
    shown.
    """

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
    started_by: str | None = None
    since: datetime | None = None
    zone: str | None = None

    _STATUS: ClassVar[dict[ClockStatus, tuple[str, str]]] = {
        ClockStatus.RUNNING: ("berjalan", "running"),
        ClockStatus.PAUSED: ("dijeda", "paused"),
        ClockStatus.STOPPED: ("berhenti", "stopped"),
    }

    def explain(self, lang: Lang = "en") -> str:
        """The clock's label, budget and state, wholly in Indonesian ("id") or English ("en"):
        what it used and what remains, since when it is paused, or its explained due date."""
        lang = check_lang(lang)
        label = f"{pick(lang, self.label_id, self.label_en)} ({self.clock})"
        unit = self.budget.unit
        if self.due is None:
            status = pick(lang, *self._STATUS[self.status])
            budget = amount_text(self.budget.value, unit, lang)
            used = self._amount(self.consumed, lang) if self._hourly else str(self.consumed)
            lines = [
                pick(
                    lang,
                    f"{label}: {status}, terpakai {used} dari {budget}",
                    f"{label}: {status}, {used} used of {budget}",
                )
            ]
        else:
            when = f"{format_date(self.due.local_date, lang)} ({zone_label(self.due.zone)})"
            extension = self._extension(lang)
            lines = [
                pick(
                    lang,
                    f"{label}, {amount_text(self.budget.value, unit, lang)}{extension}: batas waktu {when}",
                    f"{label}, {self.budget}{extension}: due {when}",
                )
            ]
        if self.extended_by:
            extension, in_all = amount_text(self.extended_by, unit, lang), amount_text(self._total, unit, lang)
            lines.append(
                pick(
                    lang,
                    f"Diperpanjang {extension}: seluruhnya {in_all}.",
                    f"Extended by {extension}: {in_all} in all.",
                )
            )
        left = self._amount(max(0, self._total * (3600 if self._hourly else 1) - self.consumed), lang)
        if self.due is None and self.since is not None:
            what = (
                pick(lang, "Dijeda", "Paused")
                if self.status is ClockStatus.PAUSED
                else pick(lang, "Berhenti", "Stopped")
            )
            since = self._instant(self.since, lang)
            lines.append(pick(lang, f"{what} sejak {since}; sisa {left}.", f"{what} since {since}; {left} left."))
        if self.due is not None:
            if self.consumed:
                used, total = self._amount(self.consumed, lang), amount_text(self._total, unit, lang)
                lines.append(
                    pick(
                        lang,
                        f"Terpakai sebelum berjalan kembali: {used} dari {total}; sisa {left}.",
                        f"Used before this run: {used} of {total}; {left} left.",
                    )
                )
            lines.append(self.due.explain(lang, start=self.started_by))
        return "\n".join(lines)

    @property
    def _hourly(self) -> bool:
        return self.budget.unit in (DurationUnit.HOURS, DurationUnit.WORKING_HOURS)

    @property
    def _total(self) -> int:
        """The budget with its extensions, in the budget's unit."""
        return self.budget.value + self.extended_by

    def _amount(self, value: int, lang: Lang) -> str:
        """An amount in the ledger's units (seconds for hour-based budgets) as text."""
        return amount_text(value, self.budget.unit, lang, seconds=self._hourly)

    def _extension(self, lang: Lang) -> str:
        if not self.extended_by:
            return ""
        return pick(
            lang, f" + perpanjangan {amount_text(self.extended_by, self.budget.unit, lang)}", f" + {self.extended_by}"
        )

    def _instant(self, instant: datetime, lang: Lang) -> str:
        """``instant`` in the complaint's zone (UTC when the zone is not known)."""
        zone = self.zone or "UTC"
        return format_instant(instant.astimezone(zoneinfo(zone)), zone_name(zone), lang)


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
