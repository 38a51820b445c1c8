"""Every bad argument through the public API is an Sp4nError naming the argument and the value,
and changes nothing; field limits are the same on the memory store, SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest

from sp4n.errors import Sp4nError
from sp4n.persistence import MemoryStore, Store
from sp4n.persistence.sql import open_store
from sp4n.testing import Scenario
from sp4n.workflow import Actor, Engine

START = "2026-03-09T10:00:00+07:00"


def deep(levels: int) -> Any:
    value: Any = "x"
    for _ in range(levels):
        value = [value]
    return value


Call = Callable[[Scenario, str], object]

CASES: list[tuple[str, Call, str]] = [
    ("actor as text", lambda s, c: s.engine.submit("warga", title="x"), r"actor='warga' is invalid: expected an Actor"),
    ("actor None", lambda s, c: s.engine.submit(None, title="x"), r"actor=None is invalid: expected an Actor"),
    ("actor a number", lambda s, c: s.engine.fire(c, "verify", 5), r"actor=5 is invalid: expected an Actor"),
    ("actor to allowed_triggers", lambda s, c: s.engine.allowed_triggers(c, "x"), r"actor='x' is invalid"),
    (
        "title a lone surrogate",
        lambda s, c: s.engine.submit(s.reporter, title="\ud800"),
        r"title='\\ud800' is invalid: expected valid Unicode",
    ),
    (
        "title with NUL",
        lambda s, c: s.engine.submit(s.reporter, title="a\x00b"),
        r"title='a\\x00b' is invalid: expected text without NUL",
    ),
    (
        "title of a million characters",
        lambda s, c: s.engine.submit(s.reporter, title="x" * 1_000_000),
        r"title='xxx.*\(1000002 characters\) is invalid: expected text of at most 100000",
    ),
    (
        "title a 5,000-digit number",
        lambda s, c: s.engine.submit(s.reporter, title=10**5000),
        r"title=<an integer of about 5000 digits> is invalid",
    ),
    (
        "agency of 129 characters",
        lambda s, c: s.engine.submit(s.reporter, title="x", agency="a" * 129),
        r"agency='a+\.\.\.a+' \(131 characters\) is invalid: expected text of at most 128",
    ),
    (
        "reporter_name of 201 characters",
        lambda s, c: s.engine.submit(s.reporter, title="x", reporter_name="n" * 201),
        r"reporter_name='n+\.\.\.n+' \(203 characters\) is invalid: expected text of at most 200",
    ),
    (
        "channel of 65 characters",
        lambda s, c: s.engine.submit(s.reporter, title="x", channel="c" * 65),
        r"channel='c+' is invalid: expected text of at most 64",
    ),
    (
        "attributes 100,000 deep",
        lambda s, c: s.engine.submit(s.reporter, title="x", attributes={"a": deep(100_000)}),
        r"attributes=.* is invalid: expected JSON data within limits: nested deeper than 32",
    ),
    (
        "data 100,000 deep",
        lambda s, c: s.engine.fire(c, "hold", s.national_admin, reason=deep(100_000)),
        r"nested deeper than 32 levels",
    ),
    (
        "data a 5,000-digit number",
        lambda s, c: s.engine.fire(c, "hold", s.national_admin, reason=10**5000),
        r"a number of more than 30 digits",
    ),
    (
        "data a lone surrogate",
        lambda s, c: s.engine.fire(c, "hold", s.national_admin, reason="\udc00"),
        r"reason='\\udc00' is invalid: expected valid Unicode",
    ),
    (
        "data nan",
        lambda s, c: s.engine.fire(c, "hold", s.national_admin, reason=float("nan")),
        r"reason=nan is invalid: expected a finite number",
    ),
    (
        "trigger a list",
        lambda s, c: s.engine.fire(c, ["x"], s.national_admin),
        r"trigger=\['x'\] is invalid: expected a non-empty string",
    ),
    ("trigger None", lambda s, c: s.engine.fire(c, None, s.national_admin), r"trigger=None is invalid"),
    ("complaint id a list", lambda s, c: s.engine.deadlines([1], None), r"complaint_id=\[1\] is invalid"),
    (
        "complaint id a surrogate",
        lambda s, c: s.engine.get("\ud800", s.national_admin),
        r"complaint_id='\\ud800' is invalid",
    ),
    (
        "idempotency key a number",
        lambda s, c: s.engine.submit(s.reporter, title="x", idempotency_key=5),
        r"idempotency_key=5 is invalid",
    ),
    (
        "run_due limit text",
        lambda s, c: s.engine.run_due(limit="x"),
        r"limit='x' is invalid: expected a whole number from 1 to 1000000",
    ),
    (
        "run_due limit 5,000 digits",
        lambda s, c: s.engine.run_due(limit=10**5000),
        r"limit=<an integer of about 5000 digits> is invalid",
    ),
    ("worker interval nan", lambda s, c: s.engine.start_worker(interval=float("nan")), r"interval=nan is invalid"),
    ("worker interval inf", lambda s, c: s.engine.start_worker(interval=float("inf")), r"interval=inf is invalid"),
    (
        "worker lease huge",
        lambda s, c: s.engine.start_worker(lease=timedelta(days=10**8)),
        r"lease=.* is invalid: expected a timedelta above 0, at most 1 day",
    ),
    (
        "late_grace as text",
        lambda s, c: Engine(sops=["national"], store=MemoryStore(), late_grace="15m"),
        r"late_grace='15m' is invalid",
    ),
    ("sops a number", lambda s, c: Engine(sops=5, store=MemoryStore()), r"sops=5 is invalid: expected a list of SOPs"),
    ("sops a single id", lambda s, c: Engine(sops="national", store=MemoryStore()), r"sops='national' is invalid"),
    (
        "clock as text",
        lambda s, c: Engine(sops=["national"], store=MemoryStore(), clock="now"),
        r"clock='now' is invalid: expected a Clock",
    ),
    (
        "agency_zones a list",
        lambda s, c: Engine(sops=["national"], store=MemoryStore(), agency_zones=[1]),
        r"agency_zones=\[1\] is invalid",
    ),
    ("database_url a number", lambda s, c: Engine(sops=["national"], database_url=5), r"database_url='int' is invalid"),
    (
        "apply_calendar text",
        lambda s, c: s.engine.apply_calendar("x"),
        r"calendar='x' is invalid: expected a WorkingCalendar",
    ),
    (
        "migrate ids a number",
        lambda s, c: s.engine.migrate(5, sop_id="national", version="x", state_map={}, actor=s.national_admin),
        r"complaint_ids=5 is invalid",
    ),
    ("subscribe a number", lambda s, c: s.engine.subscribe(5), r"callback=5 is invalid"),
    ("actor id a surrogate", lambda s, c: Actor.reporter("\ud800"), r"actor.id='\\ud800' is invalid"),
    ("actor agency a number", lambda s, c: Actor.agency_admin("a", 5), r"actor.agency=5 is invalid"),
    ("actor role a list", lambda s, c: Actor("a", ["x"]), r"actor.role=\['x'\] is invalid"),
    (
        "id_factory giving a number",
        lambda s, c: Engine(sops=["national"], store=MemoryStore(), id_factory=lambda: 5).submit(s.reporter, title="x"),
        r"id_factory\(\)=5 is invalid",
    ),
]


def snapshot_of(store: Store) -> list[tuple[str, int]]:
    return [(cid, len(store.history(cid))) for cid in store.complaint_ids()]


@pytest.mark.parametrize(("name", "call", "message"), CASES, ids=[c[0] for c in CASES])
def test_a_bad_argument_is_an_sp4n_error_naming_it(name: str, call: Call, message: str) -> None:
    s = Scenario(sops=["national"], start=START)
    cid = s.submit()
    before = snapshot_of(s.engine.store)
    try:
        with pytest.raises(Sp4nError, match=message) as caught:
            call(s, cid)
        assert len(str(caught.value)) < 600  # a huge value is never echoed in full
        assert snapshot_of(s.engine.store) == before
    finally:
        if s.engine.worker is not None:
            s.engine.stop_worker()


@pytest.fixture(params=["memory", "sqlite", "postgresql"])
def any_store(request: pytest.FixtureRequest, tmp_path: Any) -> Iterator[Store]:
    if request.param == "memory":
        yield MemoryStore()
        return
    url = (
        f"sqlite:///{tmp_path / 'sp4n.db'}"
        if request.param == "sqlite"
        else request.getfixturevalue("postgres_schema_url")
    )
    store = open_store(url, upgrade=True)
    try:
        yield store
    finally:
        store.close()


FIELDS = [
    (
        {"agency": "a" * 129},
        r"agency='a+\.\.\.a+' \(131 characters\) is invalid: expected text of at most 128 characters \(got 129\)",
    ),
    ({"agency": "a" * 65}, None),
    ({"title": "Jalan\x00rusak"}, r"title='Jalan\\x00rusak' is invalid: expected text without NUL characters"),
    ({"category": "kesehatan", "classification": "pengaduan", "reporter_name": "n" * 201}, r"reporter_name="),
    ({"attributes": {"rt": "\x00"}}, r"attributes.rt='\\x00' is invalid: expected text without NUL"),
]


@pytest.mark.parametrize(("fields", "message"), FIELDS)
def test_field_limits_are_the_same_on_every_store(
    any_store: Store, fields: dict[str, Any], message: str | None
) -> None:
    s = Scenario(sops=["national"], start=START, store=any_store)
    fields = dict(fields)
    title = fields.pop("title", "Jalan rusak")
    if message is None:
        view = s.engine.submit(s.reporter, title=title, **fields)
        assert any_store.load(view.id).complaint.agency == fields["agency"]
        return
    with pytest.raises(Sp4nError, match=message):
        s.engine.submit(s.reporter, title=title, **fields)
    assert list(any_store.complaint_ids()) == []


def test_a_long_actor_id_is_refused_before_any_store() -> None:
    with pytest.raises(
        Sp4nError, match=r"actor.id='w+\.\.\.w+' \(131 characters\) is invalid: expected text of at most 128 characters"
    ):
        Actor.reporter("w" * 129)
