"""The store's hot path on the driver connection: the rows it writes, and its errors."""

from __future__ import annotations

import contextlib
from dataclasses import replace
from typing import Any

import pytest
from sqlalchemy import insert, select, text
from sqlalchemy.engine import make_url

from sp4n.errors import DatabaseUnavailable, InvalidArgumentError, StoreError
from sp4n.persistence import ChangeSet
from sp4n.persistence import tables as t
from sp4n.persistence.query import ComplaintQuery, Visibility
from sp4n.persistence.sql import open_store, safe_url
from sp4n.workflow import SYSTEM

from .backends import (  # noqa: F401
    ADMIN,
    VERIFY,
    db_url_fixture,
    dump,
    full_complaint,
    scenario_on,
    sql_engine,
)


def raw_rows(url: str, table: str, key: str, value: str) -> list[dict[str, Any]]:
    """A table's rows as the driver returns them (SQLite: the stored text and integers)."""
    with sql_engine(url) as engine, engine.connect() as conn:
        result = conn.exec_driver_sql(f"SELECT * FROM {table} WHERE {key} = '{value}'")
        return [dict(zip(result.keys(), row, strict=True)) for row in result]


def test_the_hot_path_writes_the_rows_core_writes(db_url: str) -> None:
    with scenario_on(db_url) as s:
        cid = s.submit(confidential=True, attributes={"kelurahan": "Tembalang"})
        s.fire(cid, "verify", ADMIN, **VERIFY)
        store = s.engine.store
        complaint = store.load(cid).complaint
        event = store.history(cid)[-1]
        timer = store.timers(cid)[0]
        query = ComplaintQuery(Visibility(everything=True), tracking_number=complaint.tracking_number)
        next_due = store.find(query)[0][1]
    # the same records written again by SQLAlchemy Core, under another id
    copy_id = "copy-" + cid[:20]
    with sql_engine(db_url) as engine, engine.begin() as conn:
        conn.execute(
            insert(t.complaints),
            {
                **{f: getattr(complaint, f) for f in complaint.__dataclass_fields__},
                "id": copy_id,
                "tracking_number": "copy",
                "last_seq": event.seq,
                "last_hash": event.hash,
                "next_due_at": next_due,
            },
        )
        conn.execute(insert(t.events), {**vars(replace(event, complaint_id=copy_id))})
        conn.execute(
            insert(t.timers),
            {**vars(replace(timer, complaint_id=copy_id, id="copy-timer")), "status": timer.status.value},
        )
    ours = raw_rows(db_url, "sp4n_complaints", "id", cid)[0]
    core = raw_rows(db_url, "sp4n_complaints", "id", copy_id)[0]
    assert {**ours, "id": None, "tracking_number": None} == {**core, "id": None, "tracking_number": None}
    ours = raw_rows(db_url, "sp4n_events", "complaint_id", cid)[-1]
    core = raw_rows(db_url, "sp4n_events", "complaint_id", copy_id)[0]
    assert {**ours, "complaint_id": None} == {**core, "complaint_id": None}
    ours = next(r for r in raw_rows(db_url, "sp4n_timers", "complaint_id", cid) if r["id"] == timer.id)
    core = raw_rows(db_url, "sp4n_timers", "complaint_id", copy_id)[0]
    assert {**ours, "id": None, "complaint_id": None} == {**core, "id": None, "complaint_id": None}


def test_a_driver_error_names_the_database_and_changes_nothing(db_url: str) -> None:
    with scenario_on(db_url) as s:
        cid = s.submit()
        before = dump(s.engine.store)
        with sql_engine(db_url) as engine, engine.begin() as conn:
            conn.execute(text("ALTER TABLE sp4n_events RENAME TO sp4n_events_gone"))
        # loading works (it reads no event); the save's event insert fails, and all of it is undone
        with pytest.raises(StoreError, match=r"^database .*sp4n_events") as info:
            s.engine.fire(cid, "verify", ADMIN, idempotency_key="web-1", **VERIFY)
        assert safe_url(db_url) in str(info.value)
        with sql_engine(db_url) as engine, engine.begin() as conn:
            conn.execute(text("ALTER TABLE sp4n_events_gone RENAME TO sp4n_events"))
        assert dump(s.engine.store) == before
        assert s.engine.fire(cid, "verify", ADMIN, idempotency_key="web-1", **VERIFY).state == "verified"


