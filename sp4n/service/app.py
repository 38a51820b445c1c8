"""``create_app(engine)``: the FastAPI app of ``sp4n serve``, which a Python host may also mount.

Each resource has its own router (complaints, SOPs, calendar, Open311, operations); the app adds
the error handlers (problem+json), the body limit and the metrics. It adds no rules of its own:
every request maps to one call of the engine, as the same person would make in-process.
"""

from __future__ import annotations

from typing import Any

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import JSONResponse

from sp4n import __version__
from sp4n.errors import Sp4nError
from sp4n.service import calendar, complaints, feed, imports, open311, ops, reports, sops
from sp4n.service.context import Services, caller
from sp4n.service.dashboard import routes as dashboard
from sp4n.service.keys import Keys, key_store_for
from sp4n.service.limits import DEFAULT_MAX_BODY, BodyLimit
from sp4n.service.problems import Problem, handle_problem, handle_sp4n, problem_response
from sp4n.workflow.engine import Engine

V1_ROUTERS = (
    complaints.router,
    sops.router,
    calendar.router,
    imports.router,
    feed.feed_router,
    feed.webhooks_router,
    reports.router,
    dashboard.api,
)
"""The /v1 resources, one router each: every request to them is checked for its key (a new
resource adds its router here)."""

OTHER_ROUTERS = (open311.router, ops.router, dashboard.page)
"""Open311 (with its own ``api_key`` parameter), the operations endpoints and the dashboard page."""

DESCRIPTION = """\
sp4n runs SP4N-LAPOR! complaints through SOP state machines on the Indonesian working-day
calendar. Send an API key as `Authorization: Bearer <key>` and name the acting person in the
`Sp4n-Actor-Id`, `Sp4n-Actor-Role`, `Sp4n-Actor-Agency` and `Sp4n-Actor-Unit` headers; without a
key you get the public views. Errors are RFC 9457 problem details."""


def create_app(engine: Engine, *, keys: Keys | None = None, max_body: int = DEFAULT_MAX_BODY) -> FastAPI:
    """The HTTP service on ``engine`` (one engine per process; its endpoints run in FastAPI's
    threadpool). ``keys`` defaults to the keys kept beside the engine's store."""
    app = FastAPI(title="sp4n", version=__version__, description=DESCRIPTION)
    metrics = ops.Metrics()
    app.state.sp4n = Services(engine, keys or Keys(key_store_for(engine.store), engine.now), metrics)
    for router in V1_ROUTERS:
        app.include_router(router, dependencies=[Depends(caller)])
    for router in OTHER_ROUTERS:
        app.include_router(router)
    app.add_exception_handler(Problem, handle_problem)
    app.add_exception_handler(Sp4nError, handle_sp4n)
    app.add_exception_handler(Exception, handle_sp4n)
    app.add_exception_handler(RequestValidationError, _invalid_request)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_middleware(BodyLimit, limit=max_body)
    app.add_middleware(ops.MetricsMiddleware, metrics=metrics)
    return app


async def _invalid_request(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    first: dict[str, Any] = exc.errors()[0] if exc.errors() else {}
    loc = [str(p) for p in first.get("loc", ())]
    if first.get("type") == "json_invalid":
        return problem_response(request, 400, "MalformedJson", "the body is not valid JSON", field="body")
    field = ".".join(loc[1:] if loc and loc[0] in ("body", "query", "header", "path") else loc) or None
    detail = f"{field}: {first.get('msg', 'invalid')}" if field else str(first.get("msg", "invalid request"))
    return problem_response(request, 422, "InvalidRequest", detail, field=field, value=first.get("input"))


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    names = {404: "NotFound", 405: "MethodNotAllowed", 400: "BadRequest"}
    error = names.get(exc.status_code, "HttpError")
    return problem_response(request, exc.status_code, error, str(exc.detail), headers=dict(exc.headers or {}))
