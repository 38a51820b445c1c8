"""/v1/reports: KPI reports of a period, as the caller's key may see them.

``GET /v1/reports/kpis?period=2026-Q1&by=agency&by=month`` answers what
``sp4n report --format json`` prints (see docs/reports.md): an agency's key counts its own tree,
the public only aggregates of reports that are not confidential, and never per staff member.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from sp4n.reports import kpis
from sp4n.service.auth import Caller
from sp4n.service.context import Services, caller, services

router = APIRouter(prefix="/v1/reports", tags=["reports"])
ServicesDep = Annotated[Services, Depends(services)]
CallerDep = Annotated[Caller, Depends(caller)]


@router.get("/kpis", summary="KPIs of a period")
def kpi_report(
    who: CallerDep,
    svc: ServicesDep,
    period: Annotated[str, Query(max_length=16, description="2026-11-29, 2026-W14, 2026-03, 2026-Q1, 2026-H1, 2026")],
    by: Annotated[list[str] | None, Query(max_length=8, description="splits: agency, category, month, ...")] = None,
) -> dict[str, Any]:
    """The report's rows and total (docs/reports.md defines every figure)."""
    return kpis(svc.engine, who.actor, period=period, by=by or ()).to_dict()
