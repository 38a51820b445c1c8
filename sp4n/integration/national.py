"""The national SP4N-LAPOR! connector: what sp4n asks of LAPOR! v3, and its HTTP implementation.

:class:`NationalGateway` is the interface; :class:`HttpNationalGateway` speaks the LAPOR! v3
integration API as far as its public traces show it (create a complaint, "not our authority",
the institution list). Two endpoints are sp4n's reading, since LAPOR! shows its API documentation
only to developer accounts: a complaint's status update (``complaints/process/{id}/status``) and
the reports forwarded to an institution (``complaints/forwarded``). A create carries sp4n's
complaint id as ``reference``; the connector takes a 409 answer naming the complaint already made
for it as that complaint's id, so a create sent twice makes one national complaint.

Every answer of the national server becomes a result or a :class:`~sp4n.errors.GatewayError`
in ONE place (:meth:`HttpNationalGateway._call`), retryable or not. The base URL, token and key
come from configuration (:class:`NationalConfig`) and appear in no repr, log line or error.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Protocol, runtime_checkable

import httpx

from sp4n.errors import GatewayError, InvalidArgumentError
from sp4n.integration.webhooks import retry_after_seconds

log = logging.getLogger("sp4n.national")

API = "lapor/3.0.0/"
"""The path of the LAPOR! v3 API under the gateway's base URL."""

ENV = {"base_url": "SP4N_LAPOR_URL", "token": "SP4N_LAPOR_TOKEN", "key": "SP4N_LAPOR_KEY"}
"""The environment variables :meth:`NationalConfig.from_env` reads."""

HIDDEN = "(hidden)"
_HEADER_SAFE = re.compile(r"^[\x21-\x7e]+$")


@dataclass(frozen=True)
class NationalConfig:
    """Where the national LAPOR! is and how to sign in: never written in code, never shown.

    ``token`` goes in the ``token_header`` header and ``key`` as ``Authorization: Bearer``.
    ``classification_ids`` and ``category_ids`` give the national master id of an sp4n name
    (a name without one is sent as it is).
    """

    base_url: str = field(repr=False)
    token: str = field(repr=False)
    key: str = field(repr=False)
    timeout: float = 10.0
    token_header: str = "token"
    classification_ids: Mapping[str, str] = field(default_factory=dict)
    category_ids: Mapping[str, str] = field(default_factory=dict)
    system: str = "lapor"

    def __post_init__(self) -> None:
        if not isinstance(self.base_url, str) or not re.match(r"^https?://[^\s/]+", self.base_url):
            raise InvalidArgumentError("base_url", HIDDEN, "an http:// or https:// URL")
        for name in ("token", "key"):
            value = getattr(self, name)
            if not isinstance(value, str) or not _HEADER_SAFE.match(value):
                raise InvalidArgumentError(name, HIDDEN, "a non-empty string of printable characters, no spaces")
        if not isinstance(self.timeout, int | float) or not 0 < self.timeout <= 300:
            raise InvalidArgumentError("timeout", self.timeout, "seconds, more than 0 and at most 300")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **options: Any) -> NationalConfig:
        """A config from ``SP4N_LAPOR_URL``, ``SP4N_LAPOR_TOKEN`` and ``SP4N_LAPOR_KEY`` (of
        ``environ``, the process environment by default); ``options`` override or add fields."""
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for name, variable in ENV.items():
            if options.get(name):
                values[name] = options[name]
            elif env.get(variable):
                values[name] = env[variable]
            else:
                raise InvalidArgumentError(variable, None, f"the national LAPOR! {name} in the environment")
        return cls(**{**options, **values})

    def __repr__(self) -> str:
        return f"NationalConfig(system={self.system!r}, timeout={self.timeout}, credentials hidden)"


@dataclass(frozen=True)
class Attachment:
    """A file attached to a national complaint, by name and where LAPOR! can fetch it."""

    name: str
    url: str


@dataclass(frozen=True)
class NationalComplaint:
    """A complaint as sent to LAPOR!: no reporter identity is ever part of it."""

    reference: str
    """sp4n's complaint id: LAPOR! answers a second create of it with the first one's id."""
    title: str
    content: str
    channel: str = "web"
    classification: str | None = None
    category: str | None = None
    is_anonymous: bool = False
    is_secret: bool = False
    attachments: Sequence[Attachment] = ()
    date_of_incident: date | None = None
    location: str | None = None
    institution: str | None = None
    """The national id of the institution it goes to (``disposition_id``), when known."""


