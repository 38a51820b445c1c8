"""Serials of tracking numbers: each reserved once, whatever reserves them (threads, processes,
forked children), on every store; and the counter that migration 0003 starts after the
complaints already stored."""

from __future__ import annotations

import threading
from collections import Counter
from typing import Any

import pytest
from sqlalchemy import select, text

from sp4n.errors import InvalidArgumentError
from sp4n.persistence import Store
from sp4n.persistence import tables as t
from sp4n.persistence.migrate import current_revision, downgrade, upgrade
from sp4n.persistence.sql import open_store
from sp4n.workflow.tracking import TrackingNumbers, format_tracking_number

from .backends import (
    PROCESS_TIMEOUT,
    SQL_BACKENDS,
    backend_url,
    db_url_fixture,
    process_group,
    scenario_on,
    sql_engine,
    store_fixture,  # noqa: F401
)
from .forking import DAY, take_numbers
from .test_schema import differences

__all__ = ["db_url_fixture"]


def test_blocks_follow_each_other_from_1(store: Store) -> None:
    assert [store.reserve_serials(n) for n in (5, 1, 64, 1)] == [1, 6, 7, 71]


@pytest.mark.parametrize("count", [0, -3, 1.5, True, "4"])
def test_a_count_that_is_not_a_whole_number_of_at_least_1_is_refused(store: Store, count: Any) -> None:
    with pytest.raises(InvalidArgumentError, match=rf"^count={count!r} is invalid: expected a whole number of serials"):
        store.reserve_serials(count)
    assert store.reserve_serials(1) == 1  # nothing was reserved


def test_threads_reserve_disjoint_blocks_that_leave_no_gap(store: Store) -> None:
    barrier = threading.Barrier(8, timeout=PROCESS_TIMEOUT)
    taken: list[int] = []

    def reserve(count: int) -> None:
        barrier.wait()
        for _ in range(40):
            first = store.reserve_serials(count)
            taken.extend(range(first, first + count))  # (list.extend is atomic)

    threads = [threading.Thread(target=reserve, args=(1 + i % 3,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=PROCESS_TIMEOUT)
    assert not any(thread.is_alive() for thread in threads)
    assert sorted(taken) == list(range(1, 40 * (3 * 1 + 3 * 2 + 2 * 3) + 1))


def test_threads_sharing_an_allocator_get_distinct_numbers(store: Store) -> None:
    numbers = TrackingNumbers(store, block=5)
    barrier = threading.Barrier(6, timeout=PROCESS_TIMEOUT)
    got: list[str] = []

    def take() -> None:
        barrier.wait()
        got.extend(numbers.next(DAY) for _ in range(100))

    threads = [threading.Thread(target=take) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=PROCESS_TIMEOUT)
    assert not any(thread.is_alive() for thread in threads)
    assert len(got) == len(set(got)) == 600
    assert sorted(got)[0] == "SP4N-20260302-000001"  # blocks of 5, none wasted: the serials 1 to 600
    assert sorted(got)[-1] == "SP4N-20260302-0000JR"  # 600 = 18 * 32 + 24 (J is 18, R is 24)


def duplicates(numbers: list[str]) -> list[str]:
    return sorted(n for n, times in Counter(numbers).items() if times > 1)


def take_alongside(method: str, source: str | TrackingNumbers, numbers: TrackingNumbers, count: int) -> list[str]:
    """The parent takes ``count`` numbers from ``numbers`` while 4 children started with ``method``
    take ``count`` each (from ``source``, see :func:`take_numbers`): the parent's, then theirs."""
    with process_group(method) as group:
        barrier = group.ctx.Barrier(5, timeout=PROCESS_TIMEOUT)
        for _ in range(4):
            group.start(take_numbers, source, count, barrier)
        barrier.wait(timeout=PROCESS_TIMEOUT)
        mine = [numbers.next(DAY) for _ in range(count)]
        reports = group.collect(4)
    assert [error for _, _, error in reports] == [""] * 4
    return mine + [n for _, got, _ in reports for n in got]


@pytest.mark.parametrize("backend", SQL_BACKENDS)
def test_spawned_processes_with_their_own_stores_get_distinct_numbers(
    request: pytest.FixtureRequest, backend: str
) -> None:
    url = backend_url(request, backend)
    parent = open_store(url, upgrade=True)
    try:
        everything = take_alongside("spawn", url, TrackingNumbers(parent, block=7), 150)
    finally:
        parent.close()
    assert len(everything) == 750
    assert duplicates(everything) == []


@pytest.mark.parametrize("backend", SQL_BACKENDS)
def test_forked_children_never_hand_out_the_block_their_parent_holds(
    request: pytest.FixtureRequest, backend: str
) -> None:
    url = backend_url(request, backend)
    parent = open_store(url, upgrade=True)
    try:
        numbers = TrackingNumbers(parent, block=50)
        first = numbers.next(DAY)  # the parent holds serials 2 to 50 at the fork
        taken = take_alongside("fork", numbers, numbers, 120)
        last = numbers.next(DAY)  # and the parent goes on after its children are gone
    finally:
        parent.close()
    assert first == "SP4N-20260302-000001"
    assert taken[:49] == [format_tracking_number(DAY, n) for n in range(2, 51)]  # its block stays its own
    everything = [first, *taken, last]
    assert len(everything) == 602
    assert duplicates(everything) == []


def test_a_0002_database_with_complaints_counts_serials_on_after_them(db_url: str) -> None:
    with scenario_on(db_url) as s:
        for _ in range(3):
            s.submit()
    with sql_engine(db_url) as engine:
        assert downgrade(engine, "0002") == "0002"
        assert "sp4n_counters" not in set(_tables(engine))
        assert upgrade(engine) == t.SCHEMA_REVISION
        assert differences(engine) == []
        with engine.connect() as conn:
            assert conn.execute(select(t.counters)).all() == [("tracking_number", 4)]
    store = open_store(db_url, upgrade=False)
    try:
        assert store.reserve_serials(2) == 4
        assert store.reserve_serials(1) == 6
    finally:
        store.close()
    with sql_engine(db_url) as engine:
        assert downgrade(engine, "0002") == "0002" == current_revision(engine)
        assert "sp4n_counters" not in set(_tables(engine))


def _tables(engine: Any) -> list[str]:
    from sqlalchemy import inspect

    return list(inspect(engine).get_table_names())


def test_an_emptied_database_counts_serials_on_from_the_complaints_it_has(db_url: str) -> None:
    store = open_store(db_url)
    try:
        assert store.reserve_serials(10) == 1
        store.delete_everything()
        assert store.reserve_serials(3) == 1  # the counter went with everything else
        assert store.reserve_serials(1) == 4
        with store.engine.begin() as conn:
            conn.execute(text("DELETE FROM sp4n_counters"))
        with scenario_on(db_url) as s:
            s.submit()
            s.submit()
        assert store.reserve_serials(1) > 2  # after the complaints stored (or the block their engine took)
    finally:
        store.close()
