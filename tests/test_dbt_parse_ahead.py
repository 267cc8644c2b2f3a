"""dbt's parse made ahead of a warehouse's first run is one its dbt build accepts.

The real dbt, on the real project: `parse_ahead` saves a parse for a work copy that has
none, opens no database while doing so, and a dbt command with the run's vars and that
saved parse does not parse the project again.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from orchestration.dbt_parse import (
    AHEAD_PREFIX,
    PARTIAL_PARSE,
    dbt_executable,
    parse_ahead,
    parse_state_file,
    restore_parse_state,
    warehouse_vars,
)
from orchestration.settings import DBT_PROJECT_DIR


@pytest.fixture
def work(tmp_path) -> Iterator[Path]:
    """A work copy without a saved parse; its saved parse (in the project) removed after."""
    path = tmp_path / ".inbeeld_run_test_work.duckdb"
    yield path
    parse_state_file(path).unlink(missing_ok=True)


def test_parse_ahead_saves_a_parse_the_build_reuses(work, tmp_path):
    saved = parse_state_file(work)
    ahead = parse_ahead(work)
    assert ahead is not None
    ahead._thread.join(timeout=300)
    assert saved.is_file(), "the parse ahead kept no parse"
    assert not work.exists(), "dbt parse must not open (create) the work copy"
    assert not ahead.target.exists(), "its target folder is removed"
    assert parse_ahead(work) is None, "a saved parse is not made twice"

    # The run's dbt step: the saved parse in its target folder, the same vars.
    target = tmp_path / "target"
    restore_parse_state(saved, target)
    assert (target / PARTIAL_PARSE).is_file()
    listed = subprocess.run(
        [
            dbt_executable(),
            "ls",
            "--resource-type",
            "seed",
            "--profiles-dir",
            str(DBT_PROJECT_DIR),
            "--target-path",
            str(target),
            "--log-path",
            str(target),
            "--vars",
            warehouse_vars(work),
        ],
        cwd=DBT_PROJECT_DIR,
        capture_output=True,
        text=True,
    )
    assert listed.returncode == 0, listed.stdout + listed.stderr
    assert "inbeeld.gemeenten" in listed.stdout
    log = (target / "dbt.log").read_text()
    assert "Unable to do partial parsing" not in log
    assert "Partial parse save file not found" not in log


def test_a_parse_ahead_stopped_early_leaves_nothing(work):
    saved = parse_state_file(work)
    ahead = parse_ahead(work)
    assert ahead is not None
    ahead.close()  # the run ended before the parse: stopped, cleaned up
    assert not ahead.target.exists()
    assert not saved.exists()
    assert not any(
        p.name == ahead.target.name for p in (DBT_PROJECT_DIR / "target").glob(f"{AHEAD_PREFIX}*")
    )
