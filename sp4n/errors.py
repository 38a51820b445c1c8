"""The errors sp4n raises, as one small tree rooted at :class:`Sp4nError`.

Every error carries the facts that caused it as attributes and builds its message from them,
so a caller can react to the facts and a person can read the message::

    Sp4nError
     +-- DocumentError                  a YAML, JSON or TOML document that cannot be read within limits
     +-- InvalidArgumentError           an argument of the wrong type or value
     +-- CalendarError
     |    +-- NaiveDatetimeError        a datetime without tzinfo
     |    +-- UnknownZoneError          a zone name that is not IANA nor WIB/WITA/WIT
     |    +-- DateOutOfRangeError       a date outside the years a calendar covers
     |    +-- InvalidDurationError      "3 hari" or "-2 working days"
     |    +-- OverrideFileError         a malformed override or iCalendar file
     +-- SopError
     |    +-- SopValidationError        an SOP that is malformed or does not make sense
     |    +-- SopNotFoundError          an SOP id (or extends target) that is not known
     +-- AgencyError
     |    +-- AgencyRegistryError       an agency registry file that is malformed (every problem)
     |    +-- UnknownAgency             an agency id the registry does not hold
     +-- WorkflowError                  (see sp4n.workflow)
     |    +-- BookError                 a manual form book (or its file) with rows or columns that are wrong
     +-- FeedError                      the feed, its consumers and the systems they reach
     |    +-- ConsumerNotFound          a consumer name that is not known
     |    +-- DuplicateConsumer         a consumer name that is already taken
     |    +-- GatewayError              another system refused or failed a request
     |    +-- InvalidSignature          a webhook whose signature, timestamp or secret does not hold
     +-- StoreError                     storage could not do what was asked
          +-- ConcurrencyConflict       the complaint changed since it was loaded (the version check)
          +-- IdempotencyConflict       an idempotency key used again for another command
          +-- DuplicateComplaint        a complaint id or tracking number that is already stored
          +-- DuplicateEvent            an event number a complaint already has
          +-- DatabaseUnavailable       the database cannot be reached or opened
          |    +-- DatabaseBusy         SQLite's write lock stayed taken past the busy timeout (retry)
          +-- SchemaOutdated            the database is at another schema revision

Errors about bad input also derive from :class:`ValueError`, so code that only knows the
standard library still catches them. A value is shown in a message by :func:`shown`: in full
when it is short, cut with its length when it is not, so a huge value never fills a log.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any


class Sp4nError(Exception):
    """Root of every error sp4n raises on purpose."""


SHOWN_CHARS = 120
"""How much of a value's repr a message shows."""


def shown(value: Any) -> str:
    """``repr(value)`` for a message: cut after :data:`SHOWN_CHARS` characters (saying how long it
    was), and never failing, whatever the value (a 5,000-digit number, a lone surrogate)."""
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 4 * SHOWN_CHARS:
        return f"<an integer of about {int(value.bit_length() * 0.30103)} digits>"
    try:
        text = repr(value)
    except Exception:  # a foreign object whose repr fails must not hide the error being reported
        return f"<{type(value).__name__} object>"
    if len(text) <= SHOWN_CHARS:
        return text
    return f"{text[: SHOWN_CHARS - 20]}...{text[-12:]} ({len(text)} characters)"


class CalendarError(Sp4nError):
    """Something is wrong with a calendar, a date, an instant or a duration."""


class NaiveDatetimeError(CalendarError, ValueError):
    """A datetime without a timezone was given where an instant is needed."""

    def __init__(self, argument: str, value: Any) -> None:
        self.argument = argument
        self.value = value
        super().__init__(
            f"{argument}={shown(value)} is a naive datetime; give a timezone-aware one "
            f"(e.g. with tzinfo=ZoneInfo('Asia/Jakarta') or a '+07:00' offset)"
        )


class UnknownZoneError(CalendarError, ValueError):
    """A zone that is neither an IANA name nor one of WIB, WITA, WIT."""

    def __init__(self, argument: str, value: Any) -> None:
        self.argument = argument
        self.value = value
        super().__init__(
            f"{argument}={shown(value)} is not a known time zone; use an IANA name such as "
            f"'Asia/Jakarta', 'Asia/Makassar', 'Asia/Jayapura' or the aliases WIB, WITA, WIT"
        )


