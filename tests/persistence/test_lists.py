"""The rows of lists: what the store reads for a page, and how SQLite's instants are written and read."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from sqlalchemy.dialects import sqlite

from sp4n.errors import NaiveDatetimeError
from sp4n.persistence import ChangeSet, ComplaintQuery, Store, Visibility
from sp4n.persistence.tables import UtcDateTime

from .backends import full_complaint, store_fixture  # noqa: F401


def test_a_listed_complaint_is_the_stored_one(store: Store) -> None:
    # the SQL store builds a listed complaint from its columns in order, not by name
    complaint = replace(full_complaint(), external_id="LAPOR-1")
    store.save(ChangeSet(complaint, 0))
    [(listed, next_due)] = store.find(ComplaintQuery(Visibility(everything=True), reporters=frozenset({"warga-7"})))
    assert listed == store.load(complaint.id).complaint == complaint
    assert next_due is None
    assert store.find(ComplaintQuery(Visibility(everything=True), reporters=frozenset({"warga-8"}))) == []


@pytest.mark.parametrize(
    ("stored", "instant"),
    [
        ("2026-03-02 03:00:00.000000", datetime(2026, 3, 2, 3, 0, tzinfo=UTC)),  # as SQLAlchemy writes it
        ("2026-03-02 03:00:00.250000", datetime(2026, 3, 2, 3, 0, 0, 250000, tzinfo=UTC)),
        ("2026-03-02 10:00:00+07:00", datetime(2026, 3, 2, 3, 0, tzinfo=UTC)),  # written with an offset
        ("2026-03-02", datetime(2026, 3, 2, 0, 0, tzinfo=UTC)),
    ],
)
def test_sqlite_instants_read_back_in_utc(stored: str, instant: datetime) -> None:
    process = UtcDateTime().result_processor(sqlite.dialect(), None)
    assert process is not None
    value = process(stored)
    assert value == instant
    assert value.tzinfo is UTC
    assert process(None) is None


def test_a_sqlite_instant_that_is_not_one_is_refused() -> None:
    process = UtcDateTime().result_processor(sqlite.dialect(), None)
    assert process is not None
    with pytest.raises(ValueError, match="Invalid isoformat string: 'gestern'"):
        process("gestern")


def test_sqlite_instants_are_written_as_sqlalchemy_writes_them() -> None:
    # the text must sort and compare as before: rows written by earlier versions sit beside new ones
    dialect = sqlite.dialect()
    ours = UtcDateTime().dialect_impl(dialect).bind_processor(dialect)
    theirs = sqlite.DATETIME().bind_processor(dialect)
    assert ours is not None
    assert theirs is not None
    wib = timezone(timedelta(hours=7))
    for instant in (datetime(2026, 3, 2, 10, 0, tzinfo=wib), datetime(987, 1, 2, 3, 4, 5, 6789, tzinfo=UTC)):
        assert ours(instant) == theirs(instant.astimezone(UTC).replace(tzinfo=None))
    assert ours(datetime(2026, 3, 2, 10, 0, tzinfo=wib)) == "2026-03-02 03:00:00.000000"
    assert ours(None) is None
    with pytest.raises(NaiveDatetimeError, match="stored instant"):
        ours(datetime(2026, 3, 2, 10, 0))
    with pytest.raises(TypeError, match=r"^an instant \(datetime\) is stored, not date datetime.date\(2026, 3, 2\)$"):
        ours(date(2026, 3, 2))
