"""Shared fixtures. PostgreSQL tests use ``postgres_url``: they skip when SP4N_TEST_POSTGRES_URL
is unset, and FAIL (never skip) when it is set but the server cannot be reached, so CI cannot
pass by silently skipping them."""

from __future__ import annotations

import importlib.util
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType

import pytest

from sp4n.testing.postgres import postgres_schema

POSTGRES_ENV = "SP4N_TEST_POSTGRES_URL"

# Whole groups that start browsers, other languages' programs or benchmark runs: `make test-fast`
# leaves them out with the tests marked slow one by one.
SLOW_GROUPS = ("browser/", "hosts/", "test_bench_")


@pytest.hookimpl(tryfirst=True)  # before ``-m`` deselects by marker
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Marks every test of a slow group slow, so ``-m "not slow"`` is a quick inner loop."""
    root = Path(__file__).resolve().parent
    for item in items:
        path = item.path.resolve()
        relative = path.relative_to(root).as_posix() if path.is_relative_to(root) else ""
        if relative and any(relative.startswith(group) for group in SLOW_GROUPS):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def postgres_url() -> str:
    """The URL of a reachable PostgreSQL test database."""
    url = os.environ.get(POSTGRES_ENV, "").strip()
    if not url:
        pytest.skip(f"{POSTGRES_ENV} is not set; PostgreSQL tests skipped")
    import sqlalchemy

    engine = sqlalchemy.create_engine(url)
    try:
        with engine.connect() as conn:
            conn.execute(sqlalchemy.text("SELECT 1"))
    except Exception as exc:
        pytest.fail(f"{POSTGRES_ENV}={url!r} is set but PostgreSQL cannot be reached: {exc}")
    finally:
        engine.dispose()
    return url


@pytest.fixture
def postgres_schema_url(postgres_url: str) -> Iterator[str]:
    """A URL on a fresh, empty PostgreSQL schema of its own, dropped afterwards.

    Each test gets its own ``search_path``, so tests (and their worker processes) never see each
    other's rows, and nothing is left behind in the shared ``test`` database.
    """
    with postgres_schema(postgres_url) as url:
        yield url


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """A URL of a SQLite file that does not exist yet."""
    return f"sqlite:///{tmp_path / 'sp4n.db'}"


BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"


@pytest.fixture
def load_benchmark() -> Callable[[str], ModuleType]:
    """Imports ``benchmarks/<name>.py`` by path (the benchmarks are scripts, not a package)."""

    def load(name: str) -> ModuleType:
        spec = importlib.util.spec_from_file_location(f"sp4n_{name}", BENCHMARKS / f"{name}.py")
        assert spec is not None
        assert spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module  # dataclasses look their module up while the class is built
        sys.path.insert(0, str(BENCHMARKS))  # a script imports the modules beside it, as when it is run
        try:
            spec.loader.exec_module(module)
        finally:
            sys.path.remove(str(BENCHMARKS))
            del sys.modules[spec.name]
        return module

    return load
