"""The SOP as data: states, transitions, roles and clocks, as frozen pydantic models.

An SOP (standar operasional prosedur) is written by policy staff, not programmers, so it is plain
data (YAML, JSON, TOML or a dict) and every number in it is theirs to change. These models only
describe the shape; :mod:`sp4n.states.validation` checks that the whole makes sense, and
:mod:`sp4n.states.loader` reads files and resolves ``extends``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from enum import StrEnum
from functools import cached_property
from typing import Annotated, Any, Self

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, JsonValue, StringConstraints

from sp4n.calendars.duration import Duration, DurationUnit
from sp4n.calendars.policy import CountingPolicy

Identifier = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=64)]
"""Lower-case snake_case names for states, triggers, clocks and rungs."""


def _as_tuple(value: Any) -> Any:
    """Accept a single string where a list of names is expected ("source: received")."""
    return (value,) if isinstance(value, str) else value


Names = Annotated[tuple[Identifier, ...], BeforeValidator(_as_tuple)]

Data = dict[Identifier, JsonValue]
"""Command data a system-fired trigger carries (``reason``, ``unit``, ...): plain JSON values."""


class Role(StrEnum):
    """Who may act on a complaint (see DOMAIN.md)."""

    REPORTER = "reporter"
    NATIONAL_ADMIN = "national_admin"
    AGENCY_ADMIN = "agency_admin"
    LIAISON_OFFICER = "liaison_officer"
    OMBUDSMAN = "ombudsman"
    SYSTEM = "system"
    """Fires deadline-driven triggers; no person may act as system."""


Roles = Annotated[tuple[Role, ...], BeforeValidator(_as_tuple)]


class Assignable(StrEnum):
    """Complaint fields a transition may set from the command's data of the same name."""

    AGENCY = "agency"
    UNIT = "unit"
    OFFICIAL = "official"
    CLASSIFICATION = "classification"
    CATEGORY = "category"
    ANONYMOUS = "anonymous"
    CONFIDENTIAL = "confidential"


class RungAction(StrEnum):
    """What a rung does when its instant comes."""

    EMIT = "emit"
    """Record an event (a warning, a notice to a supervisor) without moving the complaint."""
    FIRE = "fire"
    """Fire a trigger of the SOP as the ``system`` actor (e.g. ``escalate``)."""


class RungTiming(StrEnum):
    """Whether a rung comes at its exact instant or when the office opens that day."""

    OPENING = "opening"
    """At the opening of office hours on the working day ``before`` / ``after`` names (the
    calendar's office hours in the complaint's zone), so a warning reaches people at work."""
    INSTANT = "instant"
    """Exactly ``before`` / ``after`` the due instant (at midnight for day-based offsets)."""


class LatePolicy(StrEnum):
    """What a rung does when a worker finds it late (it was down when the rung came due)."""

    FIRE = "fire"
    """Act anyway, and record how late (default)."""
    MISS = "miss"
    """Record it as missed and do nothing else (for warnings that are useless once late)."""


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Self:
        """A copy, with the values cached from the content dropped (a changed copy computes its own)."""
        copy = super().model_copy(update=update, deep=deep)
        for name in _cached(type(self)):
            copy.__dict__.pop(name, None)
        return copy


def _cached(cls: type) -> tuple[str, ...]:
    """The cached properties of a model class (computed once per instance, from its content)."""
    return tuple(n for k in cls.__mro__ for n, v in vars(k).items() if isinstance(v, cached_property))


class StateDef(_Model):
    """One state of a complaint, with its Indonesian and English labels."""

    id: Identifier
    label_id: str
    label_en: str
    initial: bool = False
    terminal: bool = False
    description: str = ""


class TransitionDef(_Model):
    """A trigger that moves a complaint from one of ``source`` to ``dest``, for the given roles.

    ``requires`` names data the command must carry (non-empty). ``assigns`` names complaint
    fields set from the data of the same name. ``resets`` restarts clocks from zero with a new
    generation. ``extends`` names a clock whose budget grows by the command's ``extend_by``
    (a duration in the clock's unit), up to the clock's ``extension_max``.
    """

    trigger: Identifier
    source: Names
    dest: Identifier
    roles: Roles
    requires: Names = ()
    assigns: tuple[Assignable, ...] = ()
    resets: Names = ()
    extends: Identifier | None = None
    label_id: str = ""
    label_en: str = ""
    description: str = ""


class RungDef(_Model):
    """A step of a clock: an instant relative to the due instant, and what happens then.

    With neither ``before`` nor ``after`` the rung is at the due instant itself. ``at`` says
    whether it comes at that exact instant or at the office's opening on that working day; by
    default an emit rung ``before`` in working days comes at the opening, every other rung at
    its instant (see :attr:`timing`). ``data`` is the command data a fire rung's trigger
    carries, and must hold whatever that transition ``requires``.
    """

    name: Identifier
    before: Duration | None = None
    after: Duration | None = None
    action: RungAction
    trigger: Identifier | None = None
    data: Data = Field(default_factory=dict)
    event: str | None = None
    at: RungTiming | None = None
    late: LatePolicy = LatePolicy.FIRE

    @cached_property
    def timing(self) -> RungTiming:
        """``at`` as written, else the default: opening for an emit rung before in working days."""
        if self.at is not None:
            return self.at
        if self.action is RungAction.EMIT and self.before is not None and self.before.unit is DurationUnit.WORKING_DAYS:
            return RungTiming.OPENING
        return RungTiming.INSTANT