@dataclass(frozen=True)
class Institution:
    """An institution of the national list (``masters/institutions/external``)."""

    id: str
    name: str
    parent_id: str | None = None


@dataclass(frozen=True)
class ForwardedReport:
    """A report the national admin forwarded to an institution, as LAPOR! received it."""

    national_id: str
    title: str
    content: str
    received_at: datetime
    """When LAPOR! received it: its deadlines count from there."""
    institution_id: str | None = None
    channel: str = "web"
    classification: str | None = None
    category: str | None = None
    is_anonymous: bool = False
    is_secret: bool = False
    reporter_name: str | None = None


@dataclass(frozen=True)
class ForwardedPage:
    """One page of forwarded reports and the cursor of the next (None after the last)."""

    reports: list[ForwardedReport]
    next: str | None


@runtime_checkable
class NationalGateway(Protocol):
    """What sp4n asks of the national LAPOR!. Each call raises GatewayError on failure."""

    def create_complaint(self, complaint: NationalComplaint) -> str:
        """File ``complaint`` nationally; its national id (the same id when sent again)."""
        ...

    def update_status(self, national_id: str, status: str, *, reference: str, note: str = "") -> None:
        """Tell LAPOR! a complaint reached ``status`` (a LAPOR! label); ``reference`` names the
        sp4n event, so a repeat is recognised."""
        ...

    def reject(self, national_id: str, reason: str) -> None:
        """Say "not our authority" (bukan wewenang) for a complaint, with the reason."""
        ...

    def institutions(self) -> list[Institution]:
        """The national list of institutions."""
        ...

    def forwarded(self, institution: str | None, after: str | None = None, limit: int = 100) -> ForwardedPage:
        """Reports forwarded to ``institution`` (every one the key may see when None), after
        cursor ``after``."""
        ...

    def close(self) -> None:
        """Free the connections."""
        ...


