"""Housekeeping (issue 15, items 4 and 7): dbt run folders do not pile up; links work."""

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


def test_dashboard_links_follow_the_publish_base_url(tmp_path, monkeypatch):
    """Behind the documented proxy a file:// link does not work: the base URL is a setting."""
    from orchestration.resources import WarehouseResource

    monkeypatch.delenv("INBEELD_PUBLISH_URL", raising=False)
    warehouse = WarehouseResource(path=str(tmp_path / "w.duckdb"), publish_path=str(tmp_path / "p"))
    page = tmp_path / "p" / "zuid-kennemerland-en-ijmond" / "index.html"
    assert warehouse.published_url(page) == page.as_uri()
    monkeypatch.setenv("INBEELD_PUBLISH_URL", "https://inbeeld.regio.nl/publish/")
    assert (
        warehouse.published_url(page)
        == "https://inbeeld.regio.nl/publish/zuid-kennemerland-en-ijmond/index.html"
    )
