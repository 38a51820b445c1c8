"""Reading SOPs from files and mappings: formats, file errors, extends by path, resolve_sop."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from sp4n.errors import InvalidArgumentError, SopNotFoundError, SopValidationError
from sp4n.states import Sop, build_sop, builtin_sop, load_sop, resolve_sop, validate_sop

MINI: dict[str, Any] = {
    "id": "mini",
    "title": "Mini",
    "states": [
        {"id": "received", "label_id": "Diterima", "label_en": "Received", "initial": True},
        {"id": "closed", "label_id": "Selesai", "label_en": "Closed", "terminal": True},
    ],
    "transitions": [{"trigger": "close", "source": "received", "dest": "closed", "roles": ["agency_admin", "system"]}],
    "clocks": [
        {
            "name": "response",
            "label_id": "Tanggapan",
            "label_en": "Response",
            "budget": "3 hari kerja",
            "runs_in": "received",
            "rungs": [{"name": "breach", "action": "fire", "trigger": "close"}],
        }
    ],
}

MINI_TOML = """\
id = "mini"
title = "Mini"

[[states]]
id = "received"
label_id = "Diterima"
label_en = "Received"
initial = true

[[states]]
id = "closed"
label_id = "Selesai"
label_en = "Closed"
terminal = true

[[transitions]]
trigger = "close"
source = "received"
dest = "closed"
roles = ["agency_admin", "system"]

