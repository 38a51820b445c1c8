"""The agency registry: read from YAML, TOML, JSON and CSV, checked as a tree, every mistake located."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from sp4n.agencies import AgencyKind, build_agencies, load_agencies, resolve_agencies
from sp4n.errors import AgencyRegistryError

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "agencies" / "registry.yaml"


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_the_example_registry_is_a_tree_with_zones_scopes_and_handlers() -> None:
    registry = load_agencies(EXAMPLE)
    assert registry.get("kota_semarang").kind is AgencyKind.PEMKOT  # type: ignore[union-attr]
    assert registry.zone_of("puskesmas_x") is None
    assert registry.zone_of("dinkes_banyumas") == "Asia/Jakarta"  # inherited from prov_jateng
    assert registry.zone_of("dpupr_kalsel") == "Asia/Makassar"  # WITA, written as an alias
    assert registry.ancestors("dinkes_semarang") == ("kota_semarang", "prov_jateng")
    assert registry.sub_agencies("kab_banyumas") == {
        "kab_banyumas",
        "dinkes_banyumas",
        "dindikbud_banyumas",
        "dispendukcapil_banyumas",
    }
    assert "dinkes_semarang" in registry.sub_agencies("prov_jateng")
    assert registry.sub_agencies("not_in_registry") == {"not_in_registry"}
    assert registry.scope_of("diskominfo_semarang") == registry.sub_agencies("kota_semarang")
    assert registry.handler("kesehatan", "kab_banyumas") == "dinkes_banyumas"
    assert registry.handler("kesehatan", "prov_jateng") == "dinkes_jateng"  # nearest first
    assert registry.handler("perizinan", "prov_jateng") is None
    assert registry.coordinator("dinkes_semarang") == "kota_semarang"
    assert registry.get("prov_kalsel").external_ids == {"lapor": "2063"}  # type: ignore[union-attr]
    assert resolve_agencies(registry.to_data()).version == registry.version
    assert registry.by_external_id("lapor", "3374").id == "kota_semarang"  # type: ignore[union-attr]
    assert registry.by_external_id("lapor", "0000") is None


BROKEN = """\
agencies:
  - id: prov_x
    name_id: Provinsi X
    kind: pemprov
    zone: Mars/Olympus
  - id: dinas_a
    name_id: Dinas A
    kind: dinas
    parent: prov_y
  - id: dinas_a
    name_id: Dinas A lagi
    kind: dinas
  - id: loop_1
    name_id: L1
    kind: dinas
    parent: loop_2
  - id: loop_2
    name_id: L2
    kind: kantor
    parent: loop_1
"""


def test_every_problem_is_reported_at_once_each_with_its_line_and_column(tmp_path: Path) -> None:
    path = write(tmp_path, "broken.yaml", BROKEN)
    with pytest.raises(AgencyRegistryError) as caught:
        load_agencies(path)
    lines = str(caught.value).splitlines()
    assert lines == [
        f"{path}: line 5, column 5: agency 'prov_x': unknown zone 'Mars/Olympus' "
        "(an IANA name such as Asia/Makassar, or WIB, WITA, WIT)",
        f"{path}: line 9, column 5: agency 'dinas_a': unknown parent 'prov_y'",
        f"{path}: line 10, column 5: duplicate agency id 'dinas_a' (first at agencies[1])",
        f"{path}: line 19, column 5: agency 'loop_2': kind='kantor': Input should be "
        "'kementerian', 'lembaga', 'pemprov', 'pemkab', 'pemkot', 'bumn', 'dinas', 'badan', 'kecamatan', "
        "'upt', 'bumd' or 'other'",
    ]


def test_a_parent_cycle_is_named(tmp_path: Path) -> None:
    text = BROKEN.split("  - id: loop_1")[0].replace("Mars/Olympus", "WIB").replace("prov_y", "prov_x")
    text = text.replace("  - id: dinas_a\n    name_id: Dinas A lagi\n    kind: dinas\n", "")
    text += "  - {id: c1, name_id: C1, kind: dinas, parent: c2}\n  - {id: c2, name_id: C2, kind: dinas, parent: c1}\n"
    with pytest.raises(AgencyRegistryError) as caught:
        load_agencies(write(tmp_path, "loop.yaml", text))
    assert str(caught.value).splitlines()[1:] == []
    assert re.search(r"line 10, column 40: agency 'c1': parent cycle c1 → c2 → c1$", str(caught.value))


def test_yaml_syntax_errors_and_admin_for_outside_the_tree(tmp_path: Path) -> None:
    tabbed = write(tmp_path, "tab.yaml", "agencies:\n\t- id: x\n")
    with pytest.raises(AgencyRegistryError, match=re.escape(f"{tabbed}: line 2, column 1: invalid YAML:")):
        load_agencies(tabbed)
    text = "agencies:\n  - {id: a, name_id: A, kind: pemkot}\n  - {id: b, name_id: B, kind: dinas, admin_for: a}\n"
    with pytest.raises(
        AgencyRegistryError, match="line 3, column 38: agency 'b': admin_for 'a' is not an agency above it"
    ):
        load_agencies(write(tmp_path, "admin.yaml", text))
    with pytest.raises(AgencyRegistryError, match=re.escape("unknown file type '.txt'")):
        load_agencies(write(tmp_path, "a.txt", ""))
    with pytest.raises(AgencyRegistryError, match=re.escape("agencies.yaml: no such file")):
        load_agencies(tmp_path / "agencies.yaml")


def test_csv_and_toml_registries(tmp_path: Path) -> None:
    csv_path = write(
        tmp_path,
        "agencies.csv",
        "id,name_id,kind,parent,zone,units,categories,external_ids\n"
        "kota_banjarmasin,Pemerintah Kota Banjarmasin,pemkot,,WITA,,,lapor=6371\n"
        "dinkes_bjm,Dinas Kesehatan Kota Banjarmasin,dinas,kota_banjarmasin,,puskesmas_a;puskesmas_b,kesehatan,\n",
    )
    registry = load_agencies(csv_path)
    assert registry.units_of("dinkes_bjm") == ("puskesmas_a", "puskesmas_b")
    assert registry.get("kota_banjarmasin").external_ids == {"lapor": "6371"}  # type: ignore[union-attr]
    assert registry.zone_of("dinkes_bjm") == "Asia/Makassar"
    toml_path = write(
        tmp_path,
        "agencies.toml",
        '[[agencies]]\nid = "kota_banjarmasin"\nname_id = "Kota Banjarmasin"\nkind = "pemkot"\nzone = "WITA"\n',
    )
    assert load_agencies(toml_path).zone_of("kota_banjarmasin") == "Asia/Makassar"
    with pytest.raises(
        AgencyRegistryError, match=re.escape("<dict>: agencies[0].name_id: agency 'x': name_id is missing")
    ):
        build_agencies({"agencies": [{"id": "x", "kind": "dinas"}]})
    bad_csv = write(tmp_path, "bad.csv", "id,name_id,kind,external_ids\nx,X,dinas,lapor\n")
    with pytest.raises(AgencyRegistryError, match=re.escape("line 2: external_ids 'lapor': write name=id;name=id")):
        load_agencies(bad_csv)
