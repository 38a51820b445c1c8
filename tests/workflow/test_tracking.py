"""Tracking numbers: the date and a serial in Crockford's base 32, unique by construction, read
back whatever case or look-alike letters a caller types."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest
from persistence.backends import scenario, store_fixture  # noqa: F401

from sp4n.errors import InvalidArgumentError
from sp4n.persistence import MemoryStore, Store
from sp4n.workflow.tracking import (
    TrackingNumbers,
    encode_serial,
    format_tracking_number,
    normalize_tracking_number,
    parse_tracking_number,
)

DAY = date(2026, 4, 6)


@pytest.mark.parametrize(
    ("serial", "digits"),
    [(0, "000000"), (1, "000001"), (31, "00000Z"), (32, "000010"), (136621, "0045DD"), (32**6 - 1, "ZZZZZZ")],
)
def test_serials_are_six_crockford_digits(serial: int, digits: str) -> None:
    assert encode_serial(serial) == digits
    assert format_tracking_number(DAY, serial) == f"SP4N-20260406-{digits}"
    assert parse_tracking_number(f"SP4N-20260406-{digits}") == (DAY, serial)


def test_a_serial_past_six_digits_grows_the_number() -> None:
    assert format_tracking_number(DAY, 32**6) == "SP4N-20260406-1000000"
    assert parse_tracking_number("SP4N-20260406-1000000") == (DAY, 32**6)


def test_no_serial_is_written_with_i_l_o_or_u() -> None:
    written = "".join(encode_serial(n) for n in range(0, 32**3, 7))
    assert set(written) <= set("0123456789ABCDEFGHJKMNPQRSTVWXYZ")
    assert not set(written) & set("ILOU")


def test_a_number_as_a_person_types_it_is_read_back() -> None:
    assert normalize_tracking_number(" sp4n-20260406-oo45dd ") == "SP4N-20260406-0045DD"
    assert parse_tracking_number("Sp4n-20260406-0045dd") == (DAY, 136621)
    assert parse_tracking_number("SP4N-20260406-0000IL") == (DAY, 33)  # I and L are 1
    assert normalize_tracking_number("sp4n-20260302-0a1b2c3d") == "SP4N-20260302-0A1B2C3D"  # given before 0003


@pytest.mark.parametrize(
    "text",
    [
        "",
        "SP4N-20260406",
        "SP4N-2026046-0045DD",
        "SP4N-20261306-0045DD",
        "SP4N-20260406-45DD",
        "SP4N-20260406-0045UD",
        "LAPOR-20260406-0045DD",
        42,
    ],
)
def test_what_cannot_be_a_tracking_number_is_refused(text: Any) -> None:
    message = rf"^tracking_number={re.escape(repr(text))} is invalid: expected SP4N-YYYYMMDD- and at least 6 characters"
    with pytest.raises(InvalidArgumentError, match=message):
        normalize_tracking_number(text)


@pytest.mark.parametrize(
    ("argument", "value"), [("serial", -1), ("serial", 1.0), ("serial", True), ("local_day", "2026-04-06")]
)
def test_a_bad_serial_or_day_is_refused(argument: str, value: Any) -> None:
    arguments: dict[str, Any] = {"local_day": DAY, "serial": 1, argument: value}
    with pytest.raises(InvalidArgumentError, match=rf"^{argument}={re.escape(repr(value))} is invalid: expected "):
        format_tracking_number(**arguments)


@pytest.mark.parametrize("block", [0, -1, 2.5, False])
def test_a_block_that_is_not_a_whole_number_of_at_least_1_is_refused(block: Any) -> None:
    with pytest.raises(InvalidArgumentError, match=rf"^block={block!r} is invalid: expected a whole number"):
        TrackingNumbers(MemoryStore(), block=block)


def test_numbers_come_from_blocks_reserved_in_the_store(store: Store) -> None:
    store.reserve_serials(3)  # someone else took 1 to 3
    numbers = TrackingNumbers(store, block=4)
    assert [numbers.next(DAY) for _ in range(5)] == [format_tracking_number(DAY, n) for n in (4, 5, 6, 7, 8)]
    assert store.reserve_serials(1) == 12  # the second block (8 to 11) is the allocator's


def test_two_ids_that_share_their_first_8_hex_digits_on_one_day_get_distinct_numbers(store: Store) -> None:
    """The old number was the date and the id's first 8 hex digits: the second submission of
    these two failed with a ConcurrencyConflict ("expected version 0, found None")."""
    ids = iter(["0a1b2c3d" + "0" * 24, "0a1b2c3d" + "f" * 24])
    s = scenario(store, id_factory=lambda: next(ids))
    first, second = s.submit(), s.submit()
    numbers = [s.engine.get(cid, s.national_admin).tracking_number for cid in (first, second)]
    assert numbers[0] != numbers[1]
    assert all(re.fullmatch(r"SP4N-20260302-[0-9A-HJKMNP-TV-Z]{6}", n) for n in numbers), numbers
