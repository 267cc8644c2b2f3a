"""The incremental person models' bookkeeping (dbt_project/macros/incremental.sql).

Their behaviour is tested end to end in tests/test_backfill_identity.py: month by month
equals one backfill, and a month recomputes only from the first month whose inputs
changed."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import duckdb
import yaml
from conftest import TEST_KEY

from orchestration.cli import main
from orchestration.defs.transform.dbt import incremental_summary
from orchestration.settings import DBT_PROJECT_DIR

REPO = DBT_PROJECT_DIR.parent
PERSON_MODELS = ("int_jib_month_digest", "int_status", "int_runs", "int_persistence")


def test_every_var_is_part_of_the_build_key():
    """A threshold changed in dbt_project.yml must rebuild the incremental models in full,
    so rule_vars() (part of build_key) names every var of the project."""
    project = yaml.safe_load((DBT_PROJECT_DIR / "dbt_project.yml").read_text(encoding="utf-8"))
    macro = (DBT_PROJECT_DIR / "macros" / "incremental.sql").read_text(encoding="utf-8")
    body = re.search(r"macro rule_vars\(\).*?return\(\[(.*?)\]\)", macro, re.S)
    assert body, "rule_vars() not found"
    named = set(re.findall(r"'([a-z0-9_]+)'", body.group(1)))
    assert named == set(project["vars"])


def test_the_incremental_models_are_the_listed_ones():
    """Only models whose rows of month M read inputs of months <= M may be incremental by
    month; the list is short on purpose (docs/architectuur.md): the list rows and
    listings, the registrations in force and exclusions (each month reads only itself),
    the list chain, the case chain, youth_month and the funnel."""
    incremental = {
        p.stem
        for p in (DBT_PROJECT_DIR / "models").rglob("*.sql")
        if re.search(r"incremental_by_(month|window)_config\(", p.read_text(encoding="utf-8"))
    }
    assert incremental == {
        "int_listing_rows",
        "int_listings",
        "int_registrations_in_force",
        "int_exclusions",
        "int_status",
        "int_runs",
        "int_persistence",
        "int_stage_timeline",
        "int_case_stage",
        "youth_month",
        "outreach_funnel_municipal",
    }


def dbt(
    warehouse: Path, tmp: Path, *args: str, project: Path = DBT_PROJECT_DIR, **vars_: object
) -> subprocess.CompletedProcess[str]:
    """A dbt command on a warehouse, with vars."""
    cmd = [str(REPO / ".venv" / "bin" / "dbt"), *args]
    cmd += ["--project-dir", str(project), "--profiles-dir", str(project)]
    cmd += ["--target-path", str(tmp / "target"), "--log-path", str(tmp / "logs")]
    cmd += ["--vars", json.dumps({"warehouse_path": str(warehouse), **vars_})]
    env = {**os.environ, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    return subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=600)


def dbt_run(warehouse: Path, tmp: Path, project: Path = DBT_PROJECT_DIR, **vars_: object) -> None:
    """`dbt run` of the digest, the three person models and int_events (incremental by
    file version) on a warehouse, with vars."""
    selected = (*PERSON_MODELS, "int_events")
    run = dbt(warehouse, tmp, "run", "--select", *selected, project=project, **vars_)
    assert run.returncode == 0, run.stdout[-4000:]


def summary(warehouse: Path) -> list[str]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return incremental_summary(con)
    finally:
        con.close()


def person_line(warehouse: Path) -> str:
    """The summary's line that names the person models (models recomputed from the same
    month share a line: the case chain and the funnel join theirs when they were too)."""
    (line,) = [s for s in summary(warehouse) if "int_status" in s.split(":")[0]]
    return line


def persistent(warehouse: Path) -> int:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(
            "select count(*) from intermediate.int_persistence where persistent"
        ).fetchone()[0]
    finally:
        con.close()


def test_a_changed_threshold_rebuilds_everything_and_the_log_says_what_was_recomputed(
    tmp_path: Path, monkeypatch
):
    from test_backfill_identity import build_inbox

    monkeypatch.setenv("INBEELD_PSEUDONYM_KEY", TEST_KEY)
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dh"))
    inbox, warehouse = tmp_path / "inbox", tmp_path / "w.duckdb"
    build_inbox(inbox)
    assert main(["run", "--inbox", str(inbox), "--warehouse", str(warehouse)]) == 0
    assert summary(warehouse) == [
        "int_case_stage, int_exclusions, int_listing_rows, int_listings, int_persistence, "
        "int_registrations_in_force, int_runs, int_stage_timeline, int_status, "
        "outreach_funnel_municipal, youth_month: helemaal herberekend (eerste build, nieuwe "
        "projectversie of --full-refresh).",
        "int_events: helemaal herberekend (eerste build, een vervangen of ingetrokken bestand, "
        "nieuwe projectversie of --full-refresh).",
    ]
    before = persistent(warehouse)

    dbt_run(warehouse, tmp_path)  # the same version, the same inputs
    assert person_line(warehouse) == (
        "int_persistence, int_runs, int_status: niets herberekend: hun invoer veranderde in "
        "geen enkele maand."
    )
    assert "int_events: niets herberekend: geen nieuwe bestandsversie." in summary(warehouse)
    assert persistent(warehouse) == before

    # The same project checked out elsewhere (a moved clone, a worktree) is the same version.
    elsewhere = tmp_path / "elsewhere" / "dbt_project"
    shutil.copytree(
        DBT_PROJECT_DIR, elsewhere, ignore=shutil.ignore_patterns("target", "logs", "dbt_packages")
    )
    dbt_run(warehouse, tmp_path, elsewhere)
    assert "niets herberekend" in person_line(warehouse)

    # A lower threshold is a new project version: every month again, more persistent.
    dbt_run(warehouse, tmp_path, persistent_months=1)
    assert "helemaal herberekend" in person_line(warehouse)
    assert any(s.startswith("int_events: helemaal") for s in summary(warehouse))
    assert persistent(warehouse) > before

    # The data tests of a person model look at what its last build recomputed: here the
    # last month only. A duplicate there fails the test; one in a month no build rewrote
    # since it was tested is not looked at again (two results would mean it was).
    con = duckdb.connect(str(warehouse))
    try:
        last = con.execute("select max(month) from intermediate.int_status").fetchone()[0]
        con.execute("update intermediate.incremental_state set digest = 0 where month = ?", [last])
    finally:
        con.close()
    dbt_run(warehouse, tmp_path, persistent_months=1)
    assert "herberekend vanaf" in person_line(warehouse)
    con = duckdb.connect(str(warehouse))
    try:
        for month in ("max(month)", "min(month)"):
            con.execute(
                "insert into intermediate.int_status select * from intermediate.int_status "
                "where status = 'on' and month = "
                f"(select {month} from intermediate.int_status where status = 'on') limit 1"
            )
    finally:
        con.close()
    test = dbt(warehouse, tmp_path, "test", "--select", "int_status", persistent_months=1)
    assert test.returncode == 1
    assert "FAIL 1 status_eenmaal_per_jongere_en_maand" in test.stdout, test.stdout[-3000:]
