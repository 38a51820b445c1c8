"""/health, /ready and Prometheus /metrics, with the middleware that counts requests."""

from __future__ import annotations

import time
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sp4n.errors import Sp4nError
from sp4n.service.context import Services, services
from sp4n.service.problems import problem_response
from sp4n.service.schemas import StatusOut

router = APIRouter(tags=["operations"])
ServicesDep = Annotated[Services, Depends(services)]


class Metrics:
    """The app's own Prometheus registry (one per app, so several apps in one process, as in
    tests, do not clash): requests by route template and status, and their latency."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "sp4n_http_requests", "HTTP requests answered", ["method", "route", "status"], registry=self.registry
        )
        self.latency = Histogram(
            "sp4n_http_request_seconds", "Time to answer an HTTP request", ["method", "route"], registry=self.registry
        )


class MetricsMiddleware:
    """Counts each request under its route template (never its raw path: ids are unbounded)."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = [500]

        async def send_status(message: Message) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        finally:
            route: Any = scope.get("route")
            name = getattr(route, "path", "(unmatched)")
            self.metrics.requests.labels(scope["method"], name, str(status[0])).inc()
            self.metrics.latency.labels(scope["method"], name).observe(time.perf_counter() - started)


@router.get("/health", response_model=StatusOut, summary="The process answers")
def health() -> StatusOut:
    """200 while the process runs."""
    return StatusOut(status="ok")


@router.get(
    "/ready",
    response_model=StatusOut,
    summary="The database is reachable",
    responses={503: {"description": "the database is not reachable"}},
)
def ready(svc: ServicesDep) -> Any:
    """200 when the store answers, 503 when it does not."""
    try:
        svc.engine.next_due_at()
    except Sp4nError:
        return problem_response(None, 503, "NotReady", "the database is not reachable", retryable=True)
    return StatusOut(status="ready")


@router.get(
    "/metrics",
    response_class=Response,
    summary="Prometheus metrics",
    responses={200: {"content": {"text/plain": {"schema": {"type": "string"}}}}},
)
def metrics(svc: ServicesDep) -> Response:
    """The app's metrics in Prometheus's text format."""
    registry: CollectorRegistry = svc.metrics.registry
    return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)
