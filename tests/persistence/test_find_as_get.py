"""find's views against get's, for every kind of actor, on random complaints: find builds its
views straight from rows (one compiled maker per layout), get from the stored complaint, and the
two must agree to the field for each actor, on every backend, also once complaints were made
anonymous or confidential by a later command and were moved to another agency or unit."""

from __future__ import annotations

import random
from contextlib import suppress
from pathlib import Path

import pytest

from sp4n.agencies import load_agencies
from sp4n.errors import ComplaintNotVisible, PermissionDenied
from sp4n.persistence import Store
from sp4n.testing import Scenario
from sp4n.workflow import Actor
from sp4n.workflow.views import ComplaintView

from .backends import ADMIN, scenario, store_fixture  # noqa: F401

REGISTRY = Path(__file__).resolve().parents[2] / "examples" / "agencies" / "registry.yaml"
REPORTERS = [Actor.reporter(f"warga-{c}", name=f"Warga {c.upper()}") for c in "abc"]
ACTORS: list[Actor | None] = [
    None,
    *REPORTERS,
    ADMIN,
    Actor.ombudsman("ombudsman-1"),
    Actor.agency_admin("kominfo-smg", "diskominfo_semarang"),  # admin of the whole Kota Semarang tree
    Actor.agency_admin("dinkes-smg", "dinkes_semarang"),
    Actor.agency_admin("kemenkes", "kemenkes"),
    Actor.liaison_officer("puskesmas", "dinkes_semarang", units=("puskesmas_bandarharjo",)),
    Actor.liaison_officer("disdik", "disdik_semarang"),
]
PLACES = [
    ("dinkes_semarang", None),
    ("dinkes_semarang", "puskesmas_bandarharjo"),
    ("dinkes_semarang", "rsud_wongsonegoro"),
    ("disdik_semarang", "sdn_pekunden"),
    ("kemenkes", None),
]


def _world(store: Store, seed: int) -> Scenario:
    s = scenario(store, agencies=load_agencies(REGISTRY))
    e, rng = s.engine, random.Random(seed)
    for i in range(24):
        who = rng.choice(REPORTERS)
        extra = {"external_id": f"LAPOR-{seed}-{i}"} if rng.random() < 0.3 else {}
        attributes = {"hp": f"08{i:04d}", "rt": str(i)} if rng.random() < 0.6 else {}
        view = e.submit(
            who,
            title=f"t{i}",
            anonymous=rng.random() < 0.3,
            confidential=rng.random() < 0.3,
            attributes=attributes,
            **extra,
        )
        s.advance(hours=rng.randint(1, 30))
        if rng.random() < 0.75:  # verified, perhaps made anonymous or confidential only now
            flags = {k: True for k in ("anonymous", "confidential") if rng.random() < 0.35}
            e.fire(view.id, "verify", ADMIN, classification="pengaduan", category="kesehatan", **flags)
            if rng.random() < 0.8:
                agency, unit = rng.choice(PLACES)
                e.fire(view.id, "distribute", ADMIN, agency=agency, **({"unit": unit} if unit else {}))
    return s


def _visible(s: Scenario, actor: Actor | None) -> dict[str, ComplaintView]:
    """Every complaint get shows ``actor``, by id."""
    seen = {}
    for view in s.engine.find(ADMIN, limit=500).items:
        with suppress(ComplaintNotVisible, PermissionDenied):
            seen[view.id] = s.engine.get(view.id, actor)
    return seen


def _listed(s: Scenario, actor: Actor | None, **filters: object) -> list[ComplaintView]:
    """Every view find gives ``actor``, page after page of a few."""
    views, cursor = [], None
    while True:
        page = s.engine.find(actor, limit=5, cursor=cursor, **filters)  # type: ignore[arg-type]
        views.extend(page.items)
        cursor = page.next_cursor
        if cursor is None:
            return views


@pytest.mark.parametrize("seed", [1, 2])
def test_find_shows_each_actor_what_get_shows(store: Store, seed: int) -> None:
    s = _world(store, seed)
    for actor in ACTORS:
        seen = _visible(s, actor)
        listed = _listed(s, actor)
        assert {v.id: v for v in listed} == seen, actor
        by_due = _listed(s, actor, order="due")
        assert all(v == seen[v.id] for v in by_due), actor
        # a list by reporter holds exactly the complaints whose view shows that reporter
        for reporter in REPORTERS if actor is not None and actor.role.value != "reporter" else []:
            by = _listed(s, actor, reporter=reporter.id)
            assert by == [v for v in listed if v.reporter_id == reporter.id], (actor, reporter)
        if actor is not None and actor.role.value == "reporter":
            own = _listed(s, actor, reporter=actor.id)
            assert own == [v for v in listed if v.reporter_id == actor.id], actor
    # a later command changes what each may see: lists follow, as get does
    e = s.engine
    for view in e.find(ADMIN, state="received", limit=500).items:
        e.fire(view.id, "verify", ADMIN, classification="pengaduan", category="kesehatan", anonymous=True)
    for actor in ACTORS:
        assert {v.id: v for v in _listed(s, actor)} == _visible(s, actor), actor
