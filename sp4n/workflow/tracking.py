"""Tracking numbers: unique by construction, short enough to read out on the phone.

A tracking number is the local date of submission and a serial that the store hands out once
(:meth:`~sp4n.persistence.Store.reserve_serials`), written in Crockford's base 32: digits and
capital letters without I, L, O and U, so nothing is mistaken for 1, 0 or a rude word; six
characters, zero-padded, last for a billion complaints (``SP4N-20260406-0045DD``) and grow
after that. The date only makes a number easier to place; the serial alone is unique.

A process takes serials in blocks (64 by default), so most submissions ask the database for
nothing; a block that a process did not use up is simply never used. Blocks are per process:
a child forked while its parent held a block drops it and reserves one of its own.
"""

from __future__ import annotations

import re
import threading
from datetime import date

from sp4n.errors import InvalidArgumentError
from sp4n.persistence.base import Store
from sp4n.persistence.forks import reset_after_fork

PREFIX = "SP4N"
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
"""Crockford's base 32 digits, 0 to 31."""
WIDTH = 6
"""Serial digits at least: 32**6 (about a billion) serials before a number grows by one."""

_READ_AS = str.maketrans({"O": "0", "I": "1", "L": "1"})
"""What a person may write for a digit (Crockford): O for 0, I and L for 1."""
_FORM = re.compile(rf"{PREFIX}-([0-9]{{8}})-([{ALPHABET}]{{{WIDTH},}})")
_EXPECTED = f"{PREFIX}-YYYYMMDD- and at least {WIDTH} characters of 0-9 and A-Z but I, L, O, U"


def encode_serial(serial: int) -> str:
    """``serial`` in Crockford's base 32, zero-padded to six digits."""
    if not isinstance(serial, int) or isinstance(serial, bool) or serial < 0:
        raise InvalidArgumentError("serial", serial, "a whole number, 0 or more")
    digits = []
    while serial:
        serial, digit = divmod(serial, 32)
        digits.append(ALPHABET[digit])
    return "".join(reversed(digits)).rjust(WIDTH, "0")


def format_tracking_number(local_day: date, serial: int) -> str:
    """The tracking number of ``serial`` submitted on ``local_day``: ``SP4N-20260406-0045DD``."""
    if not isinstance(local_day, date):
        raise InvalidArgumentError("local_day", local_day, "a date (the local date of submission)")
    return f"{PREFIX}-{local_day:%Y%m%d}-{encode_serial(serial)}"


def normalize_tracking_number(text: str) -> str:
    """A tracking number as typed (any case, O for 0, I or L for 1, spaces around) in the form
    sp4n stores it, to look it up; InvalidArgumentError if it cannot be one. Numbers given
    before schema 0003 (eight hex digits after the date) normalize to themselves too."""
    if not isinstance(text, str):
        raise InvalidArgumentError("tracking_number", text, _EXPECTED)
    parts = text.strip().upper().split("-")
    if len(parts) == 3:
        parts[2] = parts[2].translate(_READ_AS)
    found = _FORM.fullmatch("-".join(parts))
    if found is None or _day(found.group(1)) is None:
        raise InvalidArgumentError("tracking_number", text, _EXPECTED)
    return found.group(0)


def parse_tracking_number(text: str) -> tuple[date, int]:
    """The local date and the serial of a tracking number (as :func:`normalize_tracking_number` reads it)."""
    _, day, serial = normalize_tracking_number(text).split("-")
    value = 0
    for char in serial:
        value = value * 32 + ALPHABET.index(char)
    parsed = _day(day)
    assert parsed is not None  # normalize checked it
    return parsed, value


def _day(digits: str) -> date | None:
    try:
        return date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
    except ValueError:
        return None


class TrackingNumbers:
    """Hands out tracking numbers from blocks of serials reserved in ``store``; thread-safe, and
    a forked child never hands out a number of its parent's block."""

    def __init__(self, store: Store, block: int = 64) -> None:
        if not isinstance(block, int) or isinstance(block, bool) or block < 1:
            raise InvalidArgumentError("block", block, "a whole number of serials, at least 1")
        self.store = store
        self.block = block
        self._lock = threading.Lock()
        self._next = self._end = 0  # the serials not handed out yet: [_next, _end)
        reset_after_fork(self)

    def __repr__(self) -> str:
        return f"TrackingNumbers({self.store!r}, block={self.block})"

    def next(self, local_day: date) -> str:
        """A tracking number no one else has got or will get, for a complaint submitted on ``local_day``."""
        return format_tracking_number(local_day, self.next_serial())

    def next_serial(self) -> int:
        """A serial no one else has got or will get."""
        with self._lock:
            if self._next >= self._end:
                self._next = self.store.reserve_serials(self.block)
                self._end = self._next + self.block
            serial = self._next
            self._next += 1
            return serial

    def after_fork_in_child(self) -> None:
        """Drop the parent's block (the parent hands it out) and the lock, which a thread of the
        parent may have held at the fork."""
        self._lock = threading.Lock()
        self._next = self._end = 0
