"""Staying in step with the national LAPOR!: the feed's way out, forwarded reports' way in.

Outbound, a feed consumer of audience ``national`` (named ``lapor`` by default) is delivered by
:meth:`NationalSync.send`: a complaint filed here is created nationally and the national id is
stored as its ``external_id`` (:meth:`sp4n.workflow.Engine.link_external`, the engine's one
change path); a later event that enters a state sends that state's LAPOR! label
(``lapor_statuses`` of the complaint's SOP), or "not our authority" with its reason. A retry
is safe: a complaint already linked is not created again, and a create sent twice is answered
with the first national id. Complaints that came from elsewhere (an ``external_id`` at filing)
are not created nationally, but their later statuses are sent.

Inbound, :meth:`NationalSync.pull` takes in the reports the national admin forwarded, each
filed with its original receipt instant (backdated intake) and its national id as
``external_id``, so a report pulled twice is filed once. The institution a report went to
names the local agency through the agency registry's ``external_ids: {lapor: ...}``.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sp4n.errors import DuplicateComplaint, Sp4nError
from sp4n.integration.national import ForwardedReport, NationalComplaint, NationalGateway
from sp4n.persistence.feed_records import Audience, Consumer
from sp4n.states.lapor import NOT_AUTHORITY
from sp4n.workflow.actor import SYSTEM, Actor
from sp4n.workflow.audience import REPORTER_FIELDS
from sp4n.workflow.engine import Engine
from sp4n.workflow.feed import DeliveryResult, FeedItem

log = logging.getLogger("sp4n.national")

CONSUMER = "lapor"
"""The default name of the national feed consumer."""


@dataclass
class PullResult:
    """What one pull took in: national ids filed now, already known, and refused (with why)."""

    filed: list[str] = field(default_factory=list)
    known: list[str] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)
    cursor: str | None = None
    """The cursor after the last page read (give it as ``after`` to read only what is newer)."""


class NationalSync:
    """Keeps one engine in step with the national LAPOR! through ``gateway``."""

    def __init__(
        self,
        engine: Engine,
        gateway: NationalGateway,
        *,
        consumer: str = CONSUMER,
        institution: str | None = None,
        sop: str = "national",
        admin: Actor | None = None,
    ) -> None:
        self.engine = engine
        self.gateway = gateway
        self.consumer = consumer
        self.institution = institution
        """This region's institution id in LAPOR!: pull takes in the reports forwarded to it."""
        self.sop = sop
        self.admin = admin or Actor.national_admin("lapor")
        """Who files forwarded reports (the national admin forwarded them)."""

    # ------------------------------------------------------------------ outbound

    def ensure_consumer(self, start: str | int = "now") -> Consumer:
        """The national feed consumer, added (from ``start``) if there is none."""
        found = self.engine.store.feed.consumer(self.consumer)
        if found is not None:
            return found
        return self.engine.feed.add_consumer(self.consumer, Audience.NATIONAL, start=start)

    def push(
        self, limit: int = 100, *, owner: str | None = None, lease: timedelta = timedelta(minutes=2)
    ) -> DeliveryResult:
        """Deliver up to ``limit`` waiting events of the national consumer."""
        owner = owner or f"national-{uuid.uuid4().hex[:12]}"
        return self.engine.feed.deliver(self.consumer, self.send, limit, owner=owner, lease=lease)

    def send(self, item: FeedItem) -> None:
        """Deliver one event of the national consumer (the feed's handler)."""
        data = item.data
        payload: dict[str, Any] = data.get("payload") or {}
        if item.kind == "submitted":
            if not payload.get("external_id"):
                self._create(item, payload)
            # a routing rule's transition, in the same change, follows as its own event
            return
        dest = data.get("dest")
        if dest is None or dest == data.get("source"):
            return
        complaint = self.engine.store.load(item.complaint_id).complaint
        if complaint.external_id is None:
            log.debug("national: %s is not linked; state %s not sent", item.complaint_id, dest)
            return
        sop = self.engine.registry.get(complaint.sop_id, complaint.sop_version).sop
        label = sop.lapor_statuses.get(dest)
        if label is None:
            return
        if label == NOT_AUTHORITY:
            self.gateway.reject(complaint.external_id, str(payload.get("reason") or dest))
        else:
            note = payload.get("response") or payload.get("reason") or ""
            self.gateway.update_status(complaint.external_id, label, reference=item.id, note=str(note))

    def _create(self, item: FeedItem, payload: dict[str, Any]) -> None:
        complaint = self.engine.store.load(item.complaint_id).complaint
        if complaint.external_id is not None:
            return  # created and linked before a crash kept the delivery from being recorded
        agency = self.engine.agencies.get(complaint.agency) if complaint.agency else None
        national = NationalComplaint(
            reference=item.complaint_id,
            title=str(payload.get("title") or complaint.title),
            content=str(payload.get("description") or complaint.description or complaint.title),
            channel=str(payload.get("channel") or complaint.channel),
            classification=payload.get("classification"),
            category=payload.get("category"),
            # the flags as the report is now: a verification may have made it anonim or rahasia
            # after the submission this event carries
            is_anonymous=complaint.anonymous,
            is_secret=complaint.confidential,
            institution=agency.external_ids.get("lapor") if agency is not None else None,
        )
        national_id = self.gateway.create_complaint(national)
        self.engine.link_external(item.complaint_id, national_id, SYSTEM)
        log.info("national: %s filed as %s", item.complaint_id, national_id)

    # ------------------------------------------------------------------ inbound

    def pull(self, *, after: str | None = None, limit: int = 100) -> PullResult:
        """Take in every report forwarded to this region after cursor ``after``."""
        result = PullResult(cursor=after)
        while True:
            page = self.gateway.forwarded(self.institution, result.cursor, limit)
            for report in page.reports:
                self.take_in(report, result)
            if page.next is None or not page.reports:
                counts = (len(result.filed), len(result.known), len(result.refused))
                log.info("national: forwarded reports filed %d, known %d, refused %d", *counts)
                return result
            result.cursor = page.next

    def take_in(self, report: ForwardedReport, result: PullResult | None = None) -> str | None:
        """File one forwarded report (once: idempotent by its national id); the complaint's id,
        or None when it was known already or refused (recorded in ``result``)."""
        result = result if result is not None else PullResult()
        nid = report.national_id
        if self.engine.store.taken_external_ids([nid]):
            result.known.append(nid)
            return None
        agency = self.engine.agencies.by_external_id("lapor", report.institution_id) if report.institution_id else None
        try:
            view = self.engine.submit(
                self.admin,
                title=report.title,
                description=report.content,
                sop=self.sop,
                channel=report.channel,
                classification=report.classification,
                category=report.category,
                anonymous=report.is_anonymous,
                confidential=report.is_secret,
                agency=agency.id if agency is not None else None,
                reporter_name=report.reporter_name,
                received_at=report.received_at,
                external_id=nid,
            )
        except DuplicateComplaint:
            result.known.append(nid)  # another process took it in meanwhile
            return None
        except Sp4nError as exc:
            reason = refusal(exc)
            log.warning("national: forwarded report %s refused: %s", nid, reason)
            result.refused.append((nid, reason))
            return None
        result.filed.append(nid)
        return view.id


def refusal(exc: Sp4nError) -> str:
    """Why a forwarded report was refused, for logs and terminals: the error as it reads, but
    without the value when the refused field names or reaches the reporter (their name, id,
    contact or attributes), which an anonymous report's reporter must never find there."""
    field = getattr(exc, "field", None) or getattr(exc, "argument", None)
    if isinstance(field, str) and field.split(".")[0].split("[")[0] in REPORTER_FIELDS:
        return f"{type(exc).__name__}: the field {field!r} is invalid (its value is withheld)"
    return str(exc)