@pytest.mark.postgres
def test_a_connection_the_server_dropped_fails_one_command_and_the_retry_goes_through(
    postgres_schema_url: str,
) -> None:
    name = "sp4n-dropped-connection-test"
    url = make_url(postgres_schema_url).update_query_dict({"application_name": name})
    url_text = url.render_as_string(hide_password=False)
    open_store(url_text, upgrade=True).close()

    def drop_connections() -> int:
        with sql_engine(postgres_schema_url) as admin, admin.connect() as conn:
            dropped = conn.execute(
                select(text("count(pg_terminate_backend(pid))"))
                .select_from(text("pg_stat_activity"))
                .where(text("application_name = :name"))
                .params(name=name)
            ).scalar_one()
            return int(dropped)

    with scenario_on(url_text) as s:
        cid = s.submit()
        s.engine.get(cid, ADMIN)
        before = dump(url_text)
        dropped = drop_connections()
        assert dropped >= 1
        # each dead pooled connection fails one command, changing nothing; then one goes through
        errors: list[str] = []
        states: list[str] = []
        for _ in range(3):
            try:
                states.append(s.engine.fire(cid, "verify", ADMIN, **VERIFY).state)
                break
            except DatabaseUnavailable as exc:
                errors.append(str(exc))
                if dump(url_text) != before:
                    errors.append("the failed command changed the database")
        assert states == ["verified"]
        assert 1 <= len(errors) <= dropped
        assert all(e.startswith(f"database {safe_url(url_text)!r} cannot be used: ") for e in errors), errors
        # reads have a pool of their own (opening the engine read through it): its dead
        # connection fails one read the same way, and the next goes through
        with contextlib.suppress(DatabaseUnavailable):
            s.engine.history(cid, SYSTEM)
        assert [e.seq for e in s.engine.history(cid, SYSTEM)] == [1, 2]


def test_a_value_the_database_cannot_take_is_a_clear_error_and_nothing_is_written(db_url: str) -> None:
    store = open_store(db_url)
    try:
        complaint = replace(full_complaint(), attributes={"rt": {4, 5}})
        # refused before the database sees it, as on every store (sp4n.persistence.limits)
        expected = r"^attributes.rt=\{4, 5\} is invalid: expected JSON data: text, numbers, booleans, null, lists"
        with pytest.raises(InvalidArgumentError, match=expected):
            store.save(ChangeSet(complaint, 0))
        assert store.complaints() == []
    finally:
        store.close()


def test_instants_are_stored_on_sqlite_as_sqlalchemy_stores_them() -> None:
    """UtcDateTime writes SQLite's text in one step; it must be the text SQLAlchemy's own DATETIME
    writes for the same instant in UTC, or rows written before would sort and compare apart."""
    from datetime import UTC, datetime, timedelta, timezone

    from sqlalchemy.dialects import sqlite

    dialect = sqlite.dialect()
    ours = t.UtcDateTime().dialect_impl(dialect).bind_processor(dialect)
    theirs = sqlite.DATETIME().bind_processor(dialect)
    assert ours is not None
    assert theirs is not None
    wita = timezone(timedelta(hours=8))
    instants = [
        datetime(2026, 3, 2, 2, 0, tzinfo=UTC),
        datetime(2026, 3, 16, 0, 30, 0, 123456, tzinfo=wita),
        datetime(1, 1, 1, 8, 0, 0, 1, tzinfo=wita),
        datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
    ]
    assert [ours(i) for i in instants] == [theirs(i.astimezone(UTC).replace(tzinfo=None)) for i in instants]
    assert ours(instants[1]) == "2026-03-15 16:30:00.123456"
    assert ours(None) is None
