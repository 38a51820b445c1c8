"""Open311 GeoReport v2 at /open311/v2: services, requests (list, create), one request, and
FixMyStreet's service request updates.

A service is a category of the SOP; a service request is a complaint, seen as the public sees it
(no confidential report, no reporter); lists read ``engine.find``, never every complaint.
``expected_datetime`` is the due instant of the running ``completion`` clock. ``status`` is
``open`` or ``closed``, or FixMyStreet's extended statuses with ``extended_statuses=true``
(:mod:`.open311_rows`). Each resource answers in JSON or XML after its extension
(``requests.json``, ``requests.xml``). Creating a request needs an ``api_key`` whose roles
include ``reporter``.
"""

from __future__ import annotations

import math
import uuid
from datetime import datetime, timedelta
from typing import Annotated, Any
from urllib.parse import parse_qs

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from sp4n.errors import ComplaintNotFound, ComplaintNotVisible, InvalidArgumentError, PermissionDenied, Sp4nError
from sp4n.persistence.records import Event
from sp4n.service.context import Services, services
from sp4n.service.open311_rows import (
    EXTENDED_STATUSES,
    REQUEST_FIELDS,
    SERVICE_FIELDS,
    UPDATE_FIELDS,
    Format,
    instant,
    render,
    request_row,
    status_of_state,
    update_row,
)
from sp4n.service.problems import Problem
from sp4n.states.model import Role
from sp4n.workflow.actor import Actor
from sp4n.workflow.engine import Engine
from sp4n.workflow.queries import MAX_LIMIT
from sp4n.workflow.views import ComplaintView

router = APIRouter(prefix="/open311/v2", tags=["open311"])
ServicesDep = Annotated[Services, Depends(services)]
Extended = Annotated[bool, Query(description="FixMyStreet's extended statuses instead of open and closed")]
DateParam = Annotated[str | None, Query(max_length=40)]

LIMIT = 1000
"""Requests (or updates) one list answers with at most (the spec's default)."""

WINDOW = timedelta(days=90)
"""The default span of a list without dates (the spec's default)."""

_TICK = timedelta(microseconds=1)
"""What turns the spec's inclusive end date into find's exclusive bound."""

__all__ = ["EXTENDED_STATUSES", "LIMIT", "REQUEST_FIELDS", "SERVICE_FIELDS", "UPDATE_FIELDS", "router"]


def _categories(svc: Services) -> list[tuple[str, str]]:
    sop = svc.engine.registry.get("national").sop if "national" in svc.engine.registry.ids() else None
    found = [] if sop is None else [(c, sop.id) for c in sop.categories]
    return found


@router.get("/services.{fmt}", summary="Open311 services (the SOP's categories)")
def list_services(fmt: Format, svc: ServicesDep) -> Response:
    """One service per category of the SOP."""
    rows = [
        {
            "service_code": code,
            "service_name": code.replace("_", " ").capitalize(),
            "description": f"SP4N-LAPOR! {sop_id}: {code}",
            "metadata": False,
            "type": "realtime",
            "keywords": code.replace("_", ","),
            "group": sop_id,
        }
        for code, sop_id in _categories(svc)
    ]
    return render(fmt, "services", "service", rows)


SCAN = 20 * LIMIT
"""The most requests changed since ``start_date`` that one list of updates reads (a client
syncing by update time asks from its last update, so it reads few)."""


def public_views(engine: Engine, most: int = LIMIT, **filters: Any) -> list[ComplaintView]:
    """Up to ``most`` complaints the public sees that pass ``filters`` of ``engine.find``,
    oldest submission first (page after page of one query)."""
    views: list[ComplaintView] = []
    cursor: str | None = None
    while len(views) < most:
        page = engine.find(None, cursor=cursor, limit=MAX_LIMIT, **filters)
        views.extend(page.items)
        cursor = page.next_cursor
        if cursor is None:
            break
    return views[:most]


def _states_of(engine: Engine, wanted: set[str], extended: bool) -> list[str]:
    """The states of the registered SOPs whose status is one of ``wanted``."""
    found = {
        state.id
        for sop_id, version in engine.registry.versions()
        for state in engine.registry.get(sop_id, version).sop.states
        if status_of_state(state.id, state.terminal, extended) in wanted
    }
    return sorted(found)


def _by_ids(engine: Engine, service_request_id: str) -> list[ComplaintView]:
    views = []
    for rid in [i.strip() for i in service_request_id.split(",") if i.strip()][:LIMIT]:
        try:
            views.append(engine.get(rid, None))
        except (ComplaintNotFound, ComplaintNotVisible, PermissionDenied, InvalidArgumentError):
            continue  # (not one the public may see, or not an id at all: left out as unknown)
    return views


@router.get("/requests.{fmt}", summary="Open311 service requests")
def list_requests(
    fmt: Format,
    svc: ServicesDep,
    service_request_id: Annotated[str | None, Query(max_length=2000)] = None,
    service_code: Annotated[str | None, Query(max_length=2000)] = None,
    start_date: DateParam = None,
    end_date: DateParam = None,
    status: Annotated[str | None, Query(max_length=400)] = None,
    extended_statuses: Extended = False,
) -> Response:
    """Requests by id (comma-separated; the other filters are then ignored, as the spec says),
    or by service code, submission span (the last 90 days by default; both ends included) and
    status, oldest first, at most 1000: a client gets the rest by moving ``start_date`` on."""
    engine = svc.engine
    if service_request_id:
        views = _by_ids(engine, service_request_id)
    else:
        end = instant(end_date, "end_date") or engine.now()
        start = instant(start_date, "start_date") or end - WINDOW
        allowed = EXTENDED_STATUSES if extended_statuses else ("open", "closed")
        wanted = {s.strip() for s in status.split(",")} if status else set(allowed)
        if not wanted <= set(allowed):
            raise InvalidArgumentError("status", status, f"{', '.join(allowed)}, comma-separated")
        span: dict[str, Any] = {"submitted_from": start, "submitted_until": end + _TICK}
        if wanted != set(allowed):
            span["state"] = _states_of(engine, wanted, extended_statuses)
        codes = sorted({c.strip() for c in service_code.split(",") if c.strip()}) if service_code else [None]
        views = [v for code in codes for v in public_views(engine, category=code, **span)]
        views = [v for v in views if _status_of(v, extended_statuses) in wanted]
        views = sorted(views, key=lambda v: (v.submitted_at, v.id))[:LIMIT]
    rows = [request_row(engine, v, extended_statuses) for v in views]
    return render(fmt, "service_requests", "request", rows)


