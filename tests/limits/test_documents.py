"""SOP and override files are read within limits: size, nesting depth, YAML alias expansion,
``extends`` chains, JSON duplicate keys, long numbers; a huge value is never echoed in full."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from sp4n.calendars import WorkingCalendar
from sp4n.documents import DocumentLimits, check_shape, parse_document, read_document
from sp4n.errors import DocumentError, OverrideFileError, SopValidationError
from sp4n.states import build_sop, load_sop

LAUGHS = textwrap.dedent(
    """\
    a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
    b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
    c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
    d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
    e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
    f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
    g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
    h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
    i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
    """
)


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_billion_laughs_is_refused_in_a_bounded_process(tmp_path: Path) -> None:
    """Run in a child with 1 GB of address space and 60 s: the old loader took 74 s and 3.2 GB."""
    sop = write(tmp_path, "tawa.yaml", "id: tawa\ntitle: x\n" + LAUGHS)
    overrides = write(tmp_path, "tawa-libur.yaml", LAUGHS)
    code = f"""
import resource, sys
resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))
from sp4n.errors import Sp4nError
from sp4n.states import load_sop
from sp4n.calendars import WorkingCalendar
for call in (lambda: load_sop({str(sop)!r}), lambda: WorkingCalendar.indonesia().with_overrides({str(overrides)!r})):
    try:
        call()
    except Sp4nError as exc:
        print(type(exc).__name__, exc)
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith(f"SopValidationError {sop}: line 8, column 4: more than 200000 values once its aliases")
    assert lines[1].startswith(f"OverrideFileError {overrides}: line 6, column 4: more than 200000 values once its")


def test_an_alias_to_its_own_container_is_refused() -> None:
    with pytest.raises(DocumentError, match="an alias refers to the node that contains it"):
        parse_document("a: &a [1, *a]\n", "yaml")


@pytest.mark.parametrize(
    ("kind", "text"),
    [
        ("yaml", "[" * 100_000 + "]" * 100_000),
        ("json", "[" * 100_000 + "]" * 100_000),
        ("toml", "a = " + "[" * 100_000 + "]" * 100_000),
        ("yaml", "a:\n" + "".join(" " * i + "- \n" for i in range(1, 60))),
    ],
    ids=["yaml-flow", "json", "toml", "yaml-block"],
)
def test_deep_nesting_is_refused(kind: str, text: str) -> None:
    with pytest.raises(DocumentError, match="nested deeper than 32 levels"):
        parse_document(text, kind)


def test_deep_data_given_as_a_mapping_is_refused() -> None:
    deep: Any = "x"
    for _ in range(100_000):
        deep = [deep]
    with pytest.raises(SopValidationError, match=r"^<dict>: nested deeper than 32 levels"):
        build_sop({"id": "dalam", "title": deep})
    with pytest.raises(OverrideFileError, match=r"^<mapping>: nested deeper than 32 levels"):
        WorkingCalendar.indonesia().with_overrides({"add": deep})


def test_a_file_too_large_is_refused_before_it_is_parsed(tmp_path: Path) -> None:
    path = write(tmp_path, "besar.yaml", "id: besar\n" + "# " + "x" * 1_100_000 + "\n")
    with pytest.raises(SopValidationError, match=rf"^{path}: the file is larger than 1000000 bytes"):
        load_sop(path)
    small = DocumentLimits(max_bytes=10)
    with pytest.raises(DocumentError, match="the document is 12 bytes; at most 10 are read"):
        parse_document("id: panjang\n", "yaml", small)


def test_json_duplicate_keys_are_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "ganda.json", '{"id": "a", "title": "x", "id": "b"}')
    with pytest.raises(SopValidationError, match=rf"^{path}: invalid JSON: duplicate key 'id'"):
        load_sop(path)


@pytest.mark.parametrize("kind", ["json", "yaml"])
def test_a_5000_digit_number_is_refused(kind: str) -> None:
    text = '{"n": ' + "9" * 5000 + "}"
    with pytest.raises(DocumentError, match="a number of") as caught:
        parse_document(text, kind)
    assert len(str(caught.value)) < 200


def test_json_nan_is_refused() -> None:
    with pytest.raises(DocumentError, match="invalid JSON: NaN is not a number JSON allows"):
        parse_document('{"n": NaN}', "json")


