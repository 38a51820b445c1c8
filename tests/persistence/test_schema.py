"""The schema the migrations build is the schema the code's tables describe, on SQLite and PostgreSQL.

Alembic's autogenerate compares a migrated database with ``sp4n.persistence.tables.metadata``:
any difference (a column, a type, a nullability, an index, a constraint, a server default) means
a migration and the models went apart. Nothing is ignored.
"""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine as SqlEngine
from sqlalchemy import inspect, text
from sqlalchemy.engine import make_url

from sp4n.cli import main
from sp4n.errors import SchemaOutdated
from sp4n.persistence import tables as t
from sp4n.persistence.migrate import current_revision, downgrade, upgrade
from sp4n.persistence.sql import open_store

from .backends import db_url_fixture, empty_url_fixture, scenario_on, sql_engine, tracked_engines  # noqa: F401

SP4N_TABLES = sorted(table.name for table in t.metadata.sorted_tables)


def differences(engine: SqlEngine) -> list[object]:
    """What autogenerate would put in a new migration (types and server defaults compared too)."""
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True, "compare_server_default": True})
        return list(compare_metadata(context, t.metadata))


def test_the_migrated_schema_equals_the_models(empty_url: str) -> None:
    with sql_engine(empty_url) as engine:
        assert current_revision(engine) is None
        assert upgrade(engine) == t.SCHEMA_REVISION
        assert differences(engine) == []
        assert sorted(inspect(engine).get_table_names()) == sorted([*SP4N_TABLES, "alembic_version"])
        assert upgrade(engine) == t.SCHEMA_REVISION  # upgrading a current database changes nothing
        assert differences(engine) == []


