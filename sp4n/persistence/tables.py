"""The SQL schema of sp4n, as SQLAlchemy Core tables (the Alembic migrations create the same).

Instants are stored as UTC and always come back timezone-aware, on SQLite (which has no zone
type) as on PostgreSQL. JSON columns hold event payloads and SOP and calendar definitions.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    TypeDecorator,
    false,
)

from sp4n.errors import NaiveDatetimeError

SCHEMA_REVISION = "0013"
"""The Alembic revision this code expects (``sp4n db upgrade`` brings a database to it)."""


class UtcDateTime(TypeDecorator[datetime]):
    """An aware instant stored as UTC; naive values are refused rather than guessed."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise NaiveDatetimeError("stored instant", value)
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return _utc_from_aware(value)

    # On SQLite an instant is text ("2026-03-02 03:00:00.000000", UTC), which SQLAlchemy writes
    # and parses in Python: the two conversions below make and read that same text in C, several
    # times faster (a command writes some thirty instants, a page of a list reads sixty).

    def bind_processor(self, dialect: Dialect) -> _Processor | None:
        if dialect.name == "sqlite":
            return _utc_text
        return super().bind_processor(dialect)

    def result_processor(self, dialect: Dialect, coltype: object) -> _Processor | None:
        if dialect.name == "sqlite":
            return _utc_from_text
        if self.impl_instance.dialect_impl(dialect).result_processor(dialect, coltype) is None:
            return _utc_from_aware  # (the driver's own datetime: no layer of SQLAlchemy's between)
        return super().result_processor(dialect, coltype)


_Processor = Callable[[Any], Any]