def _status_of(view: ComplaintView, extended: bool) -> str:
    return status_of_state(view.state, view.terminal, extended)


@router.get("/requests/{request_id}.{fmt}", summary="One Open311 service request")
def get_request(request_id: str, fmt: Format, svc: ServicesDep, extended_statuses: Extended = False) -> Response:
    """One request, as a list of one (as the spec has it)."""
    view = svc.engine.get(request_id, None)
    return render(fmt, "service_requests", "request", [request_row(svc.engine, view, extended_statuses)])


@router.get("/servicerequestupdates.{fmt}", summary="Open311 service request updates (FixMyStreet)")
def list_updates(
    fmt: Format,
    svc: ServicesDep,
    start_date: DateParam = None,
    end_date: DateParam = None,
    extended_statuses: Extended = False,
) -> Response:
    """Every change of state of the requests the public sees, made between ``start_date`` and
    ``end_date`` (both included; the last 90 days by default), oldest first, at most 1000: a
    client syncing by update time asks again from the last ``updated_datetime`` it got."""
    engine = svc.engine
    end = instant(end_date, "end_date") or engine.now()
    start = instant(start_date, "start_date") or end - WINDOW
    # every complaint changed since start (it may have changed again after end: its events say
    # when), so that the first 1000 updates by time are all there
    changed = public_views(engine, SCAN + 1, updated_from=start)
    if len(changed) > SCAN:
        raise InvalidArgumentError("start_date", start_date, f"a later start: over {SCAN} requests changed since")
    found: list[tuple[datetime, str, Event, ComplaintView]] = []
    for view in changed:
        for event in engine.history(view.id, None):
            if event.dest is not None and start <= event.at <= end:
                found.append((event.at, f"{view.id}-{event.seq:09d}", event, view))
    found.sort(key=lambda f: (f[0], f[1]))
    rows = [update_row(engine, view, event, extended_statuses) for _, _, event, view in found[:LIMIT]]
    return render(fmt, "service_request_updates", "request_update", rows)


@router.post("/requests.{fmt}", summary="Create an Open311 service request", status_code=201)
async def create_request(fmt: Format, request: Request, svc: ServicesDep) -> Response:
    """A new complaint from a form-encoded Open311 request (``api_key`` with the reporter role,
    ``service_code``, ``description``; the reporter by ``account_id`` or ``email``, anonymous
    when neither is given)."""
    form = {k: v[0] for k, v in parse_qs((await request.body()).decode("utf-8", "replace")).items()}
    key = svc.keys.check(form.get("api_key", ""))
    if key is None or Role.REPORTER not in key.roles:
        raise Problem(403, "InvalidApiKey", "api_key must be an active key with the reporter role", field="api_key")
    code, text = form.get("service_code"), form.get("description", "")
    if not code:
        raise InvalidArgumentError("service_code", code, "a service_code from services.json")
    person = form.get("account_id") or form.get("email")
    name = " ".join(p for p in (form.get("first_name"), form.get("last_name")) if p) or None
    # a request without an account is anonymous and its reporter one of a kind: a shared id
    # would let anyone acting as it list every other anonymous request made with this key
    actor = Actor(person or f"open311:{key.id}:{uuid.uuid4().hex}", Role.REPORTER, unit=None, via=key.id)
    attributes = {k: form[k] for k in ("lat", "long", "address_string", "address_id", "media_url") if form.get(k)}
    for field, limit in (("lat", 90.0), ("long", 180.0)):
        if field in attributes:
            _coordinate(field, attributes[field], limit)
    try:
        view = await _submit(svc, actor, code, text, person is None, name, attributes)
    except Sp4nError as exc:
        if "category" not in (getattr(exc, "field", None), getattr(exc, "argument", None)):
            raise
        # the category is what Open311 calls service_code: name the field the client sent
        raise InvalidArgumentError("service_code", code, "a service_code from services.json") from None
    row = {"service_request_id": view.id, "service_notice": view.tracking_number, "account_id": person}
    return render(fmt, "service_requests", "request", [row], code=201)


def _coordinate(field: str, text: str, limit: float) -> None:
    """Refuse a latitude or longitude that is not a number within +-``limit`` degrees."""
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not -limit <= value <= limit:
        raise InvalidArgumentError(field, text, f"a number of degrees from {-limit:g} to {limit:g}")


async def _submit(
    svc: Services, actor: Actor, code: str, text: str, anonymous: bool, name: str | None, attributes: dict[str, str]
) -> ComplaintView:
    from starlette.concurrency import run_in_threadpool

    title = (text.strip().splitlines() or [code])[0][:200]
    return await run_in_threadpool(
        svc.engine.submit,
        actor,
        title=title,
        description=text,
        category=code,
        channel="open311",
        anonymous=anonymous,
        reporter_name=name,
        attributes=attributes,
    )