class DateOutOfRangeError(CalendarError, ValueError):
    """A date (given, or reached by arithmetic) outside the years a calendar covers."""

    def __init__(self, argument: str, value: Any, first: date, last: date) -> None:
        self.argument = argument
        self.value = value
        self.first = first
        self.last = last
        super().__init__(
            f"{argument}={shown(value)} is outside the calendar, which covers "
            f"{first.isoformat()} to {last.isoformat()}; build it with more years "
            f"or allow_uncovered=True"
        )


class InvalidDurationError(CalendarError, ValueError):
    """A duration that cannot be parsed or is not allowed."""

    def __init__(self, argument: str, value: Any, reason: str) -> None:
        self.argument = argument
        self.value = value
        self.reason = reason
        super().__init__(f"{argument}={shown(value)} is not a valid duration: {reason}")


class _AtLocation(Exception):
    """An error in a file (or a mapping) at a place inside it: ``source: location: reason``."""

    def __init__(self, source: str, location: str, reason: str) -> None:
        self.source = source
        self.location = location
        self.reason = reason
        where = f"{source}: {location}" if location else source
        super().__init__(f"{where}: {reason}")


class DocumentError(_AtLocation, Sp4nError, ValueError):
    """A YAML, JSON or TOML document that cannot be read, or not within the limits set for it.

    Raised by :mod:`sp4n.documents` with an empty ``source``; each reader re-raises it as its own
    error, naming the file.
    """

    def __init__(self, location: str, reason: str, source: str = "") -> None:
        super().__init__(source, location, reason)


class OverrideFileError(_AtLocation, CalendarError, ValueError):
    """A calendar override (or iCalendar) file or mapping that cannot be applied."""


class InvalidArgumentError(Sp4nError, ValueError):
    """An argument of the wrong type or value, named with the value given."""

    def __init__(self, argument: str, value: Any, expected: str) -> None:
        self.argument = argument
        self.value = value
        self.expected = expected
        super().__init__(f"{argument}={shown(value)} is invalid: expected {expected}")


class SopError(Sp4nError):
    """Something is wrong with an SOP definition."""


class SopValidationError(_AtLocation, SopError, ValueError):
    """An SOP file or mapping that is malformed, or whose rules do not hold together.

    ``source`` names the file (or ``<dict>``), ``location`` the place inside it: the line and
    column when the SOP was read from YAML, then the path, such as ``line 12, column 7:
    clocks.verification.budget``. ``others`` are the further mistakes found in the same pass;
    the message shows every one, each on its own line.
    """

    def __init__(self, source: str, location: str, reason: str, others: Sequence[SopValidationError] = ()) -> None:
        super().__init__(source, location, reason)
        self.others = tuple(others)
        if self.others:
            self.args = ("\n".join([str(self.args[0]), *(str(other) for other in self.others)]),)

    @property
    def errors(self) -> tuple[SopValidationError, ...]:
        """This mistake and the others, one error each."""
        return (SopValidationError(self.source, self.location, self.reason), *self.others)


class SopNotFoundError(SopError, LookupError):
    """An SOP id that is neither built in nor registered, nor a readable file."""

    def __init__(self, sop_id: str, known: tuple[str, ...] = ()) -> None:
        self.sop_id = sop_id
        self.known = known
        hint = f"; known: {', '.join(known)}" if known else ""
        super().__init__(f"SOP {shown(sop_id)} is not known{hint}")


class AgencyError(Sp4nError):
    """Something is wrong with the agency registry or an agency named against it."""


class AgencyRegistryError(AgencyError, ValueError):
    """An agency registry that cannot be used: every problem found, each on its own line as
    ``source: line L, column C: reason`` (or ``source: location: reason`` for data not read
    from a file), so a registry with three mistakes is fixed in one round."""

    def __init__(self, source: str, problems: Sequence[tuple[str, str]]) -> None:
        self.source = source
        self.problems = tuple(problems)
        lines = [f"{source}: {where}: {reason}" if where else f"{source}: {reason}" for where, reason in problems]
        super().__init__("\n".join(lines))


