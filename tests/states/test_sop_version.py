"""Sop.version: a hash of the content, computed once per SOP object."""

from __future__ import annotations

import pickle

from sp4n.states import Sop, builtin_sop


def fresh() -> Sop:
    return Sop.model_validate(builtin_sop("national").model_dump())


def test_the_version_is_computed_once() -> None:
    sop = fresh()
    assert "version" not in sop.__dict__
    first = sop.version
    assert sop.__dict__["version"] is first
    assert sop.version is first  # the same string: not hashed again
    assert sop.key == ("national", first)


def test_caching_changes_neither_equality_nor_the_dump() -> None:
    computed, untouched = fresh(), fresh()
    dump = untouched.model_dump()
    assert computed.version == builtin_sop("national").version
    assert computed == untouched
    assert untouched == computed
    assert computed.model_dump() == dump
    assert "version" not in computed.model_dump_json()
    assert pickle.loads(pickle.dumps(computed)) == untouched


def test_a_changed_copy_has_its_own_version() -> None:
    sop = fresh()
    before = sop.version
    renamed = sop.model_copy(update={"title": "Another title"})
    assert renamed.version != before
    assert renamed.version == Sop.model_validate(renamed.model_dump()).version
    assert sop.model_copy().version == before


def test_an_sop_without_attributes_keeps_the_version_it_had_before_attributes_existed() -> None:
    from sp4n.states import builtin_sop
    from sp4n.states.model import Sop

    stored_before = builtin_sop("batam_24h").model_dump(mode="json")
    del stored_before["attributes"]  # what a database holds from before attributes were declared
    assert Sop.model_validate(stored_before).version == builtin_sop("batam_24h").version
