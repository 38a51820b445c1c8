# The two commands of the README: `make demo` and `make test`. Both build .venv first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: demo test test-fast lint typecheck bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/python examples/demo.py

lint: $(STAMP)
	$(BIN)/ruff check sp4n tests examples benchmarks
	$(BIN)/ruff format --check sp4n tests examples benchmarks

typecheck: $(STAMP)
	$(BIN)/mypy --strict sp4n

test: lint typecheck
	$(BIN)/pytest -W error

# The inner loop: no browser, no other languages' hosts, no benchmark runs, no tests marked slow
test-fast: $(STAMP)
	$(BIN)/pytest -W error -m "not slow" -x -q

# PostgreSQL benchmarks use SP4N_TEST_POSTGRES_URL (default: the local test database)
bench: $(STAMP)
	$(BIN)/python benchmarks/bench_calendar.py
	$(BIN)/python benchmarks/bench_engine.py
	$(BIN)/python benchmarks/bench_store.py
	$(BIN)/python benchmarks/bench_worker.py
	$(BIN)/python benchmarks/bench_reprojection.py --url "$${SP4N_TEST_POSTGRES_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/test}"
	$(BIN)/python benchmarks/bench_query.py --url "$${SP4N_TEST_POSTGRES_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/test}"
	$(BIN)/python benchmarks/bench_import.py --url "$${SP4N_TEST_POSTGRES_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/test}"
	$(BIN)/python benchmarks/bench_feed.py --url "$${SP4N_TEST_POSTGRES_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/test}"
	$(BIN)/python benchmarks/bench_service.py --url "$${SP4N_TEST_POSTGRES_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/test}"
	$(BIN)/python benchmarks/bench_reports.py --url "$${SP4N_TEST_POSTGRES_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/test}"
	$(BIN)/python benchmarks/bench_dashboard.py --url "$${SP4N_TEST_POSTGRES_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/test}"

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache build *.egg-info