class UnknownAgency(AgencyError, LookupError):
    """An agency id that the registry does not hold."""

    def __init__(self, field: str, agency: str, hint: str = "") -> None:
        self.field = field
        self.agency = agency
        super().__init__(f"{field}={agency!r} is not an agency of the registry{hint}")


class WorkflowError(Sp4nError):
    """A command that cannot be applied to a complaint. Nothing was changed."""


class ComplaintNotFound(WorkflowError, LookupError):
    """No complaint has this id."""

    def __init__(self, complaint_id: str) -> None:
        self.complaint_id = complaint_id
        super().__init__(f"complaint {shown(complaint_id)} does not exist")


class TransitionNotAllowed(WorkflowError):
    """A trigger that the SOP does not allow from the complaint's current state."""

    def __init__(self, complaint_id: str, trigger: str, state: str, allowed: tuple[str, ...]) -> None:
        self.complaint_id = complaint_id
        self.trigger = trigger
        self.state = state
        self.allowed = allowed
        options = ", ".join(allowed) if allowed else "none"
        super().__init__(
            f"complaint {shown(complaint_id)}: trigger {shown(trigger)} is not allowed in state {shown(state)}; "
            f"allowed: {options}"
        )


class PermissionDenied(WorkflowError):
    """An actor whose role or agency may not fire this trigger on this complaint."""

    def __init__(self, complaint_id: str, trigger: str, actor: str, reason: str) -> None:
        self.complaint_id = complaint_id
        self.trigger = trigger
        self.actor = actor
        self.reason = reason
        super().__init__(f"complaint {shown(complaint_id)}: {actor} may not fire {shown(trigger)}: {reason}")


class MissingData(WorkflowError, ValueError):
    """A command without data its transition requires."""

    def __init__(self, complaint_id: str, trigger: str, fields: tuple[str, ...]) -> None:
        self.complaint_id = complaint_id
        self.trigger = trigger
        self.fields = fields
        super().__init__(f"complaint {shown(complaint_id)}: trigger {shown(trigger)} requires {', '.join(fields)}")


class InvalidData(WorkflowError, ValueError):
    """Data of the wrong kind or value, named with the value given."""

    def __init__(self, field: str, value: object, reason: str) -> None:
        self.field = field
        self.value = value
        self.reason = reason
        super().__init__(f"{field}={shown(value)} is invalid: {reason}")


class ComplaintNotVisible(WorkflowError):
    """A confidential (rahasia) report, asked for by someone who may not see it."""

    def __init__(self, complaint_id: str) -> None:
        self.complaint_id = complaint_id
        super().__init__(f"complaint {shown(complaint_id)} is confidential (rahasia) and not visible to the public")


class BookError(WorkflowError, ValueError):
    """A manual form book that cannot be taken in: each problem names its row and column, in
    Indonesian, as the admin who typed the book reads it ("baris 17, kolom tanggal_diterima:
    '31/02/2026' bukan tanggal"). Nothing of the book was written."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = list(problems)
        lines = "\n".join(f"  {p}" for p in self.problems)
        super().__init__(f"buku manual ditolak, tidak ada yang disimpan ({len(self.problems)} masalah):\n{lines}")


class StoreError(Sp4nError):
    """Storage could not do what was asked."""


class ConcurrencyConflict(StoreError):
    """The complaint was changed by someone else since it was loaded; reload and retry."""

    def __init__(self, complaint_id: str, expected: int, actual: int | None) -> None:
        self.complaint_id = complaint_id
        self.expected = expected
        self.actual = actual
        super().__init__(
            f"complaint {shown(complaint_id)} changed concurrently: expected version {expected}, found {actual}; "
            f"reload it and retry"
        )


class IdempotencyConflict(StoreError, ValueError):
    """An idempotency key used again with a different command."""

    def __init__(self, key: str) -> None:
        self.key = key
        super().__init__(f"idempotency key {shown(key)} was already used for a different command")


class DuplicateComplaint(StoreError, ValueError):
    """A new complaint whose id or tracking number another stored complaint already has.

    Unlike a :class:`ConcurrencyConflict`, retrying the same change cannot succeed: the change
    must carry another id (or tracking number).
    """

    def __init__(self, field: str, value: str) -> None:
        self.field = field
        self.value = value
        super().__init__(f"a complaint with {field}={shown(value)} is already stored; {field} must be unique")


class DuplicateEvent(StoreError, ValueError):
    """A change whose event numbers the complaint already has, while its version check passed:
    the events were not numbered after the complaint's last one."""

    def __init__(self, complaint_id: str, seq: int) -> None:
        self.complaint_id = complaint_id
        self.seq = seq
        super().__init__(
            f"complaint {shown(complaint_id)} already has event seq={seq}; number new events after its last one"
        )


