"""`make demo` works from a clean clone: setup, generation, the Dagster run, the summary.

Runs the committed HEAD in a fresh `git clone`, the way CI and a new colleague see it.
The uv cache is shared, so the install takes seconds, not minutes.
"""

from __future__ import annotations

import os
import subprocess

import pytest
from conftest import REPO


def _git(*args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=REPO, capture_output=True, text=True, check=True
    ).stdout


@pytest.mark.skipif(not (REPO / ".git").exists(), reason="needs the git repository")
def test_make_demo_from_a_clean_clone(tmp_path):
    clone = tmp_path / "inbeeld"
    subprocess.run(["git", "clone", "--quiet", str(REPO), str(clone)], check=True)
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("INBEELD_", "DAGSTER_", "VIRTUAL_ENV"))
    }
    env["GX_ANALYTICS_ENABLED"] = "false"
    r = subprocess.run(
        ["make", "demo"], cwd=clone, env=env, capture_output=True, text=True, timeout=1500
    )
    out = r.stdout + r.stderr
    assert r.returncode == 0, out[-4000:]
    assert "Run voltooid" in out
    assert "Waar kijken" in out
    assert (clone / ".venv/bin/inbeeld").exists()
    assert (clone / "warehouse/inbeeld.duckdb").exists()
    key = clone / ".inbeeld/pseudonym.key"
    assert key.exists() and (key.stat().st_mode & 0o777) == 0o600
    assert "lokale pseudonimiseringssleutel" in out
    # It ends by printing where the dashboards are, and they are there.
    index = clone / "publish" / "index.html"
    lines = [line for line in r.stdout.strip().splitlines() if not line.startswith("make[")]
    assert lines[-1] == str(index)
    assert index.is_file() and (clone / "publish/szw/szw_kwartaal.csv").is_file()
    assert len(list((clone / "publish").glob("*/index.html"))) == 1

    import duckdb

    con = duckdb.connect(str(clone / "warehouse/inbeeld.duckdb"), read_only=True)
    try:
        on_list = con.execute(
            "select sum(on_list) from marts.region_month where gemeentecode = 'TOTAAL'"
        ).fetchone()[0]
        loaded, rejected = con.execute(
            "select count(*) filter (where status = 'loaded'), "
            "count(*) filter (where status = 'rejected') from audit.loads"
        ).fetchone()
    finally:
        con.close()
    assert on_list > 1000 and loaded > 100
