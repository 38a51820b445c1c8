"""Property tests: random and hostile arguments through the public API give only Sp4nError and
write nothing; random and hostile documents given to the SOP loader give only Sp4nError, quickly.

Example counts are bounded (and derandomized) so the suite stays quick; the figures of a run are
printed with ``-s`` (how many calls were tried and how each ended).
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sp4n.documents import parse_document
from sp4n.errors import Sp4nError
from sp4n.persistence import MemoryStore
from sp4n.states import build_sop
from sp4n.testing import Scenario
from sp4n.workflow import Actor

START = "2026-03-09T10:00:00+07:00"
PROPERTY = settings(
    max_examples=300,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


def deep(levels: int) -> Any:
    value: Any = "x"
    for _ in range(levels):
        value = [value]
    return value


HOSTILE: list[Any] = [
    "\ud800",
    "a\x00b",
    "x" * 300,
    "",
    " ",
    10**5000,
    -1,
    0,
    float("nan"),
    float("inf"),
    None,
    [],
    {},
    [1, [2]],
    {"a": {"b": None}},
    deep(1000),
    b"bytes",
    object(),
    True,
    timedelta(days=10**6),
    Actor.reporter("warga-9"),
    "verify",
    "national",
    "received",
    "\u0663 working days",
]

values = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(alphabet=st.characters(codec=None), max_size=30),
    st.integers(),
    st.floats(),
    st.none(),
    st.booleans(),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers() | st.text(max_size=5), max_size=3),
)

OPERATIONS = ("submit", "fire", "get", "allowed_triggers", "deadlines", "history", "run_due", "start_worker")
TALLY: Counter[str] = Counter()


def call(s: Scenario, cid: str, operation: str, a: Any, b: Any, c: Any) -> object:
    engine = s.engine
    if operation == "submit":
        return engine.submit(a, title=b, channel="web" if c is None else c)
    if operation == "fire":
        return engine.fire(cid if a is None else a, b, s.national_admin if c is None else c, reason=c)
    if operation == "get":
        return engine.get(a, b)
    if operation == "allowed_triggers":
        return engine.allowed_triggers(a, b)
    if operation == "deadlines":
        return engine.deadlines(a, b)
    if operation == "history":
        return engine.history(a, b)
    if operation == "run_due":
        return engine.run_due(limit=a)
    worker = engine.start_worker(interval=a, lease=b, batch=c)
    engine.stop_worker()
    return worker


@pytest.fixture(scope="module")
def scenario() -> Scenario:
    return Scenario(sops=["national"], start=START, store=MemoryStore())


def stored(s: Scenario) -> list[tuple[str, int, int]]:
    store = s.engine.store
    return [(cid, store.load(cid).complaint.version, len(store.history(cid))) for cid in store.complaint_ids()]


@PROPERTY
@given(operation=st.sampled_from(OPERATIONS), a=values, b=values, c=values)
def test_the_public_api_raises_only_sp4n_errors_and_writes_nothing_when_it_does(
    scenario: Scenario, operation: str, a: Any, b: Any, c: Any
) -> None:
    s = scenario
    cid = next(iter(s.engine.store.complaint_ids()), None) or s.submit()
    before = stored(s)
    try:
        call(s, cid, operation, a, b, c)
    except Sp4nError as exc:
        TALLY[f"{operation}: {type(exc).__name__}"] += 1
        message = str(exc)
        assert stored(s) == before
        assert len(message) < 1000
    else:
        TALLY[f"{operation}: accepted"] += 1
    finally:
        if s.engine.worker is not None:
            s.engine.stop_worker()


# --- SOP documents -------------------------------------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=30,
)
SOP_KEYS = ("id", "title", "extends", "states", "transitions", "clocks", "routing", "remove", "counting")
sop_documents = st.dictionaries(st.sampled_from(SOP_KEYS) | st.text(max_size=8), json_values, max_size=8)
DOCS: Counter[str] = Counter()


@pytest.mark.slow
@settings(PROPERTY, max_examples=150)
@given(document=sop_documents, extends=st.sampled_from([None, "national", "covid19_fasttrack", "nowhere.yaml"]))
def test_random_sop_mappings_give_only_sop_errors(document: dict[str, Any], extends: str | None) -> None:
    if extends is not None:
        document = {**document, "extends": extends}
    try:
        build_sop(document)
    except Sp4nError as exc:
        DOCS[f"mapping: {type(exc).__name__}"] += 1
    else:
        DOCS["mapping: accepted"] += 1


def laughs(fan_out: int, depth: int) -> str:
    """A YAML document whose aliases expand to fan_out ** depth values."""
    lines = ['a0: &a0 ["lol"]']
    for level in range(1, depth + 1):
        refs = ",".join([f"*a{level - 1}"] * fan_out)
        lines.append(f"a{level}: &a{level} [{refs}]")
    return "\n".join(lines) + "\n"


yaml_texts = st.one_of(
    st.text(max_size=200),
    st.builds(laughs, st.integers(1, 12), st.integers(1, 12)),
    st.builds(lambda n: "[" * n + "]" * n, st.integers(0, 5000)),
    st.builds(lambda n: "a:\n" + "".join(" " * i + "- \n" for i in range(1, n)), st.integers(0, 80)),
    st.builds(lambda n: "n: " + "9" * n, st.integers(1, 6000)),
    st.builds(lambda t: json.dumps(t), json_values),
)


@pytest.mark.slow
@settings(PROPERTY, max_examples=80)
@given(text=yaml_texts, kind=st.sampled_from(["yaml", "json", "toml"]))
def test_random_and_hostile_documents_parse_or_fail_cleanly(text: str, kind: str) -> None:
    try:
        data = parse_document(text, kind)
    except Sp4nError as exc:
        DOCS[f"{kind}: {type(exc).__name__}"] += 1
        return
    DOCS[f"{kind}: parsed"] += 1
    json.dumps(data, default=str)  # walking the result stays cheap: aliases were bounded


def test_tally(capsys: pytest.CaptureFixture[str]) -> None:
    """Printed with -s: the bad inputs tried and how each ended (the closing figures)."""
    with capsys.disabled():
        for name, count in sorted((TALLY + DOCS).items()):
            print(f"\n  {name:45s} {count}")
