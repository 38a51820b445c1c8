"""What every router needs: the engine, the keys, and the caller of the request."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from sp4n.errors import ComplaintNotFound, PermissionDenied
from sp4n.persistence.records import Complaint
from sp4n.service.auth import Caller, identify, reads_store
from sp4n.service.keys import Keys
from sp4n.workflow.actor import Actor
from sp4n.workflow.commands import scope_problem
from sp4n.workflow.engine import Engine
from sp4n.workflow.views import ComplaintView


@dataclass
class Services:
    """The engine and keys of one app (one per process: the engine is shared by all requests)."""

    engine: Engine
    keys: Keys
    metrics: Any


def _services_of(request: Request) -> Services:
    found: Services = request.app.state.sp4n
    return found


async def services(request: Request) -> Services:
    """The app's services (a FastAPI dependency; async, as it does no I/O, so that FastAPI runs
    it on the event loop rather than handing it to a thread of the pool)."""
    return _services_of(request)


async def caller(request: Request) -> Caller:
    """The caller of the request (a FastAPI dependency): 401 or 403 when refused. Checked on the
    event loop when the key was read lately (no I/O), else in a thread of the pool."""
    keys = _services_of(request).keys
    if reads_store(request, keys):
        return await run_in_threadpool(identify, request, keys)
    return identify(request, keys)


def visible_view(engine: Engine, complaint_id: str, actor: Actor | None) -> ComplaintView:
    """The complaint as the caller may see it; one they may not see is answered as missing."""
    try:
        return engine.get(complaint_id, actor)
    except PermissionDenied:
        raise ComplaintNotFound(complaint_id) from None


def in_scope(engine: Engine, complaint_id: str, actor: Actor | None) -> Complaint:
    """The stored complaint, when the actor acts within its scope; else answered as missing."""
    complaint = engine.store.load(complaint_id).complaint
    if actor is None or scope_problem(complaint, actor, engine.agencies) is not None:
        raise ComplaintNotFound(complaint_id)
    return complaint


def language(request: Request) -> str:
    """``id`` or ``en``, whichever Accept-Language prefers (``en`` when it names neither)."""
    choices: list[tuple[float, int, str]] = []
    for i, part in enumerate(request.headers.get("accept-language", "").split(",")):
        tag, _, params = part.strip().partition(";")
        base = tag.strip().lower().split("-")[0]
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        if base in ("id", "en") and quality > 0:
            choices.append((-quality, i, base))
    return sorted(choices)[0][2] if choices else "en"
