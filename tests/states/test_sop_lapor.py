"""``lapor_statuses``: the national SOP's defaults, what a variant changes key by key, a removed
state dropping its entry, and the version of an SOP without the mapping left as it was."""

from __future__ import annotations

import hashlib
import json

from sp4n.states import build_sop, builtin_sop


def test_the_national_defaults_map_every_state_but_escalated() -> None:
    national = builtin_sop("national")
    unmapped = {s.id for s in national.states} - set(national.lapor_statuses)
    assert unmapped == {"escalated"}
    assert national.lapor_statuses["rerouting"] == "bukan_wewenang"


def test_a_variant_changes_one_label_and_a_removed_state_drops_its_entry() -> None:
    variant = build_sop(
        {
            "id": "regional",
            "title": "Regional",
            "extends": "national",
            "lapor_statuses": {"closed": "tuntas"},
            "remove": {"states": ["referred"], "transitions": ["refer_to_ombudsman"]},
        }
    )
    assert variant.lapor_statuses["closed"] == "tuntas"
    assert variant.lapor_statuses["verified"] == "terverifikasi"
    assert "referred" not in variant.lapor_statuses


def test_an_sop_without_the_mapping_keeps_its_version() -> None:
    national = builtin_sop("national")
    data = national.model_dump(mode="json")
    del data["lapor_statuses"]
    data["id"] = "plain"
    plain = build_sop(data)
    content = plain.model_dump(mode="json")
    del content["lapor_statuses"]  # as an SOP written before the field existed was hashed
    if not content["attributes"]:
        del content["attributes"]
    blob = json.dumps(content, sort_keys=True, ensure_ascii=False).encode()
    assert plain.version == hashlib.sha256(blob).hexdigest()[:16]
    mapped = build_sop({**data, "lapor_statuses": {"closed": "selesai"}})
    assert mapped.version != plain.version
