"""The JSON shapes of the /v1 API, as pydantic models (they make the OpenAPI document)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from sp4n.workflow.queries import MAX_LIMIT
from sp4n.workflow.views import ComplaintView

_TEXT = 10_000
"""The longest text field accepted."""


class SubmitBody(BaseModel):
    """A new complaint (pengaduan)."""

    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1, max_length=500)
    description: str = Field(default="", max_length=_TEXT)
    sop: str = Field(default="national", min_length=1, max_length=64)
    channel: str = Field(default="web", min_length=1, max_length=64)
    category: str | None = Field(default=None, max_length=200)
    classification: str | None = Field(default=None, max_length=200)
    anonymous: bool = False
    confidential: bool = False
    agency: str | None = Field(default=None, max_length=200)
    reporter_id: str | None = Field(default=None, max_length=200)
    reporter_name: str | None = Field(default=None, max_length=200)
    attributes: dict[str, str] = Field(default_factory=dict)
    external_id: str | None = Field(default=None, min_length=1, max_length=128)


_FILTER = Field(default=None, min_length=1, max_length=200)
_INSTANT = Field(default=None, description="an instant with its offset, e.g. 2026-03-02T10:00:00+07:00")


class FindQuery(BaseModel):
    """The query parameters of a find: the filters of ``engine.find``, its order, page size
    and the cursor of the next page."""

    state: list[Annotated[str, Field(min_length=1, max_length=200)]] | None = Field(default=None, max_length=50)
    agency: str | None = _FILTER
    unit: str | None = _FILTER
    sop: str | None = _FILTER
    category: str | None = _FILTER
    classification: str | None = _FILTER
    channel: str | None = _FILTER
    reporter: str | None = _FILTER
    submitted_from: datetime | None = _INSTANT
    submitted_until: datetime | None = _INSTANT
    updated_from: datetime | None = _INSTANT
    updated_until: datetime | None = _INSTANT
    breached: bool = False
    due_before: datetime | None = _INSTANT
    due_within: int | None = Field(default=None, ge=0, le=1000, description="working days")
    order: Literal["submitted", "due"] = "submitted"
    limit: int = Field(default=50, ge=1, le=MAX_LIMIT)
    cursor: str | None = Field(default=None, max_length=1000)


class FindOut(BaseModel):
    """A page of complaints, as the caller may see them, and the cursor of the next page."""

    items: list[ComplaintView]
    next_cursor: str | None


class BookRowOut(BaseModel):
    """What became of one row of a book: ``new`` (written, or to be on a dry run), ``known``
    (imported before), ``wrong`` (its problems, by row and column, in Indonesian)."""

    row: int
    title: str
    status: Literal["new", "known", "wrong"]
    tracking_number: str | None
    problems: list[str]
    warnings: list[str]


class BookOut(BaseModel):
    """The result of a book: whether rows were written, the count of each outcome, each row."""

    written: bool
    new: int
    known: int
    wrong: int
    rows: list[BookRowOut]


class ConsumerOut(BaseModel):
    """A feed consumer's state: its cursor against the feed's head, queued and parked events."""

    name: str
    audience: str
    status: str
    url: str | None
    historical: bool
    cursor: int
    head: int
    queued: int
    parked: int
    disabled_reason: str | None


class ParkedOut(BaseModel):
    """An event parked for one consumer (a dead letter) and why."""

    position: int
    complaint_id: str
    attempts: int
    queued_at: str
    last_error: str | None


class RetriedOut(BaseModel):
    """How many parked events were queued again."""

    queued: int


class EndpointBody(BaseModel):
    """A new webhook endpoint."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=64, pattern=r"^[a-z0-9][a-z0-9_.-]{0,63}$")
    url: str = Field(min_length=8, max_length=2000, pattern=r"^https?://[^\s]+$")
    audience: Literal["national", "agency", "public"]
    start: str = Field(default="now", pattern=r"^(now|beginning|[0-9]{1,18})$", description="now, beginning or N")
    historical: bool = False
    max_attempts: int = Field(default=12, ge=1, le=1000)


class EndpointOut(BaseModel):
    """A webhook endpoint, with how many secrets it signs with (never the secrets)."""

    name: str
    url: str
    audience: str
    status: str
    historical: bool
    max_attempts: int
    secrets: int
    disabled_reason: str | None


class SecretOut(BaseModel):
    """An endpoint and its new signing secret: shown in this answer only."""

    endpoint: EndpointOut
    secret: str


class TriggersOut(BaseModel):
    """The triggers the acting person may fire now."""

    complaint_id: str
    version: int
    triggers: list[str]


class DeadlineOut(BaseModel):
    """A clock of a complaint, with its explanation in the language asked for."""

    clock: str
    label: str
    status: str
    budget: str
    extended_by: int
    due_at: str | None
    due_date: str | None
    zone: str | None
    lang: str
    explanation: str


class EventOut(BaseModel):
    """One event of a complaint's history, as the caller may see it."""

    seq: int
    at: str
    kind: str
    actor_id: str | None
    actor_role: str
    trigger: str | None
    source: str | None
    dest: str | None
    payload: dict[str, Any]
    calendar_version: str
    sop_version: str


class SopSummary(BaseModel):
    """An SOP the service knows, in its active version."""

    id: str
    version: str
    title: str


class SopProblem(BaseModel):
    """One error of an SOP, at its place."""

    location: str
    reason: str


class SopCheckOut(BaseModel):
    """The result of validating an SOP: its id and version, or every located error."""

    valid: bool
    id: str | None = None
    version: str | None = None
    errors: list[SopProblem] = Field(default_factory=list)


class NonWorkingDayOut(BaseModel):
    """A dated non-working day."""

    date: str
    name: str
    kind: str
    source: str | None
    estimated: bool


class CalendarYearOut(BaseModel):
    """A year's non-working days of the active calendar."""

    year: int
    zone: str
    calendar_version: str
    days: list[NonWorkingDayOut]


class DueOut(BaseModel):
    """A due date, explained."""

    start: str
    duration: str
    due_at: str
    due_date: str
    zone: str
    calendar_version: str
    lang: str
    explanation: str


class StatusOut(BaseModel):
    """Health and readiness."""

    status: str
