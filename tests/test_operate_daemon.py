"""The automatic cycle on its own (issue 15, item 1): six months dropped into the inbox
at once, with the daemon running and the instance `inbeeld` writes, all land — as one
run over the backlog, in order, with one writer — and nothing hits a lock."""

from __future__ import annotations

import shutil
import time

import dagster as dg
import duckdb
from conftest import run_env, running_daemon

from orchestration.generate import generate_inbox


def test_six_months_dropped_at_once_land_without_a_lock_error(tmp_path):
    root = tmp_path
    staged = root / "delivery"
    generate_inbox(staged, months=6, start="2025-01", seed=61)
    inbox = root / "inbox"
    inbox.mkdir()
    env = run_env(root, INBEELD_INBOX=str(inbox))
    with running_daemon(root / "dagster_home", env) as (instance, daemon, log):
        time.sleep(5)
        for month in sorted(staged.iterdir()):  # the whole backlog at once
            shutil.move(str(month), str(inbox / month.name))
        deadline = time.monotonic() + 900
        while True:
            assert daemon.poll() is None, log.read_text()[-3000:]
            runs = instance.get_runs()
            if runs and all(r.is_finished for r in runs):
                break
            assert time.monotonic() < deadline, [r.status for r in runs]
            time.sleep(2)

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
