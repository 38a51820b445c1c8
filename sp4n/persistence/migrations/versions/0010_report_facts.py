"""Report facts on milestones: working days from receipt and who reached each step.

Since 0010 each milestone also carries the working days from the complaint's receipt to it
(counted once, when it is written, on the complaint's own calendar and zone), and the actor
whose event reached it, so KPI reports only add numbers up (:mod:`sp4n.reports`). The
milestones already stored are rewritten from their histories
(:func:`sp4n.persistence.backfill.backfill_milestone_facts`), which also adds the "replied" step.

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from sp4n.persistence.backfill import backfill_milestone_facts

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

_COLUMNS = (
    ("working_days", sa.Integer()),
    ("actor_id", sa.String(128)),
    ("actor_role", sa.String(32)),
)


def upgrade() -> None:
    """Add the columns, then fill them from the histories."""
    for name, kind in _COLUMNS:
        op.add_column("sp4n_milestones", sa.Column(name, kind))
    backfill_milestone_facts(op.get_bind())


def downgrade() -> None:
    """Drop the columns and the "replied" steps (the histories they came from stay)."""
    op.execute("DELETE FROM sp4n_milestones WHERE name = 'replied'")
    for name, _ in reversed(_COLUMNS):
        # a plain ALTER TABLE on SQLite too (3.35+), as in 0005
        op.execute(f"ALTER TABLE sp4n_milestones DROP COLUMN {name}")
