"""Open311 GeoReport v2 at /open311/v2: services, requests (list, create) and one request.

A service is a category of the SOP; a service request is a complaint, seen as the public sees it
(no confidential report, no reporter). ``status`` is ``open`` or ``closed`` (a terminal state);
``expected_datetime`` is the due instant of the running ``completion`` clock. Each resource
answers in JSON or XML after its extension (``requests.json``, ``requests.xml``). Creating a
request needs an ``api_key`` whose roles include ``reporter``.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import datetime, timedelta
from typing import Annotated, Any, Literal
from urllib.parse import parse_qs

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse, Response

from sp4n.errors import InvalidArgumentError
from sp4n.service.context import Services, services
from sp4n.service.problems import Problem
from sp4n.states.model import Role
from sp4n.workflow.actor import Actor
from sp4n.workflow.engine import Engine
from sp4n.workflow.views import ComplaintView, make_view

router = APIRouter(prefix="/open311/v2", tags=["open311"])
ServicesDep = Annotated[Services, Depends(services)]
Format = Literal["json", "xml"]

REQUEST_FIELDS = (
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
)
"""The fields of a service request, in the order GeoReport v2 lists them."""

SERVICE_FIELDS = ("service_code", "service_name", "description", "metadata", "type", "keywords", "group")
"""The fields of a service."""

LIMIT = 1000
"""Requests one list answers with at most (the spec's default)."""

WINDOW = timedelta(days=90)
"""The default span of a list without dates (the spec's default)."""


def _render(fmt: Format, root: str, item: str, rows: list[dict[str, Any]], status: int = 200) -> Response:
    if fmt == "json":
        return JSONResponse(rows, status_code=status)
    top = ET.Element(root)
    for row in rows:
        node = ET.SubElement(top, item)
        for name, value in row.items():
            ET.SubElement(node, name).text = (
                "" if value is None else str(value).lower() if isinstance(value, bool) else str(value)
            )
    body = b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(top, encoding="utf-8")
    return Response(body, status_code=status, media_type="text/xml")


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
    return _render(fmt, "services", "service", rows)


def _expected(engine: Engine, complaint_id: str) -> str | None:
    for deadline in engine.deadlines(complaint_id, None):  # (what Open311 shows is public)
        if deadline.clock == "completion" and deadline.due is not None:
            return deadline.due.at.isoformat()
    return None


def request_row(engine: Engine, view: ComplaintView) -> dict[str, Any]:
    """A complaint (as the public sees it) as an Open311 service request."""
    row: dict[str, Any] = dict.fromkeys(REQUEST_FIELDS)
    row.update(
        service_request_id=view.id,
        status="closed" if view.terminal else "open",
        status_notes=view.state_label_en,
        service_name=(view.category or "").replace("_", " ").capitalize() or None,
        service_code=view.category,
        description=view.description or view.title,
        agency_responsible=view.agency,
        requested_datetime=view.submitted_at.isoformat(),
        updated_datetime=view.updated_at.isoformat(),
        expected_datetime=None if view.terminal else _expected(engine, view.id),
    )
    return row


def _instant(value: str | None, name: str) -> datetime | None:
    if value is None:
        return None
    try:
        found = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise InvalidArgumentError(name, value, "a W3C date-time such as 2026-03-02T10:00:00+07:00") from None
    if found.tzinfo is None:
        raise InvalidArgumentError(name, value, "a date-time with its offset")
    return found


@router.get("/requests.{fmt}", summary="Open311 service requests")
def list_requests(
    fmt: Format,
    svc: ServicesDep,
    service_request_id: Annotated[str | None, Query(max_length=2000)] = None,
    service_code: Annotated[str | None, Query(max_length=2000)] = None,
    start_date: Annotated[str | None, Query(max_length=40)] = None,
    end_date: Annotated[str | None, Query(max_length=40)] = None,
    status: Annotated[str | None, Query(max_length=40)] = None,
) -> Response:
    """Requests by id (comma-separated; the other filters are then ignored, as the spec says),
    or by service code, date span (the last 90 days by default) and status, newest first."""
    engine = svc.engine
    if service_request_id:
        ids = [i.strip() for i in service_request_id.split(",") if i.strip()][:LIMIT]
        complaints = engine.store.complaints(ids)
    else:
        end = _instant(end_date, "end_date") or engine.now()
        start = _instant(start_date, "start_date") or end - WINDOW
        codes = {c.strip() for c in service_code.split(",")} if service_code else None
        wanted = {s.strip() for s in status.split(",")} if status else {"open", "closed"}
        if not wanted <= {"open", "closed"}:
            raise InvalidArgumentError("status", status, "open, closed or both, comma-separated")
        complaints = [
            c
            for c in engine.store.complaints()
            if start <= c.submitted_at <= end and (codes is None or c.category in codes)
        ]
        complaints = [c for c in complaints if _status(engine, c.sop_id, c.sop_version, c.state) in wanted]
    complaints = sorted((c for c in complaints if not c.confidential), key=lambda c: c.submitted_at, reverse=True)
    rows = []
    for c in complaints[:LIMIT]:
        sop = engine.registry.get(c.sop_id, c.sop_version).sop
        rows.append(request_row(engine, make_view(c, sop, None)))
    return _render(fmt, "service_requests", "request", rows)


def _status(engine: Engine, sop_id: str, version: str, state: str) -> str:
    return "closed" if engine.registry.get(sop_id, version).sop.state(state).terminal else "open"


@router.get("/requests/{request_id}.{fmt}", summary="One Open311 service request")
def get_request(request_id: str, fmt: Format, svc: ServicesDep) -> Response:
    """One request, as a list of one (as the spec has it)."""
    view = svc.engine.get(request_id, None)
    return _render(fmt, "service_requests", "request", [request_row(svc.engine, view)])


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
    actor = Actor(person or f"open311:{key.id}", Role.REPORTER, unit=None, via=key.id)
    attributes = {k: form[k] for k in ("lat", "long", "address_string", "address_id", "media_url") if form.get(k)}
    view = await _submit(svc, actor, code, text, person is None, name, attributes)
    row = {"service_request_id": view.id, "service_notice": view.tracking_number, "account_id": person}
    return _render(fmt, "service_requests", "request", [row], status=201)


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
