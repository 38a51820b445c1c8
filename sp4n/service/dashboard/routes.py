"""The routes of the monitoring room: the page and its assets, its JSON, and its live stream.

``/dashboard`` and ``/dashboard/assets/...`` are static files of this package (no CDN, no build
step). ``/v1/dashboard/tiles``, ``/queue``, ``/league`` and ``/trends`` answer as the API key allows
(see :mod:`.board` and :mod:`.league`). ``/v1/dashboard/events`` is a server-sent event stream (``text/event-stream``):
a ``change`` each time the feed holds new events the caller may see (it names their kinds and
position, nothing of their content) and a ``tick`` every half minute, so the page re-reads its
numbers without reloading. The page reads the stream with ``fetch`` (not ``EventSource``) so the
key travels in the Authorization header, never in a URL.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from importlib import resources
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response, StreamingResponse

from sp4n.persistence.feed_records import FeedEntry
from sp4n.service.auth import Caller
from sp4n.service.context import Services, caller, services
from sp4n.service.dashboard.board import Scope, queue, scope_of, tiles
from sp4n.service.dashboard.league import league, trends
from sp4n.service.problems import Problem
from sp4n.workflow.engine import Engine

api = APIRouter(prefix="/v1/dashboard", tags=["dashboard"])
page = APIRouter(tags=["dashboard"])

POLL_SECONDS = 1.0
"""How often a stream looks for new events in the feed."""

TICK_POLLS = 30
"""Polls between two ``tick`` messages (time moves deadlines past due without an event)."""

STREAM_POLLS = 600
"""Polls after which a stream ends (the page reconnects), so no stream outlives a restart long."""

ASSETS = {
    "dashboard.js": "text/javascript; charset=utf-8",
    "dashboard.css": "text/css; charset=utf-8",
}

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",
}

CallerDep = Annotated[Caller, Depends(caller)]
ServicesDep = Annotated[Services, Depends(services)]
AgencyParam = Annotated[str | None, Query(min_length=1, max_length=128, description="drill down to this agency's tree")]


def _asset(name: str) -> bytes:
    return resources.files("sp4n.service.dashboard").joinpath("static", name).read_bytes()


@page.get("/dashboard", include_in_schema=False)
def dashboard_page() -> Response:
    """The monitoring room (one HTML page)."""
    return Response(_asset("index.html"), media_type="text/html; charset=utf-8", headers=SECURITY_HEADERS)


@page.get("/dashboard/assets/{name}", include_in_schema=False)
def dashboard_asset(name: str) -> Response:
    """The page's script and style sheet."""
    if name not in ASSETS:
        raise Problem(404, "NotFound", "no such dashboard asset", field="name", value=name)
    return Response(_asset(name), media_type=ASSETS[name], headers=SECURITY_HEADERS)


@api.get("/tiles", summary="The monitoring room's numbers")
def get_tiles(who: CallerDep, svc: ServicesDep, agency: AgencyParam = None) -> dict[str, Any]:
    """Received today and this week, due within one working day, breached now, escalated, and
    unverified beyond three working days, for the caller's scope (or ``agency``'s tree in it)."""
    scope = scope_of(svc.engine, who.actor, agency)
    return {"agency": scope.agency, "public": who.actor is None, **tiles(svc.engine, scope).to_dict()}


@api.get("/queue", summary="Complaints past due or due within one working day")
def get_queue(who: CallerDep, svc: ServicesDep, agency: AgencyParam = None) -> dict[str, Any]:
    """The earliest due first: agency, clock, due instant and working days left (an API key
    is needed: the public sees aggregates only)."""
    scope = scope_of(svc.engine, who.actor, agency)
    return {"agency": scope.agency, "items": [item.to_dict() for item in queue(svc.engine, scope)]}


@api.get("/league", summary="The league table of agencies")
def get_league(
    who: CallerDep,
    svc: ServicesDep,
    agency: AgencyParam = None,
    period: Annotated[str | None, Query(max_length=16, description="such as 2026-Q1 (default: this quarter)")] = None,
) -> dict[str, Any]:
    """Per agency below ``agency`` (the roots, or the caller's own agency): received, completion
    rate, mean working days to follow-up and breached share, each rolled up its tree."""
    scope = scope_of(svc.engine, who.actor, agency)
    return league(svc.engine, scope, period)


@api.get("/trends", summary="Weekly trends")
def get_trends(who: CallerDep, svc: ServicesDep, agency: AgencyParam = None) -> dict[str, Any]:
    """Per ISO week of receipt, the last twelve weeks: received and completed."""
    return trends(svc.engine, scope_of(svc.engine, who.actor, agency))


@api.get("/events", include_in_schema=False)  # an endless stream: documented in docs/dashboard.md
async def get_events(request: Request, who: CallerDep, svc: ServicesDep, agency: AgencyParam = None) -> Response:
    """``text/event-stream``: ``change`` when the feed has new events the caller may see,
    ``tick`` every half minute."""
    scope = await run_in_threadpool(scope_of, svc.engine, who.actor, agency)
    start = await run_in_threadpool(svc.engine.store.feed.sequence)
    headers = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}
    return StreamingResponse(
        _stream(request, svc.engine, scope, start), media_type="text/event-stream", headers=headers
    )


def _message(kind: str, data: dict[str, Any]) -> str:
    return f"event: {kind}\ndata: {json.dumps(data, separators=(',', ':'))}\n\n"


async def _stream(request: Request, engine: Engine, scope: Scope, position: int) -> AsyncIterator[str]:
    # no message names a feed position: its jumps would tell a viewer that events they may not
    # see (a confidential report's) happened
    yield "retry: 3000\n" + _message("hello", {})
    for poll in range(1, STREAM_POLLS + 1):
        if await request.is_disconnected():
            return
        fresh = await run_in_threadpool(_fresh, engine, scope, position)
        if fresh is not None:
            position, kinds = fresh
            if kinds:
                yield _message("change", {"kinds": kinds})
        if poll % TICK_POLLS == 0:
            yield _message("tick", {})
        await asyncio.sleep(POLL_SECONDS)


def _fresh(engine: Engine, scope: Scope, position: int) -> tuple[int, list[str]] | None:
    """The feed's new head after ``position`` and the kinds of the new events the scope may
    see; None when nothing is new."""
    feed = engine.store.feed
    if feed.sequence() <= position:
        return None
    kinds: set[str] = set()
    while entries := feed.entries(position, 500):
        position = entries[-1].position
        kinds.update(e.kind for e in entries if _sees(engine, scope, e))
    return position, sorted(kinds)


def _sees(engine: Engine, scope: Scope, entry: FeedEntry) -> bool:
    if scope.actor is None:
        return not entry.confidential
    if scope.agency is None:
        return True
    agency = engine.store.load(entry.complaint_id).complaint.agency
    return agency is not None and agency in engine.sub_agencies(scope.agency)
