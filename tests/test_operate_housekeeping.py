"""Housekeeping (issue 15, item 7): dbt's per-run target folders do not pile up."""

from __future__ import annotations

import os

from orchestration.defs.transform.dbt import KEEP_RUN_TARGETS, prune_run_targets


def test_only_the_newest_dbt_run_targets_are_kept(tmp_path):
    for i in range(KEEP_RUN_TARGETS + 4):
        run = tmp_path / f"inbeeld_dbt_models-{i:07d}-abc"
        run.mkdir()
        os.utime(run, (1_000_000 + i, 1_000_000 + i))
    (tmp_path / "manifest.json").write_text("{}")
    prune_run_targets(tmp_path)
    left = sorted(p.name for p in tmp_path.iterdir())
    assert left == [
        *(f"inbeeld_dbt_models-{i:07d}-abc" for i in range(4, KEEP_RUN_TARGETS + 4)),
        "manifest.json",
    ]
