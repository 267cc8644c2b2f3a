"""The automatic cycle on its own (issue 15, item 1): six months dropped into the inbox
at once, with the daemon running and the instance `inbeeld` writes, all land — as one
run over the backlog, in order, with one writer — and nothing hits a lock."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import time

import dagster as dg
import duckdb
from conftest import REPO, run_env

from orchestration.cli import DAGSTER_YAML
from orchestration.generate import generate_inbox


def test_six_months_dropped_at_once_land_without_a_lock_error(tmp_path):
    root = tmp_path
    staged = root / "delivery"
    generate_inbox(staged, months=6, start="2025-01", seed=61)
    inbox = root / "inbox"
    inbox.mkdir()
    home = root / "dagster_home"
    home.mkdir()
    (home / "dagster.yaml").write_text(DAGSTER_YAML)
    instance = dg.DagsterInstance.from_config(str(home))
    instance.get_runs(limit=1)  # create the storage before the daemon's threads race to
    env = run_env(root, INBEELD_INBOX=str(inbox))
    log = open(root / "daemon.log", "w")  # noqa: SIM115 - closed below
    daemon = subprocess.Popen(
        [str(REPO / ".venv/bin/dagster-daemon"), "run", "-w", str(REPO / "workspace.yaml")],
        env=env,
        cwd=REPO,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        time.sleep(5)
        for month in sorted(staged.iterdir()):  # the whole backlog at once
            shutil.move(str(month), str(inbox / month.name))
        deadline = time.monotonic() + 900
        while True:
            assert daemon.poll() is None, (root / "daemon.log").read_text()[-3000:]
            runs = instance.get_runs()
            if runs and all(r.is_finished for r in runs):
                break
            assert time.monotonic() < deadline, [r.status for r in runs]
            time.sleep(2)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(daemon.pid, signal.SIGTERM)
        daemon.wait(timeout=90)
        log.close()

    runs = instance.get_runs()
    assert [r.status for r in runs] == [dg.DagsterRunStatus.SUCCESS], "one run for the backlog"
    (run,) = runs
    assert run.tags["dagster/asset_partition_range_start"] == "2025-01-01"
    assert run.tags["dagster/asset_partition_range_end"] == "2025-06-01"
    text = " ".join(str(e.message) for e in instance.all_logs(run.run_id))
    assert "Conflicting lock" not in text and "Could not set lock" not in text
    con = duckdb.connect(str(root / "w.duckdb"), read_only=True)
    try:
        months = con.execute(
            "select distinct strftime(month, '%Y-%m') from marts.region_month order by 1"
        ).fetchall()
    finally:
        con.close()
    assert [m for (m,) in months] == [f"2025-0{i}" for i in range(1, 7)]
