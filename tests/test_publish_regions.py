"""Publishing regions on several cores gives byte for byte what one process gives, through
the real `inbeeld run` (Dagster, the forkserver workers) on a small national inbox; and
a worker's failure fails publish with the worker's own error."""

from __future__ import annotations

import duckdb
import pytest
from conftest import inbeeld, run_env

K = 5


@pytest.fixture(scope="module")
def national(tmp_path_factory) -> dict:
    from orchestration.generate import generate_inbox

    root = tmp_path_factory.mktemp("national")
    inbox = root / "inbox"
    generate_inbox(inbox, region=None, national=True, months=2, start="2025-01", seed=7)
    env = run_env(root, INBEELD_PUBLISH_WORKERS="2", INBEELD_SETTLE_SECONDS="0")
    run = inbeeld("run", "--inbox", str(inbox), env=env)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    return {"warehouse": root / "w.duckdb", "publish": root / "publish"}


def test_two_workers_publish_what_one_process_publishes(national, tmp_path):
    from dashboards import site
    from orchestration.publish import szw
    from orchestration.publish.cube import build_cubes

    published = national["publish"]
    regions = sorted(p.parent.name for p in published.glob("*/index.html"))
    assert len(regions) >= 30, regions  # the country: every worker had regions to build
    with duckdb.connect(str(national["warehouse"]), read_only=True) as con:
        cubes = build_cubes(con, K)
    again = tmp_path / "again"
    site.write_site(cubes, again)
    szw.write(cubes, again / "szw", K)
    files = sorted(p.relative_to(published) for p in published.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(again) for p in again.rglob("*") if p.is_file())
    for f in files:
        assert (published / f).read_bytes() == (again / f).read_bytes(), f"{f} differs"


def test_a_failing_worker_fails_publish_with_its_error(national, tmp_path):
    from dashboards.site import slug
    from orchestration.publish.cube import read_inputs
    from orchestration.publish.regions import publish_regions

    with duckdb.connect(str(national["warehouse"]), read_only=True) as con:
        inputs = read_inputs(con)
    out = tmp_path / "out"
    out.mkdir()
    # A file where the third region's folder must go: that worker cannot write it.
    blocked = out / slug(inputs[2].region)
    blocked.write_text("geen map")
    with pytest.raises((FileExistsError, NotADirectoryError)) as raised:
        publish_regions(inputs[:4], K, out, workers=2)
    assert slug(inputs[2].region) in str(raised.value)
