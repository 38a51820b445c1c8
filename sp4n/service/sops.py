"""/v1/sops: the SOPs the service runs (list, show, Mermaid diagram) and validating a variant."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import PlainTextResponse

from sp4n.errors import SopNotFoundError
from sp4n.service.context import Services, services
from sp4n.service.problems import Problem
from sp4n.service.schemas import SopCheckOut, SopProblem, SopSummary
from sp4n.states.diagram import sop_to_mermaid
from sp4n.states.loader import sop_problems
from sp4n.states.model import Sop

router = APIRouter(prefix="/v1/sops", tags=["sops"])
ServicesDep = Annotated[Services, Depends(services)]


def _sop(svc: Services, sop_id: str) -> Sop:
    registry = svc.engine.registry
    if sop_id not in registry.ids():
        raise SopNotFoundError(sop_id, registry.ids())
    return registry.get(sop_id).sop


@router.get("", response_model=list[SopSummary], summary="SOPs")
def list_sops(svc: ServicesDep) -> list[SopSummary]:
    """Every SOP the service files complaints under, in its active version."""
    registry = svc.engine.registry
    found = [registry.get(i).sop for i in sorted(registry.ids())]
    return [SopSummary(id=s.id, version=s.version, title=s.title) for s in found]


@router.get("/{sop_id}", summary="Show an SOP")
def show_sop(sop_id: str, svc: ServicesDep) -> dict[str, Any]:
    """The SOP's whole definition (states, transitions, clocks, routing, counting policy)."""
    found: dict[str, Any] = _sop(svc, sop_id).model_dump(mode="json")
    return found


@router.get(
    "/{sop_id}/diagram",
    response_class=PlainTextResponse,
    summary="An SOP as a Mermaid state diagram",
    responses={200: {"content": {"text/plain": {"schema": {"type": "string"}}}}},
)
def sop_diagram(sop_id: str, svc: ServicesDep) -> PlainTextResponse:
    """Mermaid ``stateDiagram-v2`` text."""
    return PlainTextResponse(sop_to_mermaid(_sop(svc, sop_id)))


@router.post(
    "/validate",
    response_model=SopCheckOut,
    summary="Validate an SOP variant",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/yaml": {"schema": {"type": "string"}},
                "application/json": {"schema": {"type": "object"}},
            },
        }
    },
)
async def validate_sop_upload(request: Request) -> SopCheckOut:
    """Check an SOP (YAML or JSON; it may extend a built-in SOP by id) and return its id and
    version, or every located error."""
    raw = await request.body()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise Problem(422, "InvalidData", "the SOP must be UTF-8 text", field="body") from None
    sop, problems = sop_problems(text, source="upload")
    if sop is None:
        return SopCheckOut(valid=False, errors=[SopProblem(location=p.location, reason=p.reason) for p in problems])
    return SopCheckOut(valid=True, id=sop.id, version=sop.version)
