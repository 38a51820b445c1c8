"""Rows that outlived what they belong to: the traces of a complaint (or an event) deleted in SQL.

Deleting a complaint's row cascades to its events, clocks and timers only while foreign keys are
enforced (SQLite's own shell does not enforce them); its feed rows and idempotency records have
no foreign key at all. So a deleted complaint leaves something behind, and the audit names it.
"""

from __future__ import annotations

from sqlalchemy import Connection, and_, exists, select

from sp4n.persistence import tables as t

Orphan = tuple[str, int, str]
"""(complaint id, event seq or 0, what is wrong)."""


def orphan_rows(conn: Connection) -> list[Orphan]:
    """Events, clocks, timers and idempotency records of complaints that are not stored, and
    feed rows whose event is not stored."""
    found: list[Orphan] = []
    known = select(t.complaints.c.id)
    for table, what in ((t.events, "events"), (t.clocks, "clock ledgers"), (t.timers, "timers")):
        query = select(table.c.complaint_id).where(table.c.complaint_id.not_in(known)).distinct()
        for (complaint_id,) in conn.execute(query):
            found.append((complaint_id, 0, f"{what} of a complaint that is not stored (the complaint was deleted)"))
    query = select(t.idempotency.c.complaint_id).where(t.idempotency.c.complaint_id.not_in(known)).distinct()
    for (complaint_id,) in conn.execute(query):
        found.append((complaint_id, 0, "an idempotency record of a complaint that is not stored (deleted)"))
    event_of = exists().where(
        and_(t.events.c.complaint_id == t.feed.c.complaint_id, t.events.c.seq == t.feed.c.event_seq)
    )
    query = select(t.feed.c.complaint_id, t.feed.c.event_seq).where(~event_of).order_by(t.feed.c.id)
    for complaint_id, seq in conn.execute(query):
        found.append((complaint_id, seq, "a feed row whose event is not stored (the event was deleted)"))
    return found
