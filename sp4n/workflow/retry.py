"""Retrying a command that lost an optimistic-locking race."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from sp4n.errors import ConcurrencyConflict

T = TypeVar("T")


def retry_on_conflict(command: Callable[[], T], attempts: int = 3) -> T:
    """Run ``command``; when it raises ConcurrencyConflict, run it again (it reloads the complaint).

    Safe because a command recomputes everything from a fresh load: a retry of ``fire`` either
    applies to the new state or fails with the reason it no longer applies (for example
    TransitionNotAllowed when the other command already moved the complaint on).
    """
    if attempts < 1:
        raise ValueError(f"attempts={attempts!r} must be at least 1")
    for attempt in range(attempts):
        try:
            return command()
        except ConcurrencyConflict:
            if attempt == attempts - 1:
                raise
    raise AssertionError("unreachable")  # pragma: no cover
