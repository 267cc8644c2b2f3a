"""Publishing regions on several cores gives byte for byte what one process gives, through
the real `inbeeld run` (Dagster, the forkserver workers) on a small national inbox; and
a worker's failure fails publish with the worker's own error."""

from __future__ import annotations

import shutil

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
    return {"warehouse": root / "w.duckdb", "publish": root / "publish", "root": root}


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


def _published(folder) -> dict:
    return {p.relative_to(folder): p for p in folder.rglob("*") if p.is_file()}


def test_a_run_rewrites_only_the_regions_whose_numbers_changed(national, tmp_path):
    """A corrected list of one municipality: its region is published again, the others keep
    their files untouched, and publish/ is byte for byte what publishing everything gives."""
    from dashboards import site
    from orchestration.publish import szw
    from orchestration.publish.cube import build_cubes

    root = tmp_path / "root"
    shutil.copytree(national["root"], root, ignore=shutil.ignore_patterns("dagster_home"))
    with duckdb.connect(str(root / "w.duckdb"), read_only=True) as con:
        gemeente, region = con.execute(
            "select gemeentecode, arbeidsmarktregio from marts.region_month "
            "where gemeentecode <> 'TOTAAL' and month = (select max(month) from marts.region_month) "
            "order by on_list desc limit 1"
        ).fetchone()
    (jib,) = (root / "inbox").glob(f"2025-02/{gemeente}/jib*.csv")
    lines = jib.read_text(encoding="utf-8").splitlines(keepends=True)
    jib.write_text("".join(lines[:-3]), encoding="utf-8")  # three youths fewer
    before = {f: p.stat().st_mtime_ns for f, p in _published(root / "publish").items()}

    env = run_env(root, INBEELD_PUBLISH_WORKERS="2", INBEELD_SETTLE_SECONDS="0")
    run = inbeeld("run", "--inbox", str(root / "inbox"), env=env)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]

    after = _published(root / "publish")
    folder = site.slug(region)
    rewritten = {f.parts[0] for f, p in after.items() if before.get(f) != p.stat().st_mtime_ns}
    assert folder in rewritten
    regions = {f.parts[0] for f in after if len(f.parts) > 1 and f.parts[-1] == "index.html"}
    kept = regions - rewritten
    assert len(kept) >= len(regions) // 2, sorted(rewritten)

    with duckdb.connect(str(root / "w.duckdb"), read_only=True) as con:
        cubes = build_cubes(con, K)
    again = tmp_path / "again"
    site.write_site(cubes, again)
    szw.write(cubes, again / "szw", K)
    assert sorted(after) == sorted(_published(again))
    for f, p in after.items():
        assert p.read_bytes() == (again / f).read_bytes(), f"{f} differs"
