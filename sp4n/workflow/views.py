"""What the engine hands back: complaint views (with privacy applied), deadlines and firings."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, fields
from datetime import datetime
from functools import lru_cache
from operator import attrgetter
from typing import Any, ClassVar, Literal, cast

from sp4n.calendars.due import Due
from sp4n.calendars.duration import Duration, DurationUnit
from sp4n.calendars.language import Lang, amount_text, check_lang, format_date, format_instant, pick, zone_label
from sp4n.calendars.zones import zone_name, zoneinfo
from sp4n.persistence.query import Reader
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
    return hides_identity(complaint.anonymous, viewer)


def hides_identity(anonymous: bool, viewer: Role | None) -> bool:
    """Whether a viewer of role ``viewer`` (None: the public) may not see who reported a
    complaint that is ``anonymous`` or not (the rule of :func:`hides_reporter`)."""
    return viewer is None or (anonymous and viewer not in _SEES_REPORTER)


_WITHHELD = {
    "reporter_id": ("hide", "None"),
    "reporter_name": ("hide", "HIDDEN if v[{anonymous}] else None"),
    "attributes": ("hide", "{{}}"),
    "external_id": ("public", "None"),
}
"""What a view withholds, from whom (``hide``: a viewer who may not see the reporter,
:func:`hides_identity`; ``public``: the public) and what it shows instead: the one statement of
a view's privacy, from which every view maker is generated."""

_LABELS = ("state_label_id", "state_label_en", "terminal")
"""The fields of a view that come from the SOP's state (``labels``, in this order)."""


ViewMaker = Callable[[Sequence[Any], tuple[str, str, bool], bool, bool, Any], ComplaintView]
"""``make(values, labels, hide, public, next_due_at)``: a view from a complaint's values."""


@lru_cache(maxsize=16)
def view_maker(names: tuple[str, ...], readers: tuple[Reader, ...] | None = None) -> ViewMaker:
    """The maker of views from a complaint's values at the positions ``names`` give (a record's
    fields, or the columns of a row), each read by its reader when it has one (a row's text
    made an instant), with the state's ``labels``, whether the viewer may not see the reporter
    (``hide``) and whether it is the public; ``next_due_at`` is read as the value of that name.
    Compiled once per layout, so a page of a list builds each view in one step, with the
    privacy of every other view; a value a view withholds is never read."""
    at = {name: i for i, name in enumerate(names)}
    scope: dict[str, Any] = {"new": object.__new__, "install": object.__setattr__, "View": ComplaintView}
    scope["HIDDEN"] = HIDDEN

    def read(name: str) -> str:
        reader = readers[at[name]] if readers is not None else None
        if reader is None:
            return f"dict(v[{at[name]}])" if name == "attributes" else f"v[{at[name]}]"
        scope[f"read_{name}"] = reader  # (a reader makes a new value: the attributes are the view's own)
        return f"read_{name}(v[{at[name]}])"

    values = []
    for name in ComplaintView.__dataclass_fields__:
        if name in _LABELS:
            values.append(f"labels[{_LABELS.index(name)}]")
        elif name == "next_due_at":
            values.append(read(name) if "next_due_at" in at else "next_due_at")
        else:
            shown = read(name)
            rule = _WITHHELD.get(name)
            if rule is not None:
                instead = rule[1].format(anonymous=at["anonymous"])
                shown = f"({instead}) if {rule[0]} else {shown}"
            values.append(shown)
    body = ", ".join(
        f"{name!r}: {value}" for name, value in zip(ComplaintView.__dataclass_fields__, values, strict=True)
    )
    # as ComplaintView._of, inline: the dict of the fields is installed whole
    source = (
        "def make(v, labels, hide, public, next_due_at):\n"
        "    view = new(View)\n"
        f"    install(view, '__dict__', {{{body}}})\n"
        "    return view\n"
    )
    exec(compile(source, f"<view maker {len(names)}>", "exec"), scope)  # the source is built above, from names
    return cast(ViewMaker, scope["make"])


_FIELDS = tuple(Complaint.__dataclass_fields__)
_fields_of = attrgetter(*_FIELDS)


def make_view(
    complaint: Complaint, sop: Sop, viewer: Role | None, next_due_at: datetime | None = None
) -> ComplaintView:
    """The view of ``complaint`` for a viewer of role ``viewer`` (None for the public): as
    every view is made (:func:`view_maker`), for one complaint (get) as for a page of a list."""
    state = sop.state(complaint.state)
    hide = hides_identity(complaint.anonymous, viewer)
    make = view_maker(_FIELDS)
    return make(
        _fields_of(complaint), (state.label_id, state.label_en, state.terminal), hide, viewer is None, next_due_at
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