class DatabaseUnavailable(StoreError):
    """The database named by a URL cannot be reached or opened."""

    def __init__(self, url: str, reason: str) -> None:
        self.url = url
        self.reason = reason
        super().__init__(f"database {url!r} cannot be used: {reason}")


class DatabaseBusy(DatabaseUnavailable):
    """Another connection held SQLite's write lock longer than the busy timeout. Nothing was
    written; retrying the same command later is safe (``retryable`` is True)."""

    retryable = True

    def __init__(self, url: str, timeout: float) -> None:
        self.timeout = timeout
        super().__init__(url, f"database busy: another process held its write lock for more than {timeout:g} s; retry")


class SchemaOutdated(StoreError):
    """The database has no sp4n schema, or an older (or newer) one than this code needs."""

    def __init__(self, url: str, found: str | None, expected: str) -> None:
        self.url = url
        self.found = found
        self.expected = expected
        state = "has no sp4n schema" if found is None else f"is at schema revision {found!r}"
        # a URL shown with its password hidden would not work in a command: name the step instead
        command = "sp4n db upgrade --url URL` with its full URL" if ":***@" in url else f"sp4n db upgrade --url {url}`"
        super().__init__(f"database {url!r} {state}; this sp4n needs revision {expected!r}: run `{command}")


class FeedError(Sp4nError):
    """The feed, its consumers and the systems they reach."""


class ConsumerNotFound(FeedError, LookupError):
    """A consumer name that is not known."""

    def __init__(self, name: str, known: tuple[str, ...] = ()) -> None:
        self.name = name
        self.known = known
        super().__init__(f"no feed consumer {name!r}; known: {', '.join(known) or '(none)'}")


class DuplicateConsumer(FeedError, ValueError):
    """A consumer name that is already taken."""

    def __init__(self, name: str) -> None:
        self.name = name
        super().__init__(f"feed consumer {name!r} already exists; remove it first or choose another name")


def retryable_status(status: int | None) -> bool:
    """Whether a request that got ``status`` (None: no answer) may succeed if sent again."""
    return status is None or status >= 500 or status in (401, 403, 408, 425, 429)


class GatewayError(FeedError):
    """Another system (the national LAPOR!, a webhook endpoint) refused or failed a request.

    ``status`` is the HTTP status (None when no answer came); ``retry_after`` the seconds the
    system asked to wait, if it did. ``retryable``: whether the same request may succeed later
    (no answer, 408, 425, 429, 5xx, and 401/403 since credentials can be fixed); another 4xx
    refuses the request itself, and the feed parks it at once. The message never carries
    credentials.
    """

    def __init__(
        self,
        system: str,
        action: str,
        status: int | None,
        reason: str,
        retry_after: float | None = None,
        *,
        retryable: bool | None = None,
    ) -> None:
        self.system = system
        self.action = action
        self.status = status
        self.reason = reason
        self.retry_after = retry_after
        self.retryable = retryable if retryable is not None else retryable_status(status)
        answer = f"HTTP {status}" if status is not None else "no answer"
        super().__init__(f"{system}: {action} failed ({answer}): {reason}")


class InvalidSignature(FeedError, ValueError):
    """A webhook message whose signature, timestamp or secret does not hold."""

    def __init__(self, part: str, reason: str) -> None:
        self.part = part
        self.reason = reason
        super().__init__(f"webhook {part}: {reason}")
