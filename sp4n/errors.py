"""The errors sp4n raises, as one small tree rooted at :class:`Sp4nError`.

Every error carries the facts that caused it as attributes and builds its message from them,
so a caller can react to the facts and a person can read the message::

    Sp4nError
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
     +-- StoreError                     storage could not do what was asked
          +-- ConcurrencyConflict       the complaint changed since it was loaded (the version check)
          +-- IdempotencyConflict       an idempotency key used again for another command
          +-- DuplicateComplaint        a complaint id or tracking number that is already stored
          +-- DuplicateEvent            an event number a complaint already has
          +-- DatabaseUnavailable       the database cannot be reached or opened
          +-- SchemaOutdated            the database is at another schema revision

Errors about bad input also derive from :class:`ValueError`, so code that only knows the
standard library still catches them.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any


class Sp4nError(Exception):
    """Root of every error sp4n raises on purpose."""


class CalendarError(Sp4nError):
    """Something is wrong with a calendar, a date, an instant or a duration."""


class NaiveDatetimeError(CalendarError, ValueError):
    """A datetime without a timezone was given where an instant is needed."""

    def __init__(self, argument: str, value: Any) -> None:
        self.argument = argument
        self.value = value
        super().__init__(
            f"{argument}={value!r} is a naive datetime; give a timezone-aware one "
            f"(e.g. with tzinfo=ZoneInfo('Asia/Jakarta') or a '+07:00' offset)"
        )


class UnknownZoneError(CalendarError, ValueError):
    """A zone that is neither an IANA name nor one of WIB, WITA, WIT."""

    def __init__(self, argument: str, value: Any) -> None:
        self.argument = argument
        self.value = value
        super().__init__(
            f"{argument}={value!r} is not a known time zone; use an IANA name such as "
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
            f"{argument}={value!r} is outside the calendar, which covers "
            f"{first.isoformat()} to {last.isoformat()}; build it with more years "
            f"or allow_uncovered=True"
        )


class InvalidDurationError(CalendarError, ValueError):
    """A duration that cannot be parsed or is not allowed."""

    def __init__(self, argument: str, value: Any, reason: str) -> None:
        self.argument = argument
        self.value = value
        self.reason = reason
        super().__init__(f"{argument}={value!r} is not a valid duration: {reason}")


class _AtLocation(Exception):
    """An error in a file (or a mapping) at a place inside it: ``source: location: reason``."""

    def __init__(self, source: str, location: str, reason: str) -> None:
        self.source = source
        self.location = location
        self.reason = reason
        where = f"{source}: {location}" if location else source
        super().__init__(f"{where}: {reason}")


class OverrideFileError(_AtLocation, CalendarError, ValueError):
    """A calendar override (or iCalendar) file or mapping that cannot be applied."""


class InvalidArgumentError(Sp4nError, ValueError):
    """An argument of the wrong type or value, named with the value given."""

    def __init__(self, argument: str, value: Any, expected: str) -> None:
        self.argument = argument
        self.value = value
        self.expected = expected
        super().__init__(f"{argument}={value!r} is invalid: expected {expected}")


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
        super().__init__(f"SOP {sop_id!r} is not known{hint}")


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
        super().__init__(f"complaint {complaint_id!r} does not exist")


class TransitionNotAllowed(WorkflowError):
    """A trigger that the SOP does not allow from the complaint's current state."""

    def __init__(self, complaint_id: str, trigger: str, state: str, allowed: tuple[str, ...]) -> None:
        self.complaint_id = complaint_id
        self.trigger = trigger
        self.state = state
        self.allowed = allowed
        options = ", ".join(allowed) if allowed else "none"
        super().__init__(
            f"complaint {complaint_id!r}: trigger {trigger!r} is not allowed in state {state!r}; allowed: {options}"
        )


class PermissionDenied(WorkflowError):
    """An actor whose role or agency may not fire this trigger on this complaint."""

    def __init__(self, complaint_id: str, trigger: str, actor: str, reason: str) -> None:
        self.complaint_id = complaint_id
        self.trigger = trigger
        self.actor = actor
        self.reason = reason
        super().__init__(f"complaint {complaint_id!r}: {actor} may not fire {trigger!r}: {reason}")


class MissingData(WorkflowError, ValueError):
    """A command without data its transition requires."""

    def __init__(self, complaint_id: str, trigger: str, fields: tuple[str, ...]) -> None:
        self.complaint_id = complaint_id
        self.trigger = trigger
        self.fields = fields
        super().__init__(f"complaint {complaint_id!r}: trigger {trigger!r} requires {', '.join(fields)}")


class InvalidData(WorkflowError, ValueError):
    """Data of the wrong kind or value, named with the value given."""

    def __init__(self, field: str, value: object, reason: str) -> None:
        self.field = field
        self.value = value
        self.reason = reason
        super().__init__(f"{field}={value!r} is invalid: {reason}")


class ComplaintNotVisible(WorkflowError):
    """A confidential (rahasia) report, asked for by someone who may not see it."""

    def __init__(self, complaint_id: str) -> None:
        self.complaint_id = complaint_id
        super().__init__(f"complaint {complaint_id!r} is confidential (rahasia) and not visible to the public")


class StoreError(Sp4nError):
    """Storage could not do what was asked."""


class ConcurrencyConflict(StoreError):
    """The complaint was changed by someone else since it was loaded; reload and retry."""

    def __init__(self, complaint_id: str, expected: int, actual: int | None) -> None:
        self.complaint_id = complaint_id
        self.expected = expected
        self.actual = actual
        super().__init__(
            f"complaint {complaint_id!r} changed concurrently: expected version {expected}, found {actual}; "
            f"reload it and retry"
        )


class IdempotencyConflict(StoreError, ValueError):
    """An idempotency key used again with a different command."""

    def __init__(self, key: str) -> None:
        self.key = key
        super().__init__(f"idempotency key {key!r} was already used for a different command")


class DuplicateComplaint(StoreError, ValueError):
    """A new complaint whose id or tracking number another stored complaint already has.

    Unlike a :class:`ConcurrencyConflict`, retrying the same change cannot succeed: the change
    must carry another id (or tracking number).
    """

    def __init__(self, field: str, value: str) -> None:
        self.field = field
        self.value = value
        super().__init__(f"a complaint with {field}={value!r} is already stored; {field} must be unique")


class DuplicateEvent(StoreError, ValueError):
    """A change whose event numbers the complaint already has, while its version check passed:
    the events were not numbered after the complaint's last one."""

    def __init__(self, complaint_id: str, seq: int) -> None:
        self.complaint_id = complaint_id
        self.seq = seq
        super().__init__(
            f"complaint {complaint_id!r} already has event seq={seq}; number new events after its last one"
        )


class DatabaseUnavailable(StoreError):
    """The database named by a URL cannot be reached or opened."""

    def __init__(self, url: str, reason: str) -> None:
        self.url = url
        self.reason = reason
        super().__init__(f"database {url!r} cannot be used: {reason}")


class SchemaOutdated(StoreError):
    """The database has no sp4n schema, or an older (or newer) one than this code needs."""

    def __init__(self, url: str, found: str | None, expected: str) -> None:
        self.url = url
        self.found = found
        self.expected = expected
        state = "has no sp4n schema" if found is None else f"is at schema revision {found!r}"
        super().__init__(
            f"database {url!r} {state}; this sp4n needs revision {expected!r}: run `sp4n db upgrade --url {url}`"
        )