class HttpNationalGateway:
    """:class:`NationalGateway` over HTTP, one pooled connection per gateway; ``now`` (the
    engine's clock) reads a ``Retry-After`` given as a date."""

    def __init__(self, config: NationalConfig, *, now: Callable[[], datetime] | None = None) -> None:
        self.config = config
        self._now = now
        self.system = config.system
        self._client = httpx.Client(
            base_url=config.base_url.rstrip("/") + "/" + API,
            timeout=httpx.Timeout(config.timeout, connect=min(config.timeout, 5.0)),
            headers={"authorization": f"Bearer {config.key}", config.token_header: config.token},
        )

    def __repr__(self) -> str:
        return f"HttpNationalGateway({self.config!r})"

    def close(self) -> None:
        """Close the HTTP connections."""
        self._client.close()

    def __enter__(self) -> HttpNationalGateway:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ calls

    def create_complaint(self, complaint: NationalComplaint) -> str:
        """POST ``complaints/complaint``; a 409 naming the complaint made for the same reference
        is that complaint's id."""
        c, cfg = complaint, self.config
        body = {
            "reference": c.reference,
            "title": c.title,
            "content": c.content,
            "channel": c.channel,
            "classification_id": cfg.classification_ids.get(c.classification or "", c.classification),
            "category_id": cfg.category_ids.get(c.category or "", c.category),
            "disposition_id": c.institution,
            "location_id": c.location,
            "date_of_incident": c.date_of_incident.isoformat() if c.date_of_incident else None,
            "is_anonymous": c.is_anonymous,
            "is_secret": c.is_secret,
            "attachments": [{"name": a.name, "url": a.url} for a in c.attachments],
        }
        status, answer = self._call("POST", "complaints/complaint", f"create {c.reference}", body, accept=(409,))
        national_id = _text(_data(answer).get("id"))
        if not national_id:
            raise GatewayError(self.system, f"create {c.reference}", status, "the answer carries no complaint id")
        if status == 409:
            log.info("%s: %s was already filed as %s", self.system, c.reference, national_id)
        return national_id

    def update_status(self, national_id: str, status: str, *, reference: str, note: str = "") -> None:
        """POST ``complaints/process/{id}/status``."""
        body = {"status": status, "reference": reference, "content": note}
        self._call("POST", f"complaints/process/{_segment(national_id)}/status", f"status {national_id}", body)

    def reject(self, national_id: str, reason: str) -> None:
        """POST ``complaints/process/{id}/reject`` with ``not_authority``."""
        body = {"reason": reason, "not_authority": True}
        self._call("POST", f"complaints/process/{_segment(national_id)}/reject", f"reject {national_id}", body)

    def institutions(self) -> list[Institution]:
        """GET ``masters/institutions/external``."""
        _, answer = self._call("GET", "masters/institutions/external", "institutions")
        rows = answer.get("data") if isinstance(answer, dict) else None
        if not isinstance(rows, list):
            raise GatewayError(self.system, "institutions", 200, "the answer carries no list")
        return [
            Institution(_text(r.get("id")), _text(r.get("name")), _text(r.get("parent_id")) or None)
            for r in rows
            if isinstance(r, dict)
        ]

    def forwarded(self, institution: str | None, after: str | None = None, limit: int = 100) -> ForwardedPage:
        """GET ``complaints/forwarded``: a page of reports and the next cursor."""
        if not isinstance(limit, int) or not 1 <= limit <= 1000:
            raise InvalidArgumentError("limit", limit, "a whole number from 1 to 1000")
        params = {"limit": str(limit), **({"institution_id": institution} if institution else {})}
        if after:
            params["after"] = after
        _, answer = self._call("GET", "complaints/forwarded", "forwarded", params=params)
        rows = answer.get("data") if isinstance(answer, dict) else None
        if not isinstance(rows, list):
            raise GatewayError(self.system, "forwarded", 200, "the answer carries no list")
        meta = answer.get("meta") if isinstance(answer.get("meta"), dict) else {}
        return ForwardedPage([self._report(r) for r in rows], _text(meta.get("next")) or None)

    # ------------------------------------------------------------------ the one translation

    def _call(
        self,
        method: str,
        path: str,
        action: str,
        body: dict[str, Any] | None = None,
        *,
        params: dict[str, str] | None = None,
        accept: tuple[int, ...] = (),
    ) -> tuple[int, Any]:
        """(status, JSON) of a 2xx answer (or of a status in ``accept``); GatewayError for
        anything else, retryable or not, with no credential in it."""
        try:
            answer = self._client.request(method, path, json=body, params=params)
        except httpx.TimeoutException as exc:
            raise GatewayError(self.system, action, None, f"timed out ({type(exc).__name__})") from None
        except httpx.TransportError as exc:
            raise GatewayError(self.system, action, None, type(exc).__name__) from None
        code = answer.status_code
        try:
            parsed: Any = answer.json() if answer.content else {}
        except ValueError:
            parsed = None
        if 200 <= code < 300 or code in accept:
            if not isinstance(parsed, dict):
                raise GatewayError(self.system, action, code, "the answer is not a JSON object", retryable=True)
            return code, parsed
        message = parsed.get("message") if isinstance(parsed, dict) else None
        reason = self._scrub(str(message)[:200]) if message else answer.reason_phrase
        wait = retry_after_seconds(answer, self._now() if self._now else None) if code in (429, 503) else None
        raise GatewayError(self.system, action, code, reason, wait)

    def _scrub(self, text: str) -> str:
        """``text`` with the credentials cut out (a server may echo what it was sent)."""
        for secret in (self.config.token, self.config.key, self.config.base_url):
            text = text.replace(secret, HIDDEN)
        return text

    def _report(self, row: Any) -> ForwardedReport:
        if not isinstance(row, dict):
            raise GatewayError(self.system, "forwarded", 200, "a report is not a JSON object")
        national_id = _text(row.get("id"))
        try:
            received = datetime.fromisoformat(_text(row.get("created_at")))
        except ValueError:
            received = None
        if not national_id or received is None or received.tzinfo is None:
            reason = f"report {national_id or '(no id)'}: created_at {row.get('created_at')!r} is not an instant"
            raise GatewayError(self.system, "forwarded", 200, reason, retryable=False)
        return ForwardedReport(
            national_id=national_id,
            title=_text(row.get("title")),
            content=_text(row.get("content")),
            received_at=received,
            institution_id=_text(row.get("institution_id")) or None,
            channel=_text(row.get("channel")) or "web",
            classification=_text(row.get("classification")) or None,
            category=_text(row.get("category")) or None,
            is_anonymous=row.get("is_anonymous") is True,
            is_secret=row.get("is_secret") is True,
            reporter_name=_text(row.get("reporter_name")) or None,
        )


def _data(answer: Any) -> dict[str, Any]:
    data = answer.get("data") if isinstance(answer, dict) else None
    return data if isinstance(data, dict) else {}


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _segment(national_id: str) -> str:
    """A national id as one path segment (refused if it would not stay one)."""
    if not isinstance(national_id, str) or not re.match(r"^[A-Za-z0-9_.:-]{1,128}$", national_id):
        raise InvalidArgumentError("national_id", national_id, "1-128 letters, digits, '_', '.', ':' or '-'")
    return national_id
