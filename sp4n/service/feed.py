"""/v1/feed and /v1/webhooks: the feed's consumers and parked events, and webhook endpoints.

The feed is the whole system's: an ``agency`` consumer receives every agency's events, and a
``national`` one every reporter's identity. So only a person acting as ``national_admin``
(through a key that holds that role) may read or change them; anyone else is refused (403),
the public 401. Each route is one call of :class:`sp4n.workflow.feed.Feed` or
:mod:`sp4n.integration.endpoints`, as ``sp4n feed`` and ``sp4n webhooks`` make them. A signing
secret is answered once, when it is made.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from sp4n.integration.endpoints import add_endpoint, endpoints, rotate_secret
from sp4n.persistence.feed_records import Consumer
from sp4n.service.auth import Caller
from sp4n.service.context import Services, caller, services
from sp4n.service.problems import Problem
from sp4n.service.schemas import (
    ConsumerOut,
    EndpointBody,
    EndpointOut,
    ParkedOut,
    RetriedOut,
    SecretOut,
)
from sp4n.states.model import Role
from sp4n.workflow.actor import Actor

feed_router = APIRouter(prefix="/v1/feed", tags=["feed"])
webhooks_router = APIRouter(prefix="/v1/webhooks", tags=["webhooks"])

ADMINISTERS = Role.NATIONAL_ADMIN
"""The only role that administers the feed and webhooks over HTTP."""


def administrator(who: Annotated[Caller, Depends(caller)]) -> Actor:
    """The acting person, when they may administer the feed (a FastAPI dependency)."""
    actor = who.require_actor()
    if actor.role is not ADMINISTERS:
        detail = "the feed and webhooks are administered by a national_admin only"
        raise Problem(403, "PermissionDenied", detail, field="Sp4n-Actor-Role", value=actor.role.value)
    return actor


Admin = Annotated[Actor, Depends(administrator)]
ServicesDep = Annotated[Services, Depends(services)]
Position = Annotated[int, Query(ge=1, le=2**62)]


def _consumer_out(svc: Services, name: str) -> ConsumerOut:
    state = svc.engine.feed.status(name)
    c = state.consumer
    return ConsumerOut(
        name=c.name,
        audience=c.audience.value,
        status=c.status.value,
        url=c.url,
        historical=c.historical,
        cursor=c.cursor,
        head=state.head,
        queued=state.queued,
        parked=state.parked,
        disabled_reason=c.disabled_reason,
    )


@feed_router.get("/consumers", response_model=list[ConsumerOut], summary="Feed consumers")
def list_consumers(_: Admin, svc: ServicesDep) -> list[ConsumerOut]:
    """Each consumer's cursor, the feed's head, and how many events wait or are parked."""
    return [_consumer_out(svc, c.name) for c in svc.engine.feed.consumers()]


@feed_router.get("/consumers/{name}", response_model=ConsumerOut, summary="One feed consumer")
def show_consumer(name: str, _: Admin, svc: ServicesDep) -> ConsumerOut:
    """One consumer's state (404 for an unknown name)."""
    return _consumer_out(svc, name)


@feed_router.get("/consumers/{name}/parked", response_model=list[ParkedOut], summary="Parked events")
def parked(name: str, _: Admin, svc: ServicesDep, limit: Annotated[int, Query(ge=1, le=1000)] = 100) -> list[ParkedOut]:
    """A consumer's parked events (dead letters), in position order, with their last errors."""
    return [
        ParkedOut(
            position=d.position,
            complaint_id=d.complaint_id,
            attempts=d.attempts,
            queued_at=d.queued_at.isoformat(),
            last_error=d.last_error,
        )
        for d in svc.engine.feed.parked(name, limit)
    ]


@feed_router.post("/consumers/{name}/retry", response_model=RetriedOut, summary="Retry parked events")
def retry(name: str, _: Admin, svc: ServicesDep, position: Position | None = None) -> RetriedOut:
    """Queue a consumer's parked events again (one, with ``position``, or all), with fresh attempts."""
    return RetriedOut(queued=svc.engine.feed.retry(name, position))


@feed_router.post("/consumers/{name}/skip", status_code=204, summary="Skip one event")
def skip(name: str, _: Admin, svc: ServicesDep, position: Position) -> Response:
    """Give up on the event at ``position`` for this consumer (it is never delivered to it)."""
    svc.engine.feed.skip(name, position)
    return Response(status_code=204)


def _endpoint_out(c: Consumer) -> EndpointOut:
    assert c.url is not None
    return EndpointOut(
        name=c.name,
        url=c.url,
        audience=c.audience.value,
        status=c.status.value,
        historical=c.historical,
        max_attempts=c.max_attempts,
        secrets=len(c.secrets),
        disabled_reason=c.disabled_reason,
    )


@webhooks_router.post("", status_code=201, response_model=SecretOut, summary="Add a webhook endpoint")
def add_webhook(body: EndpointBody, _: Admin, svc: ServicesDep, response: Response) -> SecretOut:
    """A new endpoint that receives the feed (from ``start``: ``now``, ``beginning`` or a
    position) as signed CloudEvents; its signing secret is in this answer only."""
    consumer, secret = add_endpoint(
        svc.engine.feed,
        body.name,
        body.url,
        body.audience,
        start=int(body.start) if body.start.isdigit() else body.start,
        historical=body.historical,
        max_attempts=body.max_attempts,
    )
    response.headers["Location"] = f"/v1/webhooks/{consumer.name}"
    return SecretOut(endpoint=_endpoint_out(consumer), secret=secret)


@webhooks_router.get("", response_model=list[EndpointOut], summary="Webhook endpoints")
def list_webhooks(_: Admin, svc: ServicesDep) -> list[EndpointOut]:
    """Every endpoint, with how many secrets it signs with (never the secrets)."""
    return [_endpoint_out(c) for c in endpoints(svc.engine.feed)]


@webhooks_router.post("/{name}/rotate", response_model=SecretOut, summary="Rotate a signing secret")
def rotate(
    name: str,
    _: Admin,
    svc: ServicesDep,
    drop_old: Annotated[bool, Query(description="keep only the new secret")] = False,
) -> SecretOut:
    """A new secret, signed beside the old ones until a rotation with ``drop_old``."""
    consumer, secret = rotate_secret(svc.engine.feed, name, drop_old=drop_old)
    return SecretOut(endpoint=_endpoint_out(consumer), secret=secret)


@webhooks_router.delete("/{name}", status_code=204, summary="Remove a webhook endpoint")
def remove(name: str, _: Admin, svc: ServicesDep) -> Response:
    """Forget the endpoint and its queue."""
    svc.engine.feed.remove_consumer(name)
    return Response(status_code=204)
