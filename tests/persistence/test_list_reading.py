"""How a list reads its rows: the connections kept for lists, JSON read by the C scanner, and the
query of a page made without a dataclass's ``__init__`` (what find's speed rests on)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import JSON

from sp4n.errors import StoreError
from sp4n.persistence.driver import _reader
from sp4n.persistence.query import ComplaintQuery, Order, Visibility
from sp4n.persistence.sql import create_sql_engine, open_store

from .backends import ADMIN, db_url_fixture, scenario_on  # noqa: F401


def test_a_list_keeps_its_connection_on_sqlite_and_the_store_closes_it(tmp_path: Path) -> None:
    with scenario_on(sqlite_url(tmp_path)) as s:
        s.submit()
        pools = s.engine.store._pools  # type: ignore[attr-defined]
        first = s.engine.find(ADMIN).items
        kept = pools._listers.get_nowait()
        pools._listers.put(kept)
        assert s.engine.find(ADMIN).items == first
        assert pools._listers.get_nowait() is kept  # the same connection, taken again
        pools._listers.put(kept)
        assert s.engine.count(ADMIN) == 1
    with pytest.raises(Exception, match="closed"):  # closed with the store
        kept.cursor().execute("SELECT 1")


def test_a_failed_list_closes_its_connection_and_the_next_one_opens_another(tmp_path: Path) -> None:
    with scenario_on(sqlite_url(tmp_path)) as s:
        s.submit()
        pools = s.engine.store._pools  # type: ignore[attr-defined]
        s.engine.find(ADMIN)
        broken = pools._listers.get_nowait()
        broken.close()  # as a server that went away leaves it
        pools._listers.put(broken)
        with pytest.raises(StoreError):
            s.engine.find(ADMIN)
        assert len(s.engine.find(ADMIN).items) == 1


def test_lists_on_postgresql_use_the_pools_connections(db_url: str) -> None:
    with scenario_on(db_url) as s:
        s.submit()
        assert len(s.engine.find(ADMIN).items) == s.engine.count(ADMIN) == 1
        pools = s.engine.store._pools  # type: ignore[attr-defined]
        assert pools._listers.empty() == (pools.engine.dialect.name == "postgresql")


def sqlite_url(folder: Path) -> str:
    """A SQLite file of sp4n's schema in ``folder``."""
    url = f"sqlite:///{folder / 'sp4n.db'}"
    open_store(url, upgrade=True).close()
    return url


@pytest.mark.parametrize(
    "text", ['{"kelurahan": "Tembalang", "rt": "03"}', "{}", ' {"a": "b"} ', "null", "[1, 2.5]", '"x"']
)
def test_json_text_is_read_as_json_loads_reads_it(text: str, tmp_path: Path) -> None:
    engine = create_sql_engine(f"sqlite:///{tmp_path / 'sp4n.db'}")
    try:
        read = _reader(JSON(), engine.dialect)
        assert read is not None
        assert read(text) == json.loads(text)
        assert read(None) is None
        assert read(3) == 3  # SQLite's JSON may hold a bare number, which SQLAlchemy passes on
        with pytest.raises(json.JSONDecodeError):
            read('{"a": "b"} trailing')
        with pytest.raises(json.JSONDecodeError):
            read("{broken")
    finally:
        engine.dispose()


def test_a_query_made_from_values_equals_the_dataclass_and_names_what_it_is_not() -> None:
    visibility = Visibility(agencies=frozenset({"dinas_kesehatan"}))
    values = {"visibility": visibility, "order": Order.DUE, "limit": 20, "agencies": frozenset({"a"})}
    made = ComplaintQuery.of(values)
    assert made == ComplaintQuery(**values)
    assert hash(made) == hash(ComplaintQuery(**values))
    assert made.page(21, None) == ComplaintQuery(**{**values, "limit": 21})
    with pytest.raises(TypeError, match="agency"):
        ComplaintQuery.of({**values, "agency": "a"})
    with pytest.raises(TypeError, match="no visibility"):
        ComplaintQuery.of({"limit": 20})
