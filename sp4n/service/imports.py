"""/v1/imports: a manual form book uploaded as CSV or XLSX, checked (a dry run) or taken in.

The body is the book file itself (``text/csv`` or the XLSX media type); it is read by the same
reader as ``sp4n import`` (:mod:`sp4n.workflow.book_files`) and taken in by
``engine.import_book``, with its ``dry_run`` and ``partial`` options. Only an agency admin or a
national admin enters books, as on the command line. A book refused whole is a 422 problem
listing every problem by row and column.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from sp4n.service.auth import Caller
from sp4n.service.context import Services, caller, services
from sp4n.service.problems import Problem
from sp4n.service.schemas import BookOut, BookRowOut
from sp4n.states.model import Role
from sp4n.workflow.book_files import parse_book

router = APIRouter(prefix="/v1/imports", tags=["imports"])

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MEDIA = {"text/csv": "buku.csv", XLSX: "buku.xlsx"}
"""The media types a book may come as, and the file name its reader takes it as."""

ENTERS_BOOKS = (Role.AGENCY_ADMIN, Role.NATIONAL_ADMIN)

_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "text/csv": {"schema": {"type": "string"}},
            XLSX: {"schema": {"type": "string", "format": "binary"}},
        },
    }
}


@router.post(
    "",
    response_model=BookOut,
    summary="Import a manual form book",
    openapi_extra=_BODY,
    responses={201: {"description": "the new rows were written", "model": BookOut}},
)
async def import_book(
    request: Request,
    response: Response,
    who: Annotated[Caller, Depends(caller)],
    svc: Annotated[Services, Depends(services)],
    dry_run: Annotated[bool, Query(description="check every row, write nothing")] = False,
    partial: Annotated[bool, Query(description="write the good rows, report the wrong ones")] = False,
    sop: Annotated[str, Query(min_length=1, max_length=64)] = "national",
) -> BookOut:
    """Check every row of the book, then (unless a dry run) write the new ones in one
    transaction: 201 when rows were written, 200 otherwise. Importing the same book again
    writes nothing new (its rows are ``known``)."""
    actor = who.require_actor()
    if actor.role not in ENTERS_BOOKS:
        detail = "only an agency_admin or a national_admin enters a manual form book"
        raise Problem(403, "PermissionDenied", detail, field="Sp4n-Actor-Role", value=actor.role.value)
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media not in MEDIA:
        detail = f"send the book as text/csv or {XLSX}"
        raise Problem(415, "UnsupportedMediaType", detail, field="Content-Type", value=media or None)
    rows = parse_book(await request.body(), MEDIA[media])
    result = await run_in_threadpool(svc.engine.import_book, rows, actor, sop=sop, partial=partial, dry_run=dry_run)
    if result.written:
        response.status_code = 201
    return BookOut(
        written=result.written,
        new=result.count("new"),
        known=result.count("known"),
        wrong=result.count("wrong"),
        rows=[BookRowOut.model_validate(asdict(r)) for r in result.rows],
    )
