"""Without a browser the browser tests skip, with the reason; under SP4N_REQUIRE_BROWSER=1 they fail."""

from __future__ import annotations

import pytest

from .conftest import REQUIRE, _no_browser


def test_no_browser_skips_with_the_reason(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(REQUIRE, raising=False)
    with pytest.raises(pytest.skip.Exception, match=r"^no browser can start: chromium is gone$"):
        _no_browser("chromium is gone")


def test_no_browser_fails_when_one_is_required(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(REQUIRE, "1")
    with pytest.raises(
        pytest.fail.Exception, match=r"^SP4N_REQUIRE_BROWSER=1 but no browser can start: chromium is gone$"
    ):
        _no_browser("chromium is gone")
