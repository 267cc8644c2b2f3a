"""Many files at once (an inbox copied in anew, a folder of junk) must not flood Dagster's
event log: each log line is an event (~10 ms), and 50,000 held-back files once made a run
that read nothing take 10 minutes. The first LOGGED_PER_KIND of each kind are logged, then
one line with how many more; the whole lists stay in the asset's metadata and audit.*.
The real ingest asset, in process, on a real warehouse."""

from __future__ import annotations

import os
import time

import dagster as dg
from conftest import TEST_KEY, bsn, write

from orchestration.defs.ingest.assets import LOGGED_PER_KIND
from orchestration.registry import known_gemeenten

MONTH = "2024-01"


def test_many_files_give_a_capped_log_and_the_whole_list_in_metadata(tmp_path, monkeypatch):
    for name, value in {
        "INBEELD_PSEUDONYM_KEY": TEST_KEY,
        "INBEELD_WAREHOUSE": str(tmp_path / "w.duckdb"),
        "INBEELD_INBOX": str(tmp_path / "inbox"),
        "INBEELD_PUBLISH": str(tmp_path / "publish"),
        "INBEELD_EXPORTS": str(tmp_path / "exports"),
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("INBEELD_SETTLE_SECONDS", raising=False)  # the default: 60 s
    inbox = tmp_path / "inbox"
    codes = sorted(known_gemeenten())
    held, rejected = LOGGED_PER_KIND + 5, LOGGED_PER_KIND + 3
    assert len(codes) >= held + rejected
    old = time.time() - 3600
    for i, gm in enumerate(codes[: held + rejected]):
        if i < held:  # just written: held back
            write(inbox, f"{MONTH}/{gm}/jib.csv", f"bsn;geboortedatum\n{bsn(i)};2000-01-01\n")
        else:  # settled, but empty: rejected
            path = write(inbox, f"{MONTH}/{gm}/jib.csv", "")
            os.utime(path, (old, old))

    from orchestration.definitions import defs
    from orchestration.defs.ingest.assets import inbox_ingest

    job = defs.resolve_implicit_global_asset_job_def().get_subset(
        asset_selection=set(inbox_ingest.keys), asset_check_selection=set()
    )
    home = tmp_path / "dagster_home"
    home.mkdir()
    with dg.instance_for_test(temp_dir=str(home)) as instance:
        result = job.execute_in_process(instance=instance, partition_key=f"{MONTH}-01")
        assert result.success
        messages = [
            r.user_message for r in instance.all_logs(result.run_id) if r.level >= 30
        ]  # warnings
    waiting = [m for m in messages if m.startswith("Wacht:")]
    refused = [m for m in messages if m.startswith("Afgekeurd:")]
    assert len(waiting) == LOGGED_PER_KIND + 1
    assert waiting[-1].startswith("Wacht: en nog 5 bestanden")
    assert len(refused) == LOGGED_PER_KIND + 1
    assert refused[-1].startswith("Afgekeurd: en nog 3 bestanden")

    loads = next(
        m
        for m in result.asset_materializations_for_node("inbox_ingest")
        if m.asset_key == dg.AssetKey(["audit", "loads"])
    )
    assert len(loads.metadata["held_back_files"].value) == held
    assert len(loads.metadata["rejected_files"].value.records) == rejected
    assert loads.metadata["files_held_back"].value == held
    assert loads.metadata["files_rejected"].value == rejected