class AttributeType(StrEnum):
    """The kind of value an attribute of a complaint holds."""

    TEXT = "text"
    CHOICE = "choice"
    """One of the attribute's ``values``."""
    NUMBER = "number"
    FLAG = "flag"
    """True or false."""


class AttributeDef(_Model):
    """An attribute a complaint may carry (``attributes={...}`` on submit), declared so that a
    clock may choose its budget by it (``budget_by: urgency``) and so that values are checked.

    ``values`` are the allowed values of a ``choice``; ``labels`` their labels for people
    (``{mendesak: Mendesak / Urgent}``).
    """

    name: Identifier
    type: AttributeType = AttributeType.CHOICE
    values: tuple[str, ...] = ()
    label_id: str = ""
    label_en: str = ""
    labels: dict[str, str] = Field(default_factory=dict)


class ClockDef(_Model):
    """A named deadline: its budget and the states it runs and pauses in.

    The clock runs while the complaint is in ``runs_in``, is paused (keeps what it consumed)
    in ``pauses_in``, and is stopped anywhere else; entering ``runs_in`` again after a stop
    starts it afresh. The budget is fixed (``budget``) or chosen by a complaint field
    (``budget_by``: classification, category, or any attribute the SOP declares) among
    ``budgets``, falling back to ``budget``.
    """

    name: Identifier
    label_id: str
    label_en: str
    budget: Duration | None = None
    budget_by: Identifier | None = None
    budgets: dict[str, Duration] = Field(default_factory=dict)
    runs_in: Names
    pauses_in: Names = ()
    extension_max: Duration | None = None
    rungs: tuple[RungDef, ...] = ()
    source: str = ""
    certainty: str = ""


class RoutingRule(_Model):
    """Send a new complaint straight to an agency (and official) by category or keyword.

    The first rule that matches a submitted complaint assigns ``agency`` and ``official``; if
    ``trigger`` is set, the engine then fires it as ``system`` with ``data`` (see
    :func:`sp4n.workflow.routing.rule_data`). Keywords match whole words and phrases.
    """

    name: Identifier
    categories: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    agency: str
    official: str | None = None
    trigger: Identifier | None = None
    data: Data = Field(default_factory=dict)

    @property
    def trigger_data(self) -> dict[str, JsonValue]:
        """The command data its trigger is fired with: the rule's ``agency`` (and ``official``),
        then its ``data``."""
        found: dict[str, JsonValue] = {"agency": self.agency}
        if self.official is not None:
            found["official"] = self.official
        found.update(self.data)
        return found


class CalendarPolicy(_Model):
    """Which calendar an SOP counts on: joint leave counted as non-working (default) or not."""

    joint_leave: bool = True


class Sop(_Model):
    """A whole SOP, validated as a whole when built (see :func:`sp4n.states.build_sop`)."""

    id: Identifier
    title: str
    description: str = ""
    extends: str | None = None
    legal_sources: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    classifications: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    states: tuple[StateDef, ...]
    transitions: tuple[TransitionDef, ...]
    clocks: tuple[ClockDef, ...] = ()
    routing: tuple[RoutingRule, ...] = ()
    attributes: tuple[AttributeDef, ...] = ()
    counting: CountingPolicy = CountingPolicy()
    calendar: CalendarPolicy = CalendarPolicy()
    lapor_statuses: dict[str, str] = Field(default_factory=dict)
    """The national LAPOR! status label of each state (see :mod:`sp4n.states.lapor`)."""

    @cached_property
    def version(self) -> str:
        """A hash of the resolved content: two SOPs with the same rules have the same version.

        Computed once: the model is frozen, and hashing it on every submit was half the cost.
        """
        content = self.model_dump(mode="json")
        if not content["attributes"]:
            # an SOP without attributes hashes as before attributes existed: versions stored
            # earlier (and the complaints pinned to them) keep their version when read back
            del content["attributes"]
        if not content["lapor_statuses"]:
            del content["lapor_statuses"]  # likewise for SOPs written before the LAPOR! mapping
        blob = json.dumps(content, sort_keys=True, ensure_ascii=False).encode()
        return hashlib.sha256(blob).hexdigest()[:16]

    @property
    def key(self) -> tuple[str, str]:
        """(id, version): what a complaint is pinned to."""
        return (self.id, self.version)

    @property
    def initial_state(self) -> StateDef:
        """The one state a submitted complaint starts in."""
        return next(s for s in self.states if s.initial)

    @cached_property
    def states_by_id(self) -> dict[str, StateDef]:
        """The states by id (built once: every command and view looks its state up)."""
        return {s.id: s for s in self.states}

    @cached_property
    def attributes_by_name(self) -> dict[str, AttributeDef]:
        """The declared attributes by name (built once: every command picks its attributes out)."""
        return {a.name: a for a in self.attributes}

    def state(self, state_id: str) -> StateDef:
        """The state with this id (KeyError if none)."""
        return self.states_by_id[state_id]

    def clock(self, name: str) -> ClockDef:
        """The clock with this name (KeyError if none)."""
        for c in self.clocks:
            if c.name == name:
                return c
        raise KeyError(name)

    @property
    def triggers(self) -> tuple[str, ...]:
        """Every trigger name, in order of first appearance."""
        return tuple(dict.fromkeys(t.trigger for t in self.transitions))