def _utc_text(value: datetime | None) -> str | None:
    if value is None:
        return None
    if not isinstance(value, datetime):
        raise TypeError(f"an instant (datetime) is stored, not {type(value).__name__} {value!r}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise NaiveDatetimeError("stored instant", value)
    return value.astimezone(UTC).isoformat(" ", "microseconds")[:-6]  # without "+00:00"


def _utc_from_aware(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    zone = value.tzinfo
    if zone is UTC:
        return value
    return value.replace(tzinfo=UTC) if zone is None else value.astimezone(UTC)


def _utc_from_text(value: str | None, _parse: Callable[[str], datetime] = datetime.fromisoformat) -> datetime | None:
    if value is None:
        return None
    try:
        parsed = _parse(value + "+00:00")
    except ValueError:  # not SQLAlchemy's own text: it carries an offset of its own
        parsed = _parse(value)
    if parsed.tzinfo is UTC:
        return parsed
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)  # a date alone


metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


sops = Table(
    "sp4n_sops",
    metadata,
    Column("id", String(64), nullable=False),
    Column("version", String(32), nullable=False),
    Column("content", JSON, nullable=False),
    Column("registered_at", UtcDateTime, nullable=False),
    PrimaryKeyConstraint("id", "version"),
)

calendars = Table(
    "sp4n_calendars",
    metadata,
    Column("version", String(32), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("content", JSON, nullable=False),
    Column("registered_at", UtcDateTime, nullable=False),
)

agency_registries = Table(
    "sp4n_agency_registries",
    metadata,
    Column("version", String(32), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("content", JSON, nullable=False),
    Column("registered_at", UtcDateTime, nullable=False),
)
"""Agency registry versions (the active one is named in sp4n_active, kind "agencies")."""

active = Table(
    "sp4n_active",
    metadata,
    Column("kind", String(32), nullable=False),
    Column("name", String(64), nullable=False),
    Column("version", String(32), nullable=False),
    Column("activated_at", UtcDateTime, nullable=False),
    PrimaryKeyConstraint("kind", "name"),
)
"""The definitions every process counts on: the active calendar, the active version of each SOP."""

complaints = Table(
    "sp4n_complaints",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("tracking_number", String(64), nullable=False, unique=True),
    Column("sop_id", String(64), nullable=False),
    Column("sop_version", String(32), nullable=False),
    Column("state", String(64), nullable=False),
    Column("zone", String(64), nullable=False),
    Column("submitted_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("title", Text, nullable=False),
    Column("description", Text, nullable=False),
    Column("channel", String(64), nullable=False),
    Column("classification", String(64)),
    Column("category", String(64)),
    Column("reporter_id", String(128)),
    Column("reporter_name", String(200)),
    Column("anonymous", Boolean, nullable=False),
    Column("confidential", Boolean, nullable=False),
    Column("agency", String(128)),
    Column("unit", String(128)),
    Column("official", String(128)),
    Column("attributes", JSON, nullable=False),
    Column("version", Integer, nullable=False),
    Column("last_seq", Integer, nullable=False),
    Column("last_hash", String(64), nullable=False),
    Column("external_id", String(128)),
    # the read model of lists (kept by every change that moves a clock, in its transaction)
    Column("next_due_at", UtcDateTime),
    Column("breached", Boolean, nullable=False, server_default=false()),
    # the indexes of `Engine.find` (docs/performance.md shows their plans); the one on ``state``
    # (which every transition rewrites) serves the dashboard's counts of one state (0011)
    Index("ix_sp4n_complaints_external_id", "external_id", unique=True),
    Index("ix_sp4n_complaints_agency_next_due_at_id", "agency", "next_due_at", "id"),
    Index("ix_sp4n_complaints_next_due_at_id", "next_due_at", "id"),
    Index("ix_sp4n_complaints_agency_submitted_at_id", "agency", "submitted_at", "id"),
    Index("ix_sp4n_complaints_submitted_at_id", "submitted_at", "id"),
    Index("ix_sp4n_complaints_reporter_id_submitted_at_id", "reporter_id", "submitted_at", "id"),
    Index("ix_sp4n_complaints_state_submitted_at_id", "state", "submitted_at", "id"),
    Index("ix_sp4n_complaints_zone", "zone"),
)

clocks = Table(
    "sp4n_clocks",
    metadata,
    Column("complaint_id", String(64), ForeignKey("sp4n_complaints.id", ondelete="CASCADE"), nullable=False),
    Column("name", String(64), nullable=False),
    Column("budget", String(64), nullable=False),
    Column("status", String(16), nullable=False),
    Column("generation", Integer, nullable=False),
    Column("consumed", Integer, nullable=False),
    Column("running_since", UtcDateTime),
    Column("extended_by", Integer, nullable=False),
    Column("started_at", UtcDateTime),
    Column("due_at", UtcDateTime),
    PrimaryKeyConstraint("complaint_id", "name"),
)

clock_runs = Table(
    "sp4n_clock_runs",
    metadata,
    Column("complaint_id", String(64), ForeignKey("sp4n_complaints.id", ondelete="CASCADE"), nullable=False),
    Column("clock", String(64), nullable=False),
    Column("started_at", UtcDateTime, nullable=False),
    Column("outcome", String(16), nullable=False),
    Column("due_at", UtcDateTime),
    Column("changed_at", UtcDateTime, nullable=False),
    Column("stopped_at", UtcDateTime),
    Column("calendar_version", String(32), nullable=False),
    PrimaryKeyConstraint("complaint_id", "clock", "started_at"),
    # reports: runs of one clock by outcome and due instant
    Index("ix_sp4n_clock_runs_clock_outcome_due_at", "clock", "outcome", "due_at"),
)
"""Read model: every run of every clock (start to stop), with its due instant and outcome."""

milestones = Table(
    "sp4n_milestones",
    metadata,
    Column("complaint_id", String(64), ForeignKey("sp4n_complaints.id", ondelete="CASCADE"), nullable=False),
    Column("name", String(64), nullable=False),
    Column("at", UtcDateTime, nullable=False),
    Column("calendar_version", String(32), nullable=False),
    # since 0010: what reports read (working days from receipt, counted once when written; who acted)
    Column("working_days", Integer),
    Column("actor_id", String(128)),
    Column("actor_role", String(32)),
    PrimaryKeyConstraint("complaint_id", "name"),
    Index("ix_sp4n_milestones_name_at", "name", "at"),
)
"""Read model: the first instant a complaint reached each step (received, verified, ... closed),
who reached it and after how many working days."""

report_facts = Table(
    "sp4n_report_facts",
    metadata,
    Column("complaint_id", String(64), ForeignKey("sp4n_complaints.id", ondelete="CASCADE"), nullable=False),
    # the complaint's own columns a report filters and splits by (copied as the change writes them)
    Column("submitted_at", UtcDateTime, nullable=False),
    Column("zone", String(64), nullable=False),
    Column("state", String(64), nullable=False),
    Column("confidential", Boolean, nullable=False),
    Column("agency", String(128)),
    Column("category", String(64)),
    Column("channel", String(64), nullable=False),
    Column("classification", String(64)),
    Column("sop_id", String(64), nullable=False),
    # its milestones folded: working days to each step, steps reached (0 or 1), who acted
    Column("verified_days", Integer),
    Column("distributed_days", Integer),
    Column("followed_up_days", Integer),
    Column("escalated", Integer, nullable=False),
    Column("referred", Integer, nullable=False),
    Column("replied", Integer, nullable=False),
    Column("closed_by_system", Integer, nullable=False),
    Column("verified_any", Integer, nullable=False),
    Column("verified_by", String(128)),
    Column("followed_up_by", String(128)),
    PrimaryKeyConstraint("complaint_id"),
    # a report reads the complaints received in its period, zone by zone
    Index("ix_sp4n_report_facts_zone_submitted_at", "zone", "submitted_at"),
)
"""Read model (since 0013): ONE row per complaint with what KPI reports filter, split and group
by (:mod:`sp4n.persistence.report_facts`), rewritten in the transaction of each change that
reaches a milestone or changes one of those columns."""

events = Table(
    "sp4n_events",
    metadata,
    Column("complaint_id", String(64), ForeignKey("sp4n_complaints.id", ondelete="CASCADE"), nullable=False),
    Column("seq", Integer, nullable=False),
    Column("at", UtcDateTime, nullable=False),
    Column("kind", String(64), nullable=False),
    Column("actor_id", String(128), nullable=False),
    Column("actor_role", String(32), nullable=False),
    Column("trigger", String(64)),
    Column("source", String(64)),
    Column("dest", String(64)),
    Column("payload", JSON, nullable=False),
    Column("clock_changes", JSON, nullable=False),
    Column("calendar_version", String(32), nullable=False),
    Column("sop_version", String(32), nullable=False),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
    PrimaryKeyConstraint("complaint_id", "seq"),
)

timers = Table(
    "sp4n_timers",
    metadata,
    Column("id", String(200), primary_key=True),
    Column("complaint_id", String(64), ForeignKey("sp4n_complaints.id", ondelete="CASCADE"), nullable=False),
    Column("clock", String(64), nullable=False),
    Column("generation", Integer, nullable=False),
    Column("rung", String(64), nullable=False),
    Column("due_at", UtcDateTime, nullable=False),
    Column("priority", Integer, nullable=False),
    Column("status", String(16), nullable=False),
    Column("closed_at", UtcDateTime),
    Column("lateness_seconds", Float),
    Column("lease_owner", String(128)),
    Column("lease_expires", UtcDateTime),
    # the order claims and due-timer reads ask for: no sort among the timers due at one instant
    Index("ix_sp4n_timers_status_due_at_priority_id", "status", "due_at", "priority", "id"),
    Index("ix_sp4n_timers_complaint_id", "complaint_id"),
)

idempotency = Table(
    "sp4n_idempotency",
    metadata,
    Column("key", String(200), primary_key=True),
    Column("fingerprint", String(64), nullable=False),
    Column("complaint_id", String(64), nullable=False),
    Column("result", JSON, nullable=False),
)

TRACKING_COUNTER = "tracking_number"
"""The counter of the serials in tracking numbers (see :meth:`sp4n.persistence.Store.reserve_serials`)."""

counters = Table(
    "sp4n_counters",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("next_value", BigInteger, nullable=False),
)
"""Named counters whose numbers are handed out in blocks (``tracking_number``: the serials of
tracking numbers); ``next_value`` is the first number not handed out yet."""

FEED_COUNTER = "feed_position"
"""The counter of feed positions: ``next_value`` is the position the next numbered event gets."""

feed = Table(
    "sp4n_feed",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("position", BigInteger),
    Column("complaint_id", String(64), nullable=False),
    Column("event_seq", Integer, nullable=False),
    Column("at", UtcDateTime, nullable=False),
    Column("kind", String(64), nullable=False),
    Column("anonymous", Boolean, nullable=False),
    Column("confidential", Boolean, nullable=False),
    Column("historical", Boolean, nullable=False),
    Index("ix_sp4n_feed_position", "position", unique=True),
    Index("ix_sp4n_feed_complaint_id_event_seq", "complaint_id", "event_seq", unique=True),
)
"""One row per event, written with it: the facts that decide what each audience may see (the
complaint's anonim and rahasia flags at that moment, and whether it came in a bulk import).
``position`` is set by the sequencer after the event commits (gap-free, in commit order)."""

consumers = Table(
    "sp4n_consumers",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("audience", String(16), nullable=False),
    Column("url", Text),
    Column("secrets", JSON, nullable=False),
    Column("historical", Boolean, nullable=False),
    Column("status", String(16), nullable=False),
    Column("cursor", BigInteger, nullable=False),
    Column("max_attempts", Integer, nullable=False),
    Column("max_age_seconds", Float, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("disabled_reason", Text),
)
"""Named consumers of the feed: audience, optional webhook endpoint and signing secrets, and the
cursor (the last position taken into its queue)."""

deliveries = Table(
    "sp4n_deliveries",
    metadata,
    Column("consumer", String(64), ForeignKey("sp4n_consumers.name", ondelete="CASCADE"), nullable=False),
    Column("position", BigInteger, nullable=False),
    Column("complaint_id", String(64), nullable=False),
    Column("status", String(16), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("queued_at", UtcDateTime, nullable=False),
    Column("next_at", UtcDateTime, nullable=False),
    Column("last_error", Text),
    Column("lease_owner", String(128)),
    Column("lease_expires", UtcDateTime),
    PrimaryKeyConstraint("consumer", "position"),
    Index("ix_sp4n_deliveries_consumer_complaint_id_position", "consumer", "complaint_id", "position"),
)
"""A consumer's queue: the events it has taken in and not delivered yet (queued or parked)."""

api_keys = Table(
    "sp4n_api_keys",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("secret_hash", String(64), nullable=False),
    Column("agencies", JSON, nullable=False),
    Column("roles", JSON, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("revoked_at", UtcDateTime, nullable=True),
)
"""The API keys of ``sp4n serve``: only the SHA-256 of each key's secret is kept, with the
agencies and roles the key may act for (see :mod:`sp4n.service.keys`)."""
