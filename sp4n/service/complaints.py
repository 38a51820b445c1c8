"""/v1/complaints: submit, find, look up, get, allowed triggers, fire a trigger, deadlines and history.

Commands need an API key and an acting person; reads without one are the public's. A complaint's
version is its ``ETag``; firing a trigger needs ``If-Match`` with it (428 without, 412 when the
complaint moved on since), and a conflict found while saving is a retryable 409.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Header, Query, Request, Response
from pydantic import TypeAdapter

from sp4n.errors import ComplaintNotFound, PermissionDenied, Sp4nError
from sp4n.service.auth import Caller
from sp4n.service.context import Services, caller, in_scope, language, services, visible_view
from sp4n.service.problems import Problem
from sp4n.service.redact import event_for
from sp4n.service.schemas import DeadlineOut, EventOut, FindOut, FindQuery, SubmitBody, TriggersOut
from sp4n.workflow.views import ComplaintView, Deadline

router = APIRouter(prefix="/v1/complaints", tags=["complaints"])

_RESERVED = frozenset(
    {"complaint_id", "trigger", "actor", "idempotency_key", "expected_version", "via_key", "actor_unit"}
)
"""Names the data of a command may not use (the engine's own arguments and what it records)."""

CallerDep = Annotated[Caller, Depends(caller)]
ServicesDep = Annotated[Services, Depends(services)]
IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key", max_length=200)]


def etag(version: int) -> str:
    """The ETag of a complaint at ``version``."""
    return f'"{version}"'


_VIEW_JSON = TypeAdapter(ComplaintView)
"""Serializes a view in one call; left to FastAPI, a returned dataclass is first copied whole
with ``dataclasses.asdict`` (about a tenth of the CPU of a submit)."""


def _out(view: ComplaintView, response: Response, status: int = 200) -> Response:
    """The view as JSON (the schema of ``response_model``), with the ETag of its version and
    the headers set on ``response``."""
    response.headers["ETag"] = etag(view.version)
    headers = {k: v for k, v in response.headers.items() if k != "content-length"}
    return Response(_VIEW_JSON.dump_json(view), status, headers, media_type="application/json")


@router.post("", status_code=201, response_model=ComplaintView, summary="Submit a complaint")
def submit(
    body: SubmitBody, who: CallerDep, svc: ServicesDep, response: Response, idempotency_key: IdempotencyKey = None
) -> Response:
    """File a new complaint as the acting person; a retry with the same Idempotency-Key files
    nothing new and answers as the first did."""
    actor = who.require_actor()
    view = svc.engine.submit(actor, idempotency_key=idempotency_key, **body.model_dump())
    response.headers["Location"] = f"/v1/complaints/{view.id}"
    return _out(view, response, 201)


Text = Annotated[str | None, Query(min_length=1, max_length=200)]


@router.get("", response_model=FindOut, summary="Find complaints")
def find(who: CallerDep, svc: ServicesDep, query: Annotated[FindQuery, Query()]) -> FindOut:
    """A page of the complaints the caller may see that pass the filters (those of
    ``engine.find``), in submission or due order; ``next_cursor`` fetches the next page (with
    the same filters) and is null on the last one."""
    filters = query.model_dump(exclude_none=True)
    for name, value in filters.items():
        if isinstance(value, datetime) and value.utcoffset() is None:
            detail = f"{name} needs its offset (e.g. +07:00)"
            raise Problem(422, "NaiveDatetimeError", detail, field=name, value=value.isoformat())
    page = svc.engine.find(who.actor, **filters)
    return FindOut(items=list(page.items), next_cursor=page.next_cursor)


@router.get("/lookup", response_model=ComplaintView, summary="Look a complaint up")
def lookup(
    who: CallerDep,
    svc: ServicesDep,
    response: Response,
    tracking_number: Annotated[str | None, Query(min_length=1, max_length=64)] = None,
    external_id: Text = None,
) -> Response:
    """The complaint with this tracking number (as a person types it: any case, O for 0) or
    this external id (exactly one of them), as the caller may see it."""
    try:
        view = svc.engine.lookup(who.actor, tracking_number=tracking_number, external_id=external_id)
    except PermissionDenied:
        raise ComplaintNotFound(tracking_number or external_id or "") from None
    return _out(view, response)


@router.get("/{complaint_id}", response_model=ComplaintView, summary="Get a complaint")
def get_complaint(complaint_id: str, who: CallerDep, svc: ServicesDep, response: Response) -> Response:
    """The complaint as the caller may see it."""
    return _out(visible_view(svc.engine, complaint_id, who.actor), response)


@router.get("/{complaint_id}/triggers", response_model=TriggersOut, summary="Triggers the actor may fire")
def triggers(complaint_id: str, who: CallerDep, svc: ServicesDep, response: Response) -> TriggersOut:
    """The triggers the acting person may fire now (data is checked when firing)."""
    actor = who.require_actor()
    view = visible_view(svc.engine, complaint_id, actor)
    response.headers["ETag"] = etag(view.version)
    allowed = svc.engine.allowed_triggers(complaint_id, actor)
    return TriggersOut(complaint_id=complaint_id, version=view.version, triggers=list(allowed))


def _version(if_match: str | None) -> int | None:
    """The version an If-Match names (None when it is missing or not a complaint's ETag)."""
    if if_match is None:
        return None
    tag = if_match.strip().removeprefix("W/").strip('"')
    return int(tag) if tag.isdigit() and len(tag) <= 18 else None


def _expected(if_match: str | None) -> int:
    expected = _version(if_match)
    if if_match is None:
        raise Problem(428, "PreconditionRequired", "send If-Match with the complaint's ETag", field="If-Match")
    if expected is None:
        raise Problem(
            428, "PreconditionRequired", "If-Match must be the complaint's ETag", field="If-Match", value=if_match
        )
    return expected


@router.post(
    "/{complaint_id}/{trigger}",
    response_model=ComplaintView,
    summary="Fire a trigger",
    responses={412: {"description": "the complaint moved on"}, 428: {"description": "If-Match is missing"}},
)
def fire(
    complaint_id: str,
    trigger: str,
    who: CallerDep,
    svc: ServicesDep,
    response: Response,
    data: Annotated[dict[str, Any] | None, Body()] = None,
    if_match: Annotated[str | None, Header(alias="If-Match", max_length=40)] = None,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    """Fire ``trigger`` with the command's data (a JSON object), if the complaint is still at
    the version named by If-Match."""
    actor = who.require_actor()
    engine = svc.engine
    data = data or {}
    expected = _version(if_match)
    # The engine checks the version on the complaint it fires on, so a command that goes through
    # loads the complaint once. A refused one (or one with an Idempotency-Key: it may retry a
    # command that moved the complaint on) is checked step by step, in the order the answers
    # promise: missing or invisible (404), If-Match (428), the data's names (422), the version
    # (412), then the engine's own refusal. A command that goes through passes all of these: the
    # engine's scope check is the one that makes a complaint visible to its actor.
    if expected is not None and idempotency_key is None and not _RESERVED & data.keys():
        try:
            return _out(engine.fire(complaint_id, trigger, actor, expected_version=expected, **data), response)
        except Sp4nError:
            pass  # nothing was saved: the checks below find the answer the API gives for it
    current = visible_view(engine, complaint_id, actor)
    expected = _expected(if_match)
    clash = sorted(_RESERVED & set(data))
    if clash:
        raise Problem(422, "InvalidData", f"{clash[0]!r} is not a name command data may use", field=clash[0])
    replay = idempotency_key is not None and engine.store.idempotency(idempotency_key) is not None
    if current.version != expected and not replay:
        raise Problem(
            412,
            "PreconditionFailed",
            f"the complaint is at version {current.version}, not {expected}; reload it",
            field="If-Match",
            value=if_match,
            headers={"ETag": etag(current.version)},
        )
    # the engine checks the version again on the complaint it fires on: one that moved on since
    # the checks above is refused (409), not fired on at a version the caller never saw
    view = engine.fire(complaint_id, trigger, actor, idempotency_key=idempotency_key, expected_version=expected, **data)
    return _out(view, response)


def _deadline_out(deadline: Deadline, lang: str) -> DeadlineOut:
    due = deadline.due
    return DeadlineOut(
        clock=deadline.clock,
        label=deadline.label_id if lang == "id" else deadline.label_en,
        status=deadline.status.value,
        budget=str(deadline.budget),
        extended_by=deadline.extended_by,
        due_at=due.at.isoformat() if due else None,
        due_date=due.local_date.isoformat() if due else None,
        zone=deadline.zone,
        lang=lang,
        explanation=deadline.explain("id" if lang == "id" else "en"),
    )


@router.get("/{complaint_id}/deadlines", response_model=list[DeadlineOut], summary="Running deadlines")
def deadlines(
    complaint_id: str, request: Request, who: CallerDep, svc: ServicesDep, response: Response
) -> list[DeadlineOut]:
    """The clocks that run or are paused, explained in the language of Accept-Language."""
    visible_view(svc.engine, complaint_id, who.actor)
    lang = language(request)
    response.headers["Content-Language"] = lang
    return [_deadline_out(d, lang) for d in svc.engine.deadlines(complaint_id, who.actor)]


@router.get("/{complaint_id}/history", response_model=list[EventOut], summary="History")
def history(complaint_id: str, who: CallerDep, svc: ServicesDep) -> list[EventOut]:
    """Every event, oldest first, for a person acting within the complaint's scope (agency staff
    of its agency, its own reporter, national admins, the Ombudsman); a reporter who chose to be
    anonymous is hidden from agency staff."""
    if who.actor is None:
        raise ComplaintNotFound(complaint_id)
    complaint = in_scope(svc.engine, complaint_id, who.actor)
    return [EventOut(**event_for(e, complaint, who.actor.role)) for e in svc.engine.history(complaint_id, who.actor)]
