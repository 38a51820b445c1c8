"""The report facts of a complaint: ONE row (sp4n_report_facts) with what KPI reports read.

A KPI report counts the complaints received in its period, split by their attributes, grouped
by what their milestones say: the working days to verification, distribution and follow-up,
whether they were escalated, referred or replied to, whether the system closed them, who
verified and who first followed up. Folding every milestone at each report read millions of
rows, and reading the complaints' own (wide) rows cost as much again; so this one row per
complaint keeps the fold beside the columns a report filters and splits by (receipt instant,
zone, state, confidentiality, agency, category, ...), and a report reads it alone.

One statement defines the row (:func:`fold`): the complaint's columns and its milestones
folded. The store runs it for each change that reaches a milestone or changes one of those
columns (:func:`touches_facts`), in the change's transaction after the complaint and its
milestones are written, so the row always says what the stored complaint and milestones say
(the first of each step counts); migration 0013 runs it over every complaint.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Connection, Select, and_, case, func, or_, select

from sp4n.persistence import tables as t
from sp4n.persistence.base import ChangeSet

DURATION_STEPS = ("verified", "distributed", "followed_up")
"""The steps whose working days from receipt are kept (as ``<step>_days``)."""
FLAG_STEPS = ("escalated", "referred", "replied")
"""The steps kept as reached (1) or not (0)."""
VERIFIED_STEPS = ("verified", "distributed")
"""Reaching either counts as verified (an escalated complaint that reached none is unverified)."""
STAFF_STEPS = {"verified_by": "verified", "followed_up_by": "followed_up"}
"""The columns naming who reached a step: the admin who verified, the liaison officer who first
followed up."""
SYSTEM_ROLE = "system"
COMPLAINT_COLUMNS = (
    *("submitted_at", "zone", "state", "confidential"),
    *("agency", "category", "channel", "classification", "sop_id"),
)
"""The complaint's own columns the row copies."""

_C = t.complaints.c
_M = t.milestones.c
COLUMNS = tuple(c.name for c in t.report_facts.c)
_COPIED = frozenset(COMPLAINT_COLUMNS)


def days_column(step: str) -> str:
    """The column of the working days to ``step``."""
    return f"{step}_days"


def _flag(condition: ColumnElement[bool]) -> Any:
    return func.coalesce(func.max(case((condition, 1), else_=0)), 0)


def fold(condition: ColumnElement[bool]) -> Select[Any]:
    """The report facts of the complaints that meet ``condition``, one row each, in the order of
    :data:`COLUMNS`."""
    columns: list[Any] = [_C.id, *[_C[name] for name in COMPLAINT_COLUMNS]]
    columns += [func.max(case((_M.name == s, _M.working_days))) for s in DURATION_STEPS]
    columns += [_flag(_M.name == s) for s in FLAG_STEPS]
    columns.append(_flag(and_(_M.name == "closed", _M.actor_role == SYSTEM_ROLE)))
    # one comparison per step rather than IN: the hot path compiles it once, with no expanding list
    columns.append(_flag(or_(*[_M.name == s for s in VERIFIED_STEPS])))
    columns += [func.max(case((_M.name == step, _M.actor_id))) for step in STAFF_STEPS.values()]
    source = t.complaints.outerjoin(t.milestones, _M.complaint_id == _C.id)
    return select(*columns).select_from(source).where(condition).group_by(*columns[: 1 + len(COMPLAINT_COLUMNS)])


def touches_facts(change: ChangeSet) -> bool:
    """Whether ``change`` can change its complaint's report facts: a new complaint, a milestone
    reached, or a copied column written."""
    if change.expected_version == 0 or change.milestones or change.fields is None:
        return True
    return not _COPIED.isdisjoint(change.fields)


def backfill_report_facts(conn: Connection) -> None:
    """Write the report facts of every complaint (into an empty table)."""
    conn.execute(t.report_facts.insert().from_select(COLUMNS, fold(_C.id.is_not(None))))
