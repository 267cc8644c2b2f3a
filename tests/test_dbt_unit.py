"""The rules' dbt unit tests (`unit_tests:` in dbt_project/models/**/_unit_tests.yml) run
against a real DuckDB file, as dbt's docs recommend: an empty warehouse with the ingest's
raw and audit tables (made by the ingest's own ensure_schema, not a copy of its DDL), the
seed, `dbt run --empty` for the models the unit tests read their column types from, then
`dbt test --select "test_type:unit"`. Everything dbt writes (target, logs, the warehouse)
stays in a temporary folder, so dbt_project/target is left alone.

The three dbt commands run in one Python process through dbt's programmatic entry point
(dbtRunner, the same commands and flags as the `dbt` CLI) so the project is parsed once:
three `dbt` processes would each pay dbt's start-up and parse.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import yaml
from conftest import REPO

DBT_DIR = REPO / "dbt_project"
PYTHON = REPO / ".venv" / "bin" / "python"

# Parse once, then seed, build the models empty and run the unit tests with that manifest.
# Exit codes: 0 all passed, 1 a unit test failed or errored, 2 an earlier step failed.
DRIVER = r"""
import sys
from dbt.cli.main import dbtRunner

common = sys.argv[1:]
parsed = dbtRunner().invoke(["parse", *common])
if not parsed.success:
    print("dbt parse failed", parsed.exception, file=sys.stderr)
    sys.exit(2)
runner = dbtRunner(manifest=parsed.result)
for args in (["seed"], ["run", "--empty"], ["test", "--select", "test_type:unit"]):
    result = runner.invoke([*args, *common])
    if not result.success:
        print("dbt", " ".join(args), "failed", result.exception or "", file=sys.stderr)
        sys.exit(1 if args[0] == "test" else 2)
"""


def defined_unit_tests() -> dict[str, list[str]]:
    """Unit test names per model, from every yml under dbt_project/models."""
    by_model: dict[str, list[str]] = {}
    for path in sorted((DBT_DIR / "models").rglob("*.yml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for ut in doc.get("unit_tests") or []:
            by_model.setdefault(ut["model"], []).append(ut["name"])
    return by_model


def test_every_rule_model_has_a_unit_test_with_a_dutch_description():
    by_model = defined_unit_tests()
    rule_models = {p.stem for p in (DBT_DIR / "models" / "intermediate").glob("int_*.sql")}
    assert rule_models <= set(by_model), sorted(rule_models - set(by_model))
    assert {"youth_month", "werklijst"} <= set(by_model)
    for path in (DBT_DIR / "models").rglob("*.yml"):
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for ut in doc.get("unit_tests") or []:
            assert (ut.get("description") or "").strip(), f"{ut['name']}: no description"


def test_dbt_unit_tests_pass_on_a_real_duckdb(tmp_path: Path):
    from orchestration.ingest.load import ensure_schema

    warehouse = tmp_path / "warehouse.duckdb"
    con = duckdb.connect(str(warehouse))
    try:
        ensure_schema(con)  # the raw and audit tables, as the ingest creates them
    finally:
        con.close()

    target = tmp_path / "target"
    common = ["--project-dir", str(DBT_DIR), "--profiles-dir", str(DBT_DIR)]
    common += ["--target-path", str(target), "--log-path", str(tmp_path / "logs")]
    env = {
        **os.environ,
        "INBEELD_WAREHOUSE": str(warehouse),
        "GX_ANALYTICS_ENABLED": "false",
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
    run = subprocess.run(
        [str(PYTHON if PYTHON.exists() else sys.executable), "-c", DRIVER, *common],
        cwd=DBT_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )

    results_file = target / "run_results.json"
    results = json.loads(results_file.read_text()) if results_file.exists() else {}
    unit = [r for r in results.get("results", []) if r["unique_id"].startswith("unit_test.")]
    failed = [
        f"{r['unique_id']}: {r['status']}: {r['message']}" for r in unit if r["status"] != "pass"
    ]
    output = run.stdout[-6000:] + run.stderr[-3000:]
    assert run.returncode == 0, f"dbt exited {run.returncode}\n" + "\n".join(failed) + "\n" + output
    assert not failed, "\n".join(failed)

    defined = sum(len(names) for names in defined_unit_tests().values())
    passed = sum(1 for r in unit if r["status"] == "pass")
    assert defined >= 40
    assert passed >= defined, f"{passed} unit tests passed, {defined} defined"
