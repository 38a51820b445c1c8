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
Revises: 0010
"""

from __future__ import annotations

import importlib

from alembic import op

revision = "0011"
down_revision = "0010"
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
    """Create the outbox and its trigger again, empty, as revision 0001 made them."""
    initial = importlib.import_module("sp4n.persistence.migrations.versions.0001_initial")
    initial.create_outbox()
