# planwatch: `make demo` runs the main job, `make test` runs the tests. Both bootstrap themselves on
# a fresh machine that has only python3: uv from PyPI when missing, the locked environment, and the
# Debian packages the project needs (Chinese fonts for briefings, poppler to inspect PDFs, LibreOffice
# to print the fill-in templates in a test, Chromium to open the docs offline in a test).

PYTHON ?= python3
UV := $(PYTHON) -m uv
VENV := .venv
BIN := $(VENV)/bin
APT_PACKAGES := fonts-noto-cjk poppler-utils libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fontconfig libreoffice-calc-nogui chromium
PERIOD ?=

.PHONY: setup system-deps demo docs test test-fast fuzz lint format bench clean

$(BIN)/.synced: pyproject.toml uv.lock
	@$(PYTHON) -m uv --version >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet --disable-pip-version-check uv
	$(UV) sync --frozen --compile-bytecode
	@touch $@

system-deps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null && fc-cache -f >/dev/null; \
	fi

# the dbt manifest the transform DAG is rendered from (astronomer-cosmos reads it: no dbt at DAG parse)
MANIFEST := dbt_project/manifest/manifest.json
$(MANIFEST): $(BIN)/.synced dbt_project/dbt_project.yml dbt_project/profiles.yml $(shell find dbt_project/models dbt_project/macros -type f 2>/dev/null)
	$(BIN)/python -m planwatch.orchestration.dbt_manifest

setup: $(BIN)/.synced system-deps $(MANIFEST)

demo: setup
	$(BIN)/planwatch demo $(if $(PERIOD),--period $(PERIOD),)

# dbt docs and the GX data docs of the warehouse and the latest checks, into output/docs/ (open offline)
docs: setup
	$(BIN)/planwatch docs

# one pytest worker more than the cores: a tenth of the suite's time is spent waiting on the processes and
# services it starts (Airflow, dbt, PostgreSQL), which a third worker fills on a 2-core machine
# (2026-12-06, same clone, back to back: 977 s on two workers, 888 s on three; 171 % and 187 % CPU)
TEST_WORKERS ?= $(shell echo $$(( $$(nproc) + 1 )))

test: setup
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadgroup --durations=15

test-fast: setup
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadgroup -m "not slow"

# ingestion fuzzed with 10,000 mutated templates, statistics tables and CSVs (make test runs 1,000);
# PLANWATCH_FUZZ_SEED=N for another corpus. A damaged .xls makes the reader print a panic line: it is caught.
fuzz: setup
	RUST_BACKTRACE=0 PLANWATCH_FUZZ_FILES=10000 $(BIN)/pytest tests/test_fuzz_ingest.py -n 0 -s -q

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/sqlfluff lint dbt_project

format: setup
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: setup
	$(BIN)/python -m benchmarks

clean:  # issued briefings are read-only (never rewritten by a run): make them writable to delete them
	chmod -R u+w output 2>/dev/null || true
	rm -rf warehouse output .pytest_cache
