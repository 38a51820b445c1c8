"""A server reads each key once per few seconds, not once per request; revocation still holds."""

from __future__ import annotations

import pytest

from sp4n.service.keys import KEY_CACHE_SECONDS, ApiKey, Keys, MemoryKeyStore
from sp4n.testing import ManualClock


class CountingStore(MemoryKeyStore):
    """A memory key store that counts its reads."""

    def __init__(self) -> None:
        super().__init__()
        self.reads = 0

    def get(self, key_id: str) -> ApiKey | None:
        self.reads += 1
        return super().get(key_id)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock("2026-03-02T09:00:00+07:00")


def test_a_key_is_read_once_within_the_cache_time(clock: ManualClock) -> None:
    store = CountingStore()
    keys = Keys(store, clock.now)
    key, token = keys.create("kota-app", ["dinas-pu"], ["agency_admin"])
    assert not keys.in_memory(token)
    assert keys.check(token) == key
    assert keys.in_memory(token)
    for _ in range(5):
        assert keys.check(token) == key
    assert store.reads == 1
    clock.advance(seconds=KEY_CACHE_SECONDS)
    assert not keys.in_memory(token)
    assert keys.check(token) == key
    assert store.reads == 2


def test_a_wrong_secret_is_refused_even_when_its_key_is_in_memory(clock: ManualClock) -> None:
    keys = Keys(MemoryKeyStore(), clock.now)
    key, token = keys.create("kota-app", ["dinas-pu"], ["agency_admin"])
    assert keys.check(token) == key
    assert keys.check(f"sp4n_{key.id}_{'x' * 43}") is None


def test_a_key_revoked_elsewhere_is_refused_once_the_cache_time_is_over(clock: ManualClock) -> None:
    store = MemoryKeyStore()
    server, cli = Keys(store, clock.now), Keys(store, clock.now)  # two processes on one database
    key, token = server.create("kota-app", ["dinas-pu"], ["agency_admin"])
    assert server.check(token) == key
    cli.revoke(key.id)
    clock.advance(seconds=KEY_CACHE_SECONDS - 1)
    assert server.check(token) == key  # still trusted from memory
    clock.advance(seconds=1)
    assert server.check(token) is None
    assert cli.check(token) is None


def test_a_key_revoked_by_the_same_keys_is_refused_at_once(clock: ManualClock) -> None:
    keys = Keys(MemoryKeyStore(), clock.now)
    key, token = keys.create("kota-app", ["dinas-pu"], ["agency_admin"])
    assert keys.check(token) == key
    keys.revoke(key.id)
    assert keys.check(token) is None


def test_unknown_and_malformed_tokens_are_never_kept(clock: ManualClock) -> None:
    store = CountingStore()
    keys = Keys(store, clock.now)
    assert keys.in_memory("nonsense")  # refused without a read
    assert keys.check("nonsense") is None
    unknown = f"sp4n_{'0' * 12}_{'x' * 43}"
    assert keys.check(unknown) is None
    assert keys.check(unknown) is None
    assert store.reads == 2  # read each time: only stored keys are kept in memory
    assert not keys.in_memory(unknown)


def test_no_cache_time_reads_every_time(clock: ManualClock) -> None:
    store = CountingStore()
    keys = Keys(store, clock.now, cache_seconds=0)
    _, token = keys.create("kota-app", ["dinas-pu"], ["agency_admin"])
    keys.check(token)
    keys.check(token)
    assert store.reads == 2
