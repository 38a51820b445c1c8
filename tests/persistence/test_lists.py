"""The rows of lists: what the store reads for a page, and how SQLite's instants read back."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from sqlalchemy.dialects import sqlite

from sp4n.errors import NaiveDatetimeError
from sp4n.persistence.query import Listed
from sp4n.persistence.records import Complaint
from sp4n.persistence.rows import COMPLAINT_FIELDS
from sp4n.persistence.tables import UtcDateTime


def test_a_list_row_holds_the_complaint_fields_and_its_due_instant() -> None:
    # the store's SELECT and make_view read the same names: a field added to Complaint must be listed
    assert Listed._fields == (*COMPLAINT_FIELDS, "next_due_at")
    at = datetime(2026, 3, 2, 3, 0, tzinfo=UTC)
    complaint = Complaint("c1", "SP4N-1", "national", "1", "received", "Asia/Jakarta", at, at, "Jalan rusak")
    complaint.attributes["rt"] = "003"
    row = Listed.of(complaint, None)
    assert row._asdict() == {**{f: getattr(complaint, f) for f in COMPLAINT_FIELDS}, "next_due_at": None}
    complaint.attributes["rt"] = "004"
    assert row.attributes == {"rt": "003"}  # the row's own copy


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
