"""Engine.count: the number of complaints find lists over all its pages, for each viewer, on
memory, SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from sp4n.errors import InvalidData
from sp4n.testing import Scenario
from sp4n.workflow import Actor, Engine

from .backends import AGENCY, store_fixture  # noqa: F401
from .test_find import (
    ADMIN,
    BUDI,
    OTHER_STAFF,
    SITI,
    STAFF,
    exactly,
    world,  # noqa: F401  (the fixture)
)

START = datetime(2026, 3, 3, 0, 0, tzinfo=UTC)
FILTERS: list[dict[str, Any]] = [
    {},
    {"state": "distributed"},
    {"state": ["received", "distributed"], "channel": "sms"},
    {"agency": AGENCY},
    {"category": "kesehatan"},
    {"submitted_from": START, "submitted_until": START + timedelta(days=1)},
    {"breached": True},
    {"due_before": START + timedelta(days=30)},
    {"due_within": 1, "order": "due"},
    {"order": "due"},
]


def by_reporter(actor: Actor | None) -> list[dict[str, Any]]:
    """The list by reporter each viewer may ask for: staff any reporter's, a reporter their own,
    the public none (find refuses the others, and count as find: see below)."""
    if actor is None:
        return []
    return [{"reporter": actor.id if actor in (SITI, BUDI) else SITI.id}]


def every_page(engine: Engine, actor: Actor | None, filters: dict[str, Any]) -> int:
    total, cursor = 0, None
    while True:
        page = engine.find(actor, cursor=cursor, limit=2, **filters)
        total += len(page.items)
        if page.next_cursor is None:
            return total
        cursor = page.next_cursor


@pytest.mark.parametrize("actor", [ADMIN, STAFF, OTHER_STAFF, SITI, BUDI, None], ids=str)
def test_count_is_what_find_lists_over_every_page(world: Scenario, actor: Actor | None) -> None:  # noqa: F811
    e = world.engine
    filters = FILTERS + by_reporter(actor)
    counts = [e.count(actor, **f) for f in filters]
    assert counts == [every_page(e, actor, f) for f in filters]
    # two reports are confidential: each in-scope viewer sees one of them, the public neither
    assert counts[0] == {ADMIN: 6, None: 4}.get(actor, 5)


def test_count_takes_no_limit_or_cursor_and_checks_filters_as_find(world: Scenario) -> None:  # noqa: F811
    e = world.engine
    with pytest.raises(InvalidData, match=exactly("limit=5 is invalid: no such argument: count() counts every page")):
        e.count(ADMIN, limit=5)
    with pytest.raises(
        InvalidData, match=exactly("cursor='x' is invalid: no such argument: count() counts every page")
    ):
        e.count(ADMIN, cursor="x")
    with pytest.raises(InvalidData, match=r"^due_within=-1 is invalid: a whole number of working days, 0 or more$"):
        e.count(ADMIN, due_within=-1)
    refused = r"^reporter='warga-siti' is invalid: a reporter lists by reporter only their own reports$"
    with pytest.raises(InvalidData, match=refused):
        e.count(BUDI, reporter=SITI.id)
    with pytest.raises(InvalidData, match=refused):
        e.find(BUDI, reporter=SITI.id)
