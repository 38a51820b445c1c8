"""The corpus of broken SOPs: each file says, in its first line, the error it must raise."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from sp4n.errors import SopNotFoundError, SopValidationError
from sp4n.states import load_sop

BROKEN = Path(__file__).parent / "broken"
FILES = sorted(BROKEN.glob("*.yaml"))
EXPECT = re.compile(r"^# expect: (?P<pattern>.+)$")


def expected_message(path: Path) -> str:
    first_line = path.read_text(encoding="utf-8").splitlines()[0]
    match = EXPECT.match(first_line)
    assert match is not None, f"{path.name} does not start with '# expect: <regex>'"
    return match["pattern"]


def test_corpus_is_large_enough() -> None:
    assert len(FILES) >= 100  # 77 before variants were merged by name, and 25 broken variants since


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_broken_sop_is_refused_with_its_message(path: Path) -> None:
    with pytest.raises((SopValidationError, SopNotFoundError), match=expected_message(path)):
        load_sop(path)


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_errors_name_the_file_or_the_known_sops(path: Path) -> None:
    with pytest.raises((SopValidationError, SopNotFoundError)) as info:
        load_sop(path)
    error = info.value
    if isinstance(error, SopValidationError):
        assert error.source.endswith(".yaml")
        assert str(error).startswith(error.source)
    else:
        assert error.known  # the message lists the SOPs that do exist
