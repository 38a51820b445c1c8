"""The outbox retired: sp4n_outbox and the trigger that filled it are dropped; the feed carries events.

Until 0011 every event was written twice: a row of sp4n_outbox (by a trigger on sp4n_events)
and a row of sp4n_feed. Nothing is moved: every event already has its feed row (0008 took the
events stored before it into the feed, and each event since is written with one), so an outbox
item still undelivered is an event a feed consumer receives when its cursor reaches it (a
consumer started at the beginning with ``historical`` takes those from before 0008 too). What
the outbox alone kept, delivery marks and attempt counts of its single drainer, has no meaning
for the feed's named consumers and goes with the table.

The downgrade creates the table and the trigger again, empty: events written from then on enter
it; those before do not (they stay in the history and the feed).

Revision ID: 0011
Revises: 0009
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from sp4n.persistence.tables import UtcDateTime

revision = "0011"
down_revision = "0009"
branch_labels = None
depends_on = None

TRIGGER = "sp4n_events_to_outbox"


def _is_pg() -> bool:
    return bool(op.get_bind().dialect.name == "postgresql")


def upgrade() -> None:
    """Drop the outbox trigger (and its function on PostgreSQL), then the table."""
    op.execute(f"DROP TRIGGER IF EXISTS {TRIGGER}" + (" ON sp4n_events" if _is_pg() else ""))
    if _is_pg():
        op.execute(f"DROP FUNCTION IF EXISTS {TRIGGER}()")
    op.drop_index("ix_sp4n_outbox_pending", table_name="sp4n_outbox")
    op.drop_table("sp4n_outbox")


def downgrade() -> None:
    """Create the outbox and its trigger again, empty."""
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
    row = (
        "INSERT INTO sp4n_outbox (id, complaint_id, event_seq, topic, created_at, attempts) VALUES "
        "(NEW.complaint_id || '/' || NEW.seq, NEW.complaint_id, NEW.seq, 'complaint.' || NEW.kind, NEW.at, 0);"
    )
    if _is_pg():
        op.execute(f"CREATE FUNCTION {TRIGGER}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN {row} RETURN NEW; END $$")
        op.execute(f"CREATE TRIGGER {TRIGGER} AFTER INSERT ON sp4n_events FOR EACH ROW EXECUTE FUNCTION {TRIGGER}()")
    else:
        op.execute(f"CREATE TRIGGER {TRIGGER} AFTER INSERT ON sp4n_events BEGIN {row} END")
