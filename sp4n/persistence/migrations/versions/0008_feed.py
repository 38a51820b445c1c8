"""The feed: sp4n_feed (one row per event, numbered in commit order), sp4n_consumers, sp4n_deliveries.

Until 0008 events went out through sp4n_outbox, with one delivery mark for every consumer and no
order kept after a failure. Since 0008 each event also gets a feed row written with it, carrying
the facts that decide what each audience may see; a sequencer gives committed rows gap-free
positions; each named consumer keeps its own cursor and queue. The events stored before the
upgrade enter the feed as historical (consumers that ask for history get them).

Revision ID: 0008
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from sp4n.persistence.tables import UtcDateTime

revision = "0008"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the feed tables and take the stored events into the feed as historical."""
    op.create_table(
        "sp4n_feed",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), autoincrement=True, nullable=False),
        sa.Column("position", sa.BigInteger),
        sa.Column("complaint_id", sa.String(64), nullable=False),
        sa.Column("event_seq", sa.Integer, nullable=False),
        sa.Column("at", UtcDateTime, nullable=False),
        sa.Column("kind", sa.String(64), nullable=False),
        sa.Column("anonymous", sa.Boolean, nullable=False),
        sa.Column("confidential", sa.Boolean, nullable=False),
        sa.Column("historical", sa.Boolean, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_sp4n_feed"),
    )
    op.create_index("ix_sp4n_feed_position", "sp4n_feed", ["position"], unique=True)
    op.create_index("ix_sp4n_feed_complaint_id_event_seq", "sp4n_feed", ["complaint_id", "event_seq"], unique=True)
    op.create_table(
        "sp4n_consumers",
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("audience", sa.String(16), nullable=False),
        sa.Column("url", sa.Text),
        sa.Column("secrets", sa.JSON, nullable=False),
        sa.Column("historical", sa.Boolean, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("cursor", sa.BigInteger, nullable=False),
        sa.Column("max_attempts", sa.Integer, nullable=False),
        sa.Column("max_age_seconds", sa.Float, nullable=False),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.Column("disabled_reason", sa.Text),
        sa.PrimaryKeyConstraint("name", name="pk_sp4n_consumers"),
    )
    op.create_table(
        "sp4n_deliveries",
        sa.Column("consumer", sa.String(64), nullable=False),
        sa.Column("position", sa.BigInteger, nullable=False),
        sa.Column("complaint_id", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("queued_at", UtcDateTime, nullable=False),
        sa.Column("next_at", UtcDateTime, nullable=False),
        sa.Column("last_error", sa.Text),
        sa.Column("lease_owner", sa.String(128)),
        sa.Column("lease_expires", UtcDateTime),
        sa.PrimaryKeyConstraint("consumer", "position", name="pk_sp4n_deliveries"),
        sa.ForeignKeyConstraint(
            ["consumer"],
            ["sp4n_consumers.name"],
            name="fk_sp4n_deliveries_consumer_sp4n_consumers",
            ondelete="CASCADE",
        ),
    )
    op.create_index(
        "ix_sp4n_deliveries_consumer_complaint_id_position",
        "sp4n_deliveries",
        ["consumer", "complaint_id", "position"],
    )
    op.execute(
        "INSERT INTO sp4n_feed (complaint_id, event_seq, at, kind, anonymous, confidential, historical) "
        "SELECT e.complaint_id, e.seq, e.at, e.kind, c.anonymous, c.confidential, true "
        "FROM sp4n_events e JOIN sp4n_complaints c ON c.id = e.complaint_id ORDER BY e.at, e.complaint_id, e.seq"
    )


def downgrade() -> None:
    """Drop the feed tables (the events stay)."""
    op.drop_table("sp4n_deliveries")
    op.drop_table("sp4n_consumers")
    op.drop_table("sp4n_feed")
