# inbeeld — two commands on a fresh machine: `make demo` and `make test`.
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
PYTHON ?= python3
export GX_ANALYTICS_ENABLED := false
export DAGSTER_HOME ?= $(CURDIR)/.dagster_home


# The demo's local key, only when no real key is set (see README: production needs
# INBEELD_PSEUDONYM_KEY and never uses this file).
DEMO_KEY = $${INBEELD_PSEUDONYM_KEY:-$$(cat .inbeeld/pseudonym.key 2>/dev/null)}
# The UI binds to loopback only; put a reverse proxy with SSO in front (docs/deployment.md).
UI_PORT ?= 3000

.PHONY: install demo test check ui lint bench clean system-deps

# Bytecode is compiled here, not on first use: where PYTHONDONTWRITEBYTECODE is set (as on
# this machine and in many containers) Python never writes it, and every process would
# compile Dagster, dbt, GX and pandas again (~4 s per command, ~2 s per dbt run). Our own
# packages are compiled on every make (compileall skips what is up to date).
install: $(VENV)/.installed dbt_project/target/manifest.json
	@$(BIN)/python -m compileall -q -j 0 orchestration dashboards bench >/dev/null

$(VENV)/.installed: pyproject.toml uv.lock
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@test -x $(BIN)/uv || command -v uv >/dev/null || { $(BIN)/python -m pip --version >/dev/null 2>&1 || $(BIN)/python -m ensurepip --upgrade >/dev/null; $(BIN)/python -m pip install --quiet --disable-pip-version-check "uv==0.13.9"; }
	$$(test -x $(BIN)/uv && echo $(BIN)/uv || command -v uv) sync --frozen --compile-bytecode --python $(BIN)/python
	@touch $@

# The dbt manifest Dagster reads, prepared explicitly (never by `dagster dev`).
dbt_project/target/manifest.json: $(VENV)/.installed $(shell find dbt_project -name '*.sql' -o -name '*.yml' -o -name '*.csv' | grep -v target/)
	cd dbt_project && ../$(BIN)/dbt parse --quiet --profiles-dir .
	@touch $@

demo: install
	$(BIN)/inbeeld demo

# Debian packages the tests drive for real: chromium (the dashboards in a browser) and
# the PostgreSQL server (the shared-deployment test). Installed only where missing.
system-deps:
	@missing=""; command -v chromium >/dev/null || missing="chromium"; \
	ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || missing="$$missing postgresql"; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi

# Two workers, a test file each (a file's fixtures are built once, in one worker): 405
# tests in 14.2 min instead of 19.6 one after another on this 2-core machine (much of a
# test is waiting on a Dagster, dbt or browser subprocess, or on a daemon's tick).
test: install system-deps lint
	$(BIN)/python -m pytest -q -n 2 --dist loadfile --durations=25

# Daily work: lint, the dbt unit tests of the rules and the tests that need no full
# pipeline run (under two minutes). The complete check, end to end through Dagster, dbt,
# GX and the browser, is `make test`.
FAST_TESTS = tests/test_core.py tests/test_ingest.py tests/test_bad_input.py \
	tests/test_ingest_hostile.py tests/test_automation.py tests/test_disclosure.py \
	tests/test_registry.py tests/test_operate_housekeeping.py tests/test_definitions.py \
	tests/test_dbt_unit.py tests/test_gx_months.py tests/test_plot_spec.py tests/test_ingest_parts.py \
	tests/test_reader_columnar.py tests/test_dagster_storage.py
# Two workers, a test file each (the machine's two cores; the dbt unit tests are the
# longest file, so the rest runs beside them).
check: install lint
	$(BIN)/python -m pytest -q -n 2 --dist loadfile $(FAST_TESTS)

ui: install
	@$(BIN)/python -c "from orchestration.cli import prepare_dagster_home; prepare_dagster_home()"
	@# exec: dagster dev itself gets SIGINT/SIGTERM and stops the webserver and the daemon.
	umask 077; exec env INBEELD_PSEUDONYM_KEY="$(DEMO_KEY)" $(BIN)/dagster dev -h 127.0.0.1 -p $(UI_PORT) -w workspace.yaml

# The benchmark (not a test): the whole country over 60 months, measured (bench/README.md).
bench: install
	$(BIN)/python bench/bench.py $(BENCH_ARGS)

lint: install
	$(BIN)/ruff check orchestration dashboards tests bench
	$(BIN)/ruff format --check orchestration dashboards tests bench

clean:
	rm -rf warehouse publish exports demo .dagster_home dbt_project/target dbt_project/logs
