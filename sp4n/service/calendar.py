"""/v1/calendar: the active calendar's non-working days of a year, and an explained due date."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response

from sp4n.calendars.duration import Duration
from sp4n.calendars.zones import require_aware
from sp4n.errors import InvalidArgumentError
from sp4n.service.context import Services, language, services
from sp4n.service.schemas import CalendarYearOut, DueOut, NonWorkingDayOut

router = APIRouter(prefix="/v1/calendar", tags=["calendar"])
ServicesDep = Annotated[Services, Depends(services)]


@router.get("/due", response_model=DueOut, summary="An explained due date")
def due(
    request: Request,
    response: Response,
    svc: ServicesDep,
    start: Annotated[str, Query(max_length=64, description="an aware ISO 8601 instant")],
    duration: Annotated[str, Query(max_length=64, description="e.g. '5 working days'")],
    zone: Annotated[str | None, Query(max_length=64, description="IANA zone or WIB, WITA, WIT")] = None,
) -> DueOut:
    """When ``duration`` counted from ``start`` ends on the active calendar (in ``zone``), and
    why, in the language of Accept-Language."""
    try:
        instant = datetime.fromisoformat(start)
    except ValueError:
        raise InvalidArgumentError("start", start, "an ISO 8601 instant with an offset") from None
    require_aware(instant, "start")
    calendar = svc.engine.calendar_for(zone) if zone else svc.engine.calendar
    found = calendar.due(instant, Duration.parse(duration, "duration"))
    lang = language(request)
    response.headers["Content-Language"] = lang
    return DueOut(
        start=instant.isoformat(),
        duration=str(found.duration),
        due_at=found.at.isoformat(),
        due_date=found.local_date.isoformat(),
        zone=calendar.zone,
        calendar_version=calendar.version,
        lang=lang,
        explanation=found.explain("id" if lang == "id" else "en"),
    )


@router.get("/{year}", response_model=CalendarYearOut, summary="A year's non-working days")
def year_days(year: int, svc: ServicesDep) -> CalendarYearOut:
    """The dated non-working days (holidays, joint leave, closures) of ``year``."""
    calendar = svc.engine.calendar
    first, last = calendar.years
    if not first <= year <= last:
        raise InvalidArgumentError("year", year, f"a year the calendar covers, {first} to {last}")
    days = [
        NonWorkingDayOut(
            date=d.date.isoformat(), name=d.name, kind=d.kind.value, source=d.source, estimated=d.estimated
        )
        for d in calendar.non_working_days(year)
    ]
    return CalendarYearOut(year=year, zone=calendar.zone, calendar_version=calendar.version, days=days)