[[clocks]]
name = "response"
label_id = "Tanggapan"
label_en = "Response"
budget = "3 hari kerja"
runs_in = "received"
rungs = [{ name = "breach", action = "fire", trigger = "close" }]
"""


def test_build_from_a_mapping() -> None:
    sop = build_sop(MINI)
    assert sop.initial_state.id == "received"
    assert str(sop.clock("response").budget) == "3 working days"
    assert sop.extends is None


def test_yaml_json_and_toml_give_the_same_sop(tmp_path: Path) -> None:
    import yaml

    (tmp_path / "mini.yaml").write_text(yaml.safe_dump(MINI), encoding="utf-8")
    (tmp_path / "mini.yml").write_text(yaml.safe_dump(MINI), encoding="utf-8")
    (tmp_path / "mini.json").write_text(json.dumps(MINI), encoding="utf-8")
    (tmp_path / "mini.toml").write_text(MINI_TOML, encoding="utf-8")
    versions = {load_sop(tmp_path / name).version for name in ("mini.yaml", "mini.yml", "mini.json", "mini.toml")}
    assert versions == {build_sop(MINI).version}


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("sop.txt", "id: x", r"sop\.txt: unknown file type '\.txt'; an SOP file ends with \.yaml, \.yml, \.json"),
        ("sop", "id: x", r"unknown file type '\(none\)'"),
        ("bad.json", '{"id": "x",}', r"bad\.json: line 1, column 12: invalid JSON: Expecting property name"),
        ("bad.toml", 'id = "x\n', r"bad\.toml: invalid TOML: .*line 1"),
        (
            "latin1.yaml",
            b"id: caf\xe9".decode("latin-1"),
            r"latin1\.yaml: not UTF-8 text \(unexpected end of data at byte 7\)",
        ),
    ],
)
def test_file_errors_name_the_file(tmp_path: Path, name: str, text: str, message: str) -> None:
    path = tmp_path / name
    path.write_bytes(text.encode("latin-1"))
    with pytest.raises(SopValidationError, match=message):
        load_sop(path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(SopValidationError, match=r"nothing\.yaml: no such file"):
        load_sop(tmp_path / "nothing.yaml")


def test_a_directory_is_not_an_sop(tmp_path: Path) -> None:
    folder = tmp_path / "folder.yaml"
    folder.mkdir()
    with pytest.raises(SopValidationError, match=r"folder\.yaml: cannot read the file"):
        load_sop(folder)


def test_every_pydantic_error_is_shown_on_its_own_line() -> None:
    data = {**MINI, "title": 3, "description": 4}
    message = (
        "<dict>: title: Input should be a valid string (got 3)\n"
        "<dict>: description: Input should be a valid string (got 4)"
    )
    with pytest.raises(SopValidationError, match=re.escape(message)) as info:
        build_sop(data)
    assert (info.value.source, info.value.location) == ("<dict>", "title")
    assert [e.location for e in info.value.errors] == ["title", "description"]


def test_missing_field() -> None:
    data = {key: value for key, value in MINI.items() if key != "title"}
    with pytest.raises(SopValidationError, match=r"<dict>: title: a required field is missing"):
        build_sop(data)


def test_top_level_must_be_a_mapping() -> None:
    with pytest.raises(SopValidationError, match=r"my-source: expected a mapping at the top level, got list"):
        build_sop([], source="my-source")  # type: ignore[arg-type]


def test_extends_a_path_relative_to_the_base_dir(tmp_path: Path) -> None:
    (tmp_path / "mini.json").write_text(json.dumps(MINI), encoding="utf-8")
    data = {"id": "mini_variant", "title": "Variant", "extends": "mini.json"}
    sop = build_sop(data, base_dir=tmp_path)
    assert sop.extends == "mini"
    with pytest.raises(SopValidationError, match=r"<dict>: extends: the base SOP 'mini\.json' does not exist"):
        build_sop(data, base_dir=tmp_path / "elsewhere")


def test_a_file_extends_by_path_from_its_own_folder(tmp_path: Path) -> None:
    (tmp_path / "base").mkdir()
    (tmp_path / "base" / "mini.json").write_text(json.dumps(MINI), encoding="utf-8")
    (tmp_path / "variant.yaml").write_text("id: v\ntitle: V\nextends: base/mini.json\n", encoding="utf-8")
    assert load_sop(str(tmp_path / "variant.yaml")).extends == "mini"


def test_extends_a_builtin_by_id() -> None:
    sop = build_sop({"id": "copy", "title": "Copy", "extends": "national"})
    assert sop.clocks == builtin_sop("national").clocks


def test_extends_an_unknown_id_names_the_variant_and_the_id(tmp_path: Path) -> None:
    message = "<dict>: extends: SOP 'nasional' is not known; known: batam_24h, covid19_fasttrack, national"
    with pytest.raises(SopValidationError, match=re.escape(message)) as info:
        build_sop({"id": "copy", "title": "Copy", "extends": "nasional"})
    assert info.value.source == "<dict>"
    (tmp_path / "kalsel.yaml").write_text("id: kalsel\ntitle: Kalsel\nextends: nasional\n", encoding="utf-8")
    with pytest.raises(
        SopValidationError, match=r"kalsel\.yaml: line 3, column 1: extends: SOP 'nasional' is not known"
    ):
        load_sop(tmp_path / "kalsel.yaml")
    with pytest.raises(SopNotFoundError, match=r"SOP 'nasional' is not known"):
        builtin_sop("nasional")


def test_self_extension_is_a_loop(tmp_path: Path) -> None:
    (tmp_path / "me.yaml").write_text("id: me\ntitle: Me\nextends: me.yaml\n", encoding="utf-8")
    with pytest.raises(
        SopValidationError, match=r"me\.yaml: line 3, column 1: extends: extends loop: me\.yaml → me\.yaml"
    ):
        load_sop(tmp_path / "me.yaml")


def test_resolve_sop_accepts_every_kind_of_reference(tmp_path: Path) -> None:
    national = builtin_sop("national")
    (tmp_path / "mini.json").write_text(json.dumps(MINI), encoding="utf-8")
    assert resolve_sop(national) is national
    assert resolve_sop("national") is national
    assert resolve_sop(MINI).id == "mini"
    assert resolve_sop(tmp_path / "mini.json").id == "mini"
    assert resolve_sop(str(tmp_path / "mini.json")).id == "mini"
    with pytest.raises(InvalidArgumentError, match=r"ref=42 is invalid"):
        resolve_sop(42)  # type: ignore[arg-type]


def test_validate_sop_checks_an_sop_built_directly() -> None:
    sop = Sop.model_validate({**MINI, "states": [{**MINI["states"][0], "initial": False}, MINI["states"][1]]})
    with pytest.raises(SopValidationError, match=r"^direct: states: no initial state"):
        validate_sop(sop, "direct")
    validate_sop(build_sop(MINI), "fine")


def test_a_broken_base_is_reported_against_its_own_file(tmp_path: Path) -> None:
    broken = {**MINI, "transitions": [{**MINI["transitions"][0], "roles": []}]}
    (tmp_path / "base.json").write_text(json.dumps(broken), encoding="utf-8")
    (tmp_path / "variant.yaml").write_text("id: v\ntitle: V\nextends: base.json\n", encoding="utf-8")
    with pytest.raises(
        SopValidationError, match=r"base\.json: transitions\[0\]\.roles: transition 'close' lists no role"
    ):
        load_sop(tmp_path / "variant.yaml")