def test_a_long_extends_chain_is_refused(tmp_path: Path) -> None:
    write(tmp_path, "v0.yaml", "id: v0\nextends: national\ntitle: v0\n")
    for i in range(1, 12):
        write(tmp_path, f"v{i}.yaml", f"id: v{i}\nextends: v{i - 1}.yaml\ntitle: v{i}\n")
    assert load_sop(tmp_path / "v5.yaml").id == "v5"
    with pytest.raises(SopValidationError, match=r"extends: a chain of more than 8 extends \(v11\.yaml → v10\.yaml"):
        load_sop(tmp_path / "v11.yaml")


def test_a_huge_value_is_not_echoed_in_full() -> None:
    with pytest.raises(SopValidationError, match=r"is not a valid duration") as caught:
        build_sop(
            {
                "id": "besar",
                "extends": "national",
                "title": "x",
                "clocks": [_verification("9" * 100_000)],
            }
        )
    assert len(str(caught.value)) < 600
    assert "(100002 characters)" in str(caught.value)


@pytest.mark.parametrize("budget", ["\u0663 working days", "\uff13 working days", "3\u00a0working days"])
def test_only_ascii_digits_in_durations(budget: str) -> None:
    with pytest.raises(SopValidationError, match="is not a valid duration"):
        build_sop({"id": "angka", "extends": "national", "title": "x", "clocks": [_verification(budget)]})


def test_only_ascii_digits_in_override_dates() -> None:
    entry = {"date": "\uff12\uff10\uff12\uff16-08-18", "name": "x", "kind": "regional_closure", "source": "SK"}
    with pytest.raises(OverrideFileError, match=r"add\[0\]\.date"):
        WorkingCalendar.indonesia().with_overrides({"add": [entry]})


def _verification(budget: str, **extra: Any) -> dict[str, Any]:
    clock = {
        "name": "verification",
        "label_id": "Verifikasi",
        "label_en": "Verify",
        "budget": budget,
        "runs_in": ["received", "verified"],
        "pauses_in": ["on_hold"],
    }
    clock.update(extra)
    return clock


@pytest.mark.parametrize(
    ("clock", "location", "shown"),
    [
        (_verification("10000 working days"), "budget", "10000 working days"),
        (_verification("1000000000 calendar days"), "budget", None),
        (_verification("999999999 calendar days"), "budget", "999999999 calendar days"),
        (_verification("50000 hours"), "budget", "50000 hours"),
        (
            _verification(
                "3 working days", rungs=[{"name": "late", "after": "100000 working hours", "action": "emit"}]
            ),
            "rungs.late.after",
            "100000 working hours",
        ),
    ],
)
def test_sop_numbers_are_bounded(clock: dict[str, Any], location: str, shown: str | None) -> None:
    document = {"id": "batas", "extends": "national", "title": "x", "clocks": [clock]}
    expected = rf"clocks.*{location}: {shown} is longer than any deadline" if shown else "is not a valid duration"
    with pytest.raises(SopValidationError, match=expected):
        build_sop(document)


def test_extension_maxima_are_bounded() -> None:
    document = {
        "id": "batas",
        "extends": "national",
        "title": "x",
        "clocks": [
            {
                "name": "completion",
                "label_id": "Penyelesaian",
                "label_en": "Completion",
                "budget": "14 working days",
                "runs_in": ["distributed", "rerouting"],
                "pauses_in": ["followed_up"],
                "extension_max": "100000 working days",
            }
        ],
    }
    with pytest.raises(
        SopValidationError, match=r"clocks\.completion\.extension_max: 100000 working days is longer than any deadline"
    ):
        build_sop(document)


def test_check_shape_counts_a_shared_value_once() -> None:
    shared = list(range(10))
    check_shape({"a": [shared] * 1000}, DocumentLimits(max_values=2000))


def test_read_document_names_the_kinds_it_accepts(tmp_path: Path) -> None:
    with pytest.raises(DocumentError, match=r"unknown file type '\.txt'; expected one of \.yaml, \.yml, \.toml"):
        read_document(write(tmp_path, "a.txt", "x"), kinds=("yaml", "toml"))
    assert read_document(write(tmp_path, "a.json", json.dumps({"a": [1]}))) == {"a": [1]}


def test_a_control_character_is_a_document_error() -> None:
    with pytest.raises(DocumentError, match="invalid YAML: unacceptable character #x001f"):
        parse_document("\x1f", "yaml")
