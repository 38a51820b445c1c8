"""Tracking numbers from a counter: the table sp4n_counters, its tracking_number row set after the complaints stored.

Until 0003 a tracking number was the local date and the first 8 hex digits of a random id, so
two complaints of one day could get the same one. Since 0003 it is the date and a serial that
the database hands out in blocks (``Store.reserve_serials``): the row ``tracking_number`` of
``sp4n_counters`` holds the next serial. It starts after the complaints already stored, so the
serials go on counting complaints; the numbers given before 0003 keep their (hex) form.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create sp4n_counters with the tracking_number counter after the complaints stored."""
    op.create_table(
        "sp4n_counters",
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("next_value", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint("name", name="pk_sp4n_counters"),
    )
    op.execute(
        "INSERT INTO sp4n_counters (name, next_value) SELECT 'tracking_number', count(*) + 1 FROM sp4n_complaints"
    )


def downgrade() -> None:
    """Drop sp4n_counters (tracking numbers already given stay as they are)."""
    op.drop_table("sp4n_counters")
