"""The first schema of sp4n: complaints, clocks, events, timers, outbox, idempotency, definitions.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from sp4n.persistence.tables import UtcDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create every table of revision 0001."""
    op.create_table(
        "sp4n_sops",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("version", sa.String(32), nullable=False),
        sa.Column("content", sa.JSON, nullable=False),
        sa.Column("registered_at", UtcDateTime, nullable=False),
        sa.PrimaryKeyConstraint("id", "version", name="pk_sp4n_sops"),
    )
    op.create_table(
        "sp4n_calendars",
        sa.Column("version", sa.String(32), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("content", sa.JSON, nullable=False),
        sa.Column("registered_at", UtcDateTime, nullable=False),
        sa.PrimaryKeyConstraint("version", name="pk_sp4n_calendars"),
    )
    op.create_table(
        "sp4n_complaints",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("tracking_number", sa.String(64), nullable=False),
        sa.Column("sop_id", sa.String(64), nullable=False),
        sa.Column("sop_version", sa.String(32), nullable=False),
        sa.Column("state", sa.String(64), nullable=False),
        sa.Column("zone", sa.String(64), nullable=False),
        sa.Column("submitted_at", UtcDateTime, nullable=False),
        sa.Column("updated_at", UtcDateTime, nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("channel", sa.String(64), nullable=False),
        sa.Column("classification", sa.String(64)),
        sa.Column("category", sa.String(64)),
        sa.Column("reporter_id", sa.String(128)),
        sa.Column("reporter_name", sa.String(200)),
        sa.Column("anonymous", sa.Boolean, nullable=False),
        sa.Column("confidential", sa.Boolean, nullable=False),
        sa.Column("agency", sa.String(128)),
        sa.Column("unit", sa.String(128)),
        sa.Column("official", sa.String(128)),
        sa.Column("attributes", sa.JSON, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("last_seq", sa.Integer, nullable=False),
        sa.Column("last_hash", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_sp4n_complaints"),
        sa.UniqueConstraint("tracking_number", name="uq_sp4n_complaints_tracking_number"),
    )
    op.create_table(
        "sp4n_clocks",
        sa.Column("complaint_id", sa.String(64), nullable=False),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("budget", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("generation", sa.Integer, nullable=False),
        sa.Column("consumed", sa.Integer, nullable=False),
        sa.Column("running_since", UtcDateTime),
        sa.Column("extended_by", sa.Integer, nullable=False),
        sa.Column("started_at", UtcDateTime),
        sa.PrimaryKeyConstraint("complaint_id", "name", name="pk_sp4n_clocks"),
        sa.ForeignKeyConstraint(
            ["complaint_id"],
            ["sp4n_complaints.id"],
            name="fk_sp4n_clocks_complaint_id_sp4n_complaints",
            ondelete="CASCADE",
        ),
    )
    op.create_table(
        "sp4n_events",
        sa.Column("complaint_id", sa.String(64), nullable=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("at", UtcDateTime, nullable=False),
        sa.Column("kind", sa.String(64), nullable=False),
        sa.Column("actor_id", sa.String(128), nullable=False),
        sa.Column("actor_role", sa.String(32), nullable=False),
        sa.Column("trigger", sa.String(64)),
        sa.Column("source", sa.String(64)),
        sa.Column("dest", sa.String(64)),
        sa.Column("payload", sa.JSON, nullable=False),
        sa.Column("clock_changes", sa.JSON, nullable=False),
        sa.Column("calendar_version", sa.String(32), nullable=False),
        sa.Column("sop_version", sa.String(32), nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("complaint_id", "seq", name="pk_sp4n_events"),
        sa.ForeignKeyConstraint(
            ["complaint_id"],
            ["sp4n_complaints.id"],
            name="fk_sp4n_events_complaint_id_sp4n_complaints",
            ondelete="CASCADE",
        ),
    )
    op.create_table(
        "sp4n_timers",
        sa.Column("id", sa.String(200), nullable=False),
        sa.Column("complaint_id", sa.String(64), nullable=False),
        sa.Column("clock", sa.String(64), nullable=False),
        sa.Column("generation", sa.Integer, nullable=False),
        sa.Column("rung", sa.String(64), nullable=False),
        sa.Column("due_at", UtcDateTime, nullable=False),
        sa.Column("priority", sa.Integer, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("closed_at", UtcDateTime),
        sa.Column("lateness_seconds", sa.Float),
        sa.Column("lease_owner", sa.String(128)),
        sa.Column("lease_expires", UtcDateTime),
        sa.PrimaryKeyConstraint("id", name="pk_sp4n_timers"),
        sa.ForeignKeyConstraint(
            ["complaint_id"],
            ["sp4n_complaints.id"],
            name="fk_sp4n_timers_complaint_id_sp4n_complaints",
            ondelete="CASCADE",
        ),
    )
    op.create_index("ix_sp4n_timers_status_due_at", "sp4n_timers", ["status", "due_at"])
    op.create_index("ix_sp4n_timers_complaint_id", "sp4n_timers", ["complaint_id"])
    create_outbox()
    op.create_table(
        "sp4n_idempotency",
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("complaint_id", sa.String(64), nullable=False),
        sa.Column("result", sa.JSON, nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_sp4n_idempotency"),
    )


OUTBOX_TRIGGER = "sp4n_events_to_outbox"
"""The trigger (and, on PostgreSQL, its function) that wrote each event's outbox row (until 0011)."""

_OUTBOX_ROW = (
    "INSERT INTO sp4n_outbox (id, complaint_id, event_seq, topic, created_at, attempts) "
    "VALUES (NEW.complaint_id || '/' || NEW.seq, NEW.complaint_id, NEW.seq, 'complaint.' || NEW.kind, NEW.at, 0);"
)


def create_outbox() -> None:
    """The outbox (dropped by 0011, whose downgrade creates it again with this): a row for every
    event to deliver, written by a trigger on the events in the same transaction."""
    op.create_table(
        "sp4n_outbox",
        sa.Column("id", sa.String(128), nullable=False),
        sa.Column("complaint_id", sa.String(64), nullable=False),
        sa.Column("event_seq", sa.Integer, nullable=False),
        sa.Column("topic", sa.String(64), nullable=False),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.Column("delivered_at", UtcDateTime),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("last_error", sa.Text),
        sa.Column("lease_owner", sa.String(128)),
        sa.Column("lease_expires", UtcDateTime),
        sa.PrimaryKeyConstraint("id", name="pk_sp4n_outbox"),
    )
    op.create_index("ix_sp4n_outbox_pending", "sp4n_outbox", ["delivered_at", "created_at"])
    _create_outbox_trigger()


def _create_outbox_trigger() -> None:
    """Every event inserted also enters the outbox, in the same transaction."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"CREATE FUNCTION {OUTBOX_TRIGGER}() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN {_OUTBOX_ROW} RETURN NEW; END $$"
        )
        op.execute(
            f"CREATE TRIGGER {OUTBOX_TRIGGER} AFTER INSERT ON sp4n_events "
            f"FOR EACH ROW EXECUTE FUNCTION {OUTBOX_TRIGGER}()"
        )
    else:
        op.execute(f"CREATE TRIGGER {OUTBOX_TRIGGER} AFTER INSERT ON sp4n_events BEGIN {_OUTBOX_ROW} END")


def downgrade() -> None:
    """Drop every table of revision 0001."""
    op.execute(f"DROP TRIGGER IF EXISTS {OUTBOX_TRIGGER}" + (" ON sp4n_events" if _is_pg() else ""))
    if _is_pg():
        op.execute(f"DROP FUNCTION IF EXISTS {OUTBOX_TRIGGER}()")
    for table in (
        "sp4n_idempotency",
        "sp4n_outbox",
        "sp4n_timers",
        "sp4n_events",
        "sp4n_clocks",
        "sp4n_complaints",
        "sp4n_calendars",
        "sp4n_sops",
    ):
        op.drop_table(table)


def _is_pg() -> bool:
    return bool(op.get_bind().dialect.name == "postgresql")