def test_the_cli_upgrades_and_reports_the_revision(empty_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    shown = make_url(empty_url).render_as_string(hide_password=True)
    revision = t.SCHEMA_REVISION
    assert main(["db", "current", "--url", empty_url]) == 0
    assert capsys.readouterr().out == f"{shown}: (no sp4n schema) (needs `sp4n db upgrade` to {revision})\n"
    assert main(["db", "upgrade", "--url", empty_url]) == 0
    assert capsys.readouterr().out == f"{shown}: (empty) -> {revision}\n"
    assert main(["db", "current", "--url", empty_url]) == 0
    assert capsys.readouterr().out == f"{shown}: {revision} (up to date)\n"
    assert main(["db", "upgrade", "--url", empty_url]) == 0
    assert capsys.readouterr().out == f"{shown}: {revision} -> {revision}\n"
    with sql_engine(empty_url) as engine:
        assert differences(engine) == []


def test_an_unreachable_database_is_reported_without_its_password(capsys: pytest.CaptureFixture[str]) -> None:
    url = "postgresql+psycopg://sp4n:rahasia@127.0.0.1:5499/sp4n"  # nobody listens on 5499
    for command in (["db", "current"], ["db", "upgrade"], ["audit", "verify"]):
        assert main([*command, "--url", url]) == 2
        out, err = capsys.readouterr()
        shown = "postgresql+psycopg://sp4n:***@127.0.0.1:5499/sp4n"
        assert err.startswith(f"sp4n: error: database {shown!r} cannot be used: ")
        assert "rahasia" not in out + err


@pytest.mark.postgres
def test_the_cli_never_prints_a_password(
    postgres_schema_url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The test server trusts its clients, so any password opens it: none may be printed."""
    url = make_url(postgres_schema_url).set(password="rahasia").render_as_string(hide_password=False)
    printed = {}
    with tracked_engines(monkeypatch):  # (`audit verify` on a refused database leaves its engine open)
        for command, code in ((["db", "current"], 0), (["audit", "verify"], 2), (["db", "upgrade"], 0)):
            assert main([*command, "--url", url]) == code
            out, err = capsys.readouterr()
            assert out + err
            printed[command[1]] = out + err
    assert printed["verify"].startswith("sp4n: error: database ")
    assert {command: "rahasia" in text for command, text in printed.items()} == {
        "current": False,
        "verify": False,
        "upgrade": False,
    }


def test_downgrade_to_base_and_upgrade_again(db_url: str) -> None:
    with scenario_on(db_url) as s:
        cid = s.submit()
        s.fire(cid, "verify", s.national_admin, classification="pengaduan", category="kesehatan")
    with sql_engine(db_url) as engine:
        assert downgrade(engine, "base") is None
        assert current_revision(engine) is None
        assert inspect(engine).get_table_names() == ["alembic_version"]
        assert upgrade(engine) == t.SCHEMA_REVISION
        assert differences(engine) == []
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM sp4n_complaints")).scalar_one() == 0
    with scenario_on(db_url) as s:  # the rebuilt schema works
        cid = s.submit()
        assert s.state(cid) == "received"


def test_a_0001_database_with_complaints_upgrades_to_the_claim_order_index(db_url: str) -> None:
    with sql_engine(db_url) as engine:
        assert downgrade(engine, "0001") == "0001"
        assert "ix_sp4n_timers_status_due_at" in {i["name"] for i in inspect(engine).get_indexes("sp4n_timers")}
    with pytest.raises(SchemaOutdated, match="sp4n db upgrade"):
        open_store(db_url, upgrade=False)
    with sql_engine(db_url) as engine:
        with engine.begin() as conn:  # a complaint stored under 0001
            conn.execute(
                text(
                    "INSERT INTO sp4n_complaints (id, tracking_number, sop_id, sop_version, state, zone, submitted_at,"
                    " updated_at, title, description, channel, anonymous, confidential, attributes, version, last_seq,"
                    " last_hash) VALUES ('k1', 'T-1', 'national', 'v', 'received', 'WIB', '2026-03-02 02:00:00',"
                    " '2026-03-02 02:00:00', 'Jalan', '', 'web', false, false, '{}', 0, 0, '')"
                )
            )
        assert upgrade(engine) == t.SCHEMA_REVISION
        indexes = {i["name"]: i["column_names"] for i in inspect(engine).get_indexes("sp4n_timers")}
        assert indexes["ix_sp4n_timers_status_due_at_priority_id"] == ["status", "due_at", "priority", "id"]
        assert "ix_sp4n_timers_status_due_at" not in indexes
        assert differences(engine) == []
    store = open_store(db_url, upgrade=False)
    try:
        assert store.load("k1").complaint.title == "Jalan"
    finally:
        store.close()


def test_sqlite_connections_use_wal_foreign_keys_and_a_busy_timeout(sqlite_url: str) -> None:
    with sql_engine(sqlite_url) as engine:
        upgrade(engine)
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar_one() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar_one() == 1
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar_one() == 30000


def test_0011_drops_the_outbox_and_every_event_stays_in_the_feed(db_url: str) -> None:
    with scenario_on(db_url) as s:
        cid = s.submit()
        s.fire(cid, "verify", s.national_admin, classification="pengaduan", category="kesehatan")
    with sql_engine(db_url) as engine:
        assert downgrade(engine, "0009") == "0009"
        with engine.begin() as conn:  # under 0009 the trigger writes an outbox row for each new event
            conn.execute(
                text(
                    "INSERT INTO sp4n_events (complaint_id, seq, at, kind, actor_id, actor_role, payload,"
                    " clock_changes, calendar_version, sop_version, prev_hash, hash) SELECT complaint_id, 99, at,"
                    " kind, actor_id, actor_role, payload, clock_changes, calendar_version, sop_version, prev_hash,"
                    " hash FROM sp4n_events WHERE seq = 2"
                )
            )
            assert conn.execute(text("SELECT id FROM sp4n_outbox")).scalars().all() == [f"{cid}/99"]
            conn.execute(text("DELETE FROM sp4n_events WHERE seq = 99"))
        assert upgrade(engine) == t.SCHEMA_REVISION
        assert "sp4n_outbox" not in inspect(engine).get_table_names()
        assert differences(engine) == []
        with engine.connect() as conn:
            fed = conn.execute(text("SELECT complaint_id, event_seq FROM sp4n_feed ORDER BY event_seq")).all()
            assert [tuple(r) for r in fed] == [(cid, 1), (cid, 2)]
    with scenario_on(db_url) as s:  # events are written once more: no trigger is left behind
        s.fire(cid, "distribute", s.national_admin, agency="dinas_kesehatan")
        assert [(e.complaint_id, e.event_seq) for e in s.engine.feed.entries(0, 10)] == [(cid, 1), (cid, 2), (cid, 3)]
