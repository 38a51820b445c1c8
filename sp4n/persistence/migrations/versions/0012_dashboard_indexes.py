"""Indexes of the monitoring room: complaints by state and receipt, and by zone.

The dashboard counts complaints in one state (``escalated``; ``received`` before a date): with
``(state, submitted_at, id)`` that costs what the state holds now, not the whole history. KPI
reports start by listing the zones complaints count in: ``(zone)`` lets that skip from one
zone to the next instead of reading every row. Each index costs one more entry to rewrite per transition
(the state) or none (the zone never changes).

Revision ID: 0012
Revises: 0011
"""

from __future__ import annotations

from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

INDEXES = (
    ("ix_sp4n_complaints_state_submitted_at_id", ["state", "submitted_at", "id"]),
    ("ix_sp4n_complaints_zone", ["zone"]),
)


def upgrade() -> None:
    """Create the indexes."""
    for name, columns in INDEXES:
        op.create_index(name, "sp4n_complaints", columns)


def downgrade() -> None:
    """Drop them."""
    for name, _ in INDEXES:
        op.drop_index(name, "sp4n_complaints")
