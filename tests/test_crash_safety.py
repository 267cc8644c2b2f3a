"""A run killed with SIGKILL — in the ingest, and again in dbt — leaves the warehouse as it
was, and the next run gives marts identical to an uninterrupted run (issue 4)."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import time
from pathlib import Path

import duckdb
import pytest
from conftest import REPO, TEST_KEY, inbeeld, table_rows

from orchestration.generate import generate_inbox

INBEELD = str(REPO / ".venv" / "bin" / "inbeeld")
TABLES = (
    "audit.loads",
    "raw.jib",
    "raw.begeleiding",
    "marts.youth_month",
    "marts.region_month",
    "marts.outflow",
    "marts.placements",
)


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def snapshot(warehouse: Path) -> dict[str, list]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return table_rows(con, TABLES)
    finally:
        con.close()


def start(env: dict[str, str], *args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [INBEELD, "run", *args],
        env=env,
        cwd=REPO,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def wait_for_step(home: Path, step: str, proc: subprocess.Popen, timeout: float = 180) -> None:
    """Block until the newest Dagster run has started `step` (read from its event log)."""
    import dagster as dg

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, "the run ended before it could be killed"
        try:
            instance = dg.DagsterInstance.from_config(str(home))
            runs = instance.get_runs(limit=1)
            if runs and any(
                r.dagster_event
                and r.dagster_event.event_type_value == "STEP_START"
                and r.dagster_event.step_key == step
                for r in instance.all_logs(runs[0].run_id)
            ):
                return
        except Exception:  # the storage is being created; try again
            pass
        time.sleep(0.05)
    raise AssertionError(f"step {step} never started")


def kill(proc: subprocess.Popen) -> None:
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    root = tmp_path_factory.mktemp("crash")
    inbox = root / "inbox"
    generate_inbox(inbox, months=6, start="2025-01", seed=3)
    env = {
        **os.environ,
        "INBEELD_PSEUDONYM_KEY": TEST_KEY,
        "GX_ANALYTICS_ENABLED": "false",
        "DAGSTER_HOME": str(root / "dh"),
        "INBEELD_INBOX": str(inbox),
    }
    (root / "dh").mkdir()
    (root / "dh" / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    reference = root / "reference.duckdb"
    r = inbeeld("run", "--warehouse", str(reference), env=env)
    assert r.returncode == 0, r.stderr[-2000:]
    return root, env, reference


def test_sigkill_in_ingest_and_in_dbt_leaves_the_warehouse_unchanged(setup):
    root, env, reference = setup
    warehouse = root / "crashed.duckdb"
    first = inbeeld("run", "--warehouse", str(warehouse), "--months", "2025-01..2025-03", env=env)
    assert first.returncode == 0
    before_sha, before = sha(warehouse), snapshot(warehouse)

    proc = start(env, "--warehouse", str(warehouse))
    wait_for_step(root / "dh", "inbox_ingest", proc)
    kill(proc)
    assert sha(warehouse) == before_sha

    proc = start(env, "--warehouse", str(warehouse))
    wait_for_step(root / "dh", "inbeeld_dbt_models", proc)
    time.sleep(3)  # well inside dbt build
    kill(proc)
    assert sha(warehouse) == before_sha
    assert snapshot(warehouse) == before

    again = inbeeld("run", "--warehouse", str(warehouse), env=env)
    assert again.returncode == 0
    assert snapshot(warehouse) == snapshot(reference)
    assert not list(root.glob(".inbeeld_run_*")), "the stale work copy is gone"
