"""The SQL schema of sp4n, as SQLAlchemy Core tables (the Alembic migrations create the same).

Instants are stored as UTC and always come back timezone-aware, on SQLite (which has no zone
type) as on PostgreSQL. JSON columns hold event payloads and SOP and calendar definitions.
"""

from __future__ import annotations

from datetime import UTC, datetime

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
)

from sp4n.errors import NaiveDatetimeError

OUTBOX_TRIGGER = "sp4n_events_to_outbox"
"""The trigger (and, on PostgreSQL, its function) that writes each event's outbox row: one
statement fewer per command, in the same transaction. The payload is the event itself, read
when the outbox is drained."""

SCHEMA_REVISION = "0006"
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
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


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
    # no secondary index beyond the tracking number: every transition changes ``state``, and an
    # index no sp4n query uses would be rewritten at each one (hosts add their own for reports)
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
    PrimaryKeyConstraint("complaint_id", "name"),
)

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

outbox = Table(
    "sp4n_outbox",
    metadata,
    Column("id", String(128), primary_key=True),
    Column("complaint_id", String(64), nullable=False),
    Column("event_seq", Integer, nullable=False),
    Column("topic", String(64), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("delivered_at", UtcDateTime),
    Column("attempts", Integer, nullable=False),
    Column("last_error", Text),
    Column("lease_owner", String(128)),
    Column("lease_expires", UtcDateTime),
    Index("ix_sp4n_outbox_pending", "delivered_at", "created_at"),
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
