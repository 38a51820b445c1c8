"""The read model: what lists and reports read, kept by every change in its own transaction.

Since 0005 each change also writes the runs of the clocks it moves (sp4n_clock_runs: start, due
instant, stop, outcome), the milestones the complaint reaches (sp4n_milestones) and, on the
complaint, the earliest due instant of its running clocks (next_due_at) and whether a run ended
late (breached); a complaint may carry the id it has in the system it came from (external_id,
unique). Indexes serve `Engine.find`. Complaints stored before 0005 get their read model rebuilt
from their histories (:func:`sp4n.persistence.backfill.backfill`).

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from sp4n.persistence.backfill import backfill
from sp4n.persistence.tables import UtcDateTime

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_INDEXES = [
    ("ix_sp4n_complaints_agency_next_due_at_id", ["agency", "next_due_at", "id"]),
    ("ix_sp4n_complaints_next_due_at_id", ["next_due_at", "id"]),
    ("ix_sp4n_complaints_agency_submitted_at_id", ["agency", "submitted_at", "id"]),
    ("ix_sp4n_complaints_submitted_at_id", ["submitted_at", "id"]),
    ("ix_sp4n_complaints_reporter_id_submitted_at_id", ["reporter_id", "submitted_at", "id"]),
]


def upgrade() -> None:
    """Add the read-model columns and tables, fill them from the histories, then index them."""
    op.add_column("sp4n_complaints", sa.Column("external_id", sa.String(128)))
    op.add_column("sp4n_complaints", sa.Column("next_due_at", UtcDateTime))
    op.add_column("sp4n_complaints", sa.Column("breached", sa.Boolean, nullable=False, server_default=sa.false()))
    op.add_column("sp4n_clocks", sa.Column("due_at", UtcDateTime))
    op.create_table(
        "sp4n_clock_runs",
        sa.Column("complaint_id", sa.String(64), nullable=False),
        sa.Column("clock", sa.String(64), nullable=False),
        sa.Column("started_at", UtcDateTime, nullable=False),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("due_at", UtcDateTime),
        sa.Column("changed_at", UtcDateTime, nullable=False),
        sa.Column("stopped_at", UtcDateTime),
        sa.Column("calendar_version", sa.String(32), nullable=False),
        sa.ForeignKeyConstraint(
            ["complaint_id"],
            ["sp4n_complaints.id"],
            name="fk_sp4n_clock_runs_complaint_id_sp4n_complaints",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("complaint_id", "clock", "started_at", name="pk_sp4n_clock_runs"),
    )
    op.create_table(
        "sp4n_milestones",
        sa.Column("complaint_id", sa.String(64), nullable=False),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("at", UtcDateTime, nullable=False),
        sa.Column("calendar_version", sa.String(32), nullable=False),
        sa.ForeignKeyConstraint(
            ["complaint_id"],
            ["sp4n_complaints.id"],
            name="fk_sp4n_milestones_complaint_id_sp4n_complaints",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("complaint_id", "name", name="pk_sp4n_milestones"),
    )
    backfill(op.get_bind())
    op.create_index("ix_sp4n_complaints_external_id", "sp4n_complaints", ["external_id"], unique=True)
    for name, columns in _INDEXES:
        op.create_index(name, "sp4n_complaints", columns)
    op.create_index("ix_sp4n_clock_runs_clock_outcome_due_at", "sp4n_clock_runs", ["clock", "outcome", "due_at"])
    op.create_index("ix_sp4n_milestones_name_at", "sp4n_milestones", ["name", "at"])


def downgrade() -> None:
    """Drop the read model (the histories it came from stay)."""
    op.drop_table("sp4n_milestones")
    op.drop_table("sp4n_clock_runs")
    op.drop_index("ix_sp4n_complaints_external_id", "sp4n_complaints")
    for name, _ in _INDEXES:
        op.drop_index(name, "sp4n_complaints")
    for table, column in (
        ("sp4n_clocks", "due_at"),
        ("sp4n_complaints", "breached"),
        ("sp4n_complaints", "next_due_at"),
        ("sp4n_complaints", "external_id"),
    ):
        # a plain ALTER TABLE on SQLite too (3.35+): a batch copy of sp4n_complaints would drop
        # the table, and the foreign keys would cascade to every event
        op.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
