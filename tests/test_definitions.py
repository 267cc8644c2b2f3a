"""The code location loads, and every asset tells the UI what it is."""

from __future__ import annotations

import os
import subprocess

from conftest import REPO


def test_definitions_validate_with_the_dagster_cli(tmp_path):
    env = {**os.environ, "DAGSTER_HOME": str(tmp_path), "GX_ANALYTICS_ENABLED": "false"}
    r = subprocess.run(
        [
            str(REPO / ".venv/bin/dagster"),
            "definitions",
            "validate",
            "-m",
            "orchestration.definitions",
        ],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-2000:]


# The dbt assets by layer: staging, the rules, the marts and the reports.
GROUPS = {"ingest", "staging", "rules", "marts", "reports", "publish", "retention"}


def test_every_asset_has_a_description_group_and_honest_partitions():
    """Only the ingest is partitioned by month; what every run rebuilds whole is not."""
    from orchestration.definitions import defs

    specs = list(defs.resolve_all_asset_specs())
    keys = {s.key.to_user_string() for s in specs}
    assert {
        "raw/jib",
        "raw/registration",
        "raw/begeleiding",
        "raw/sociale_kaart",
        "raw/bevolking",
        "audit/loads",
        "audit/quarantine",
        "staging/stg_jib",
        "reports/szw_quarterly",
        "publish/dashboards",
        "exports/werklijsten",
        "publish/commit",
    } <= keys
    for spec in specs:
        assert spec.description, spec.key
        assert spec.group_name in GROUPS, spec.key
        ingested = spec.group_name == "ingest"
        assert (spec.partitions_def is not None) == ingested, spec.key


def _first_partition(env: dict[str, str]) -> str:
    """The first month partition as a freshly loaded code location places it."""
    code = (
        "from orchestration.definitions import defs\n"
        "job = defs.resolve_job_def('inbeeld_maand')\n"
        "print(job.partitions_def.get_first_partition_key())"
    )
    r = subprocess.run(
        [str(REPO / ".venv/bin/python"), "-c", code],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert r.returncode == 0, r.stderr[-2000:]
    return r.stdout.strip().splitlines()[-1]


def test_partitions_start_at_the_first_month_of_the_data(tmp_path):
    """Not a decade of empty months: INBEELD_FIRST_MONTH, else the inbox's first month
    folder (a typo before 2015 or a folder in the future does not count), else 2020-01."""
    inbox = tmp_path / "inbox"
    for folder in ("2024-11/GM0375", "2025-02/GM0375", "1024-03/GM0375", "2999-01/GM0375"):
        (inbox / folder).mkdir(parents=True)
    base = {k: v for k, v in os.environ.items() if k != "INBEELD_FIRST_MONTH"}
    env = {**base, "DAGSTER_HOME": str(tmp_path), "INBEELD_TODAY": "2025-03-15"}
    assert _first_partition({**env, "INBEELD_INBOX": str(inbox)}) == "2024-11-01"
    assert _first_partition({**env, "INBEELD_INBOX": str(tmp_path / "none")}) == "2020-01-01"
    configured = {**env, "INBEELD_INBOX": str(inbox), "INBEELD_FIRST_MONTH": "2023-05"}
    assert _first_partition(configured) == "2023-05-01"


def test_dbt_tests_are_asset_checks_and_job_exists():
    from orchestration.definitions import defs

    checks = {k.name for k in defs.resolve_asset_graph().asset_check_keys}
    assert "geen_afgekeurde_bestanden" in checks
    assert "jib_pseudoniem_gevuld" in checks  # dbt tests carry Dutch names
    assert defs.resolve_job_def("inbeeld_maand").partitions_def is not None


def test_retention_is_an_op_job_that_materialize_all_cannot_start():
    """A purge is never a side effect of a convenience button: retention is no asset."""
    from orchestration.definitions import defs

    keys = {s.key.to_user_string() for s in defs.resolve_all_asset_specs()}
    assert not any("retention" in k for k in keys)
    job = defs.resolve_job_def("inbeeld_retentie")
    assert [n.name for n in job.graph.node_defs] == ["bewaartermijn_toepassen"]
    assert defs.resolve_sensor_def("inbeeld_na_retentie") is not None


def test_dbt_resource_skips_the_start_up_probes_without_lying_about_dbt():
    """InbeeldDbtCliResource reads dbt's version from the package instead of running
    `dbt --version`, and builds no in-process adapter: the version must be the one the
    dbt executable itself reports, and dbt builds must still stream their events (that
    part is covered by every pipeline test)."""
    import re

    from orchestration.definitions import defs

    dbt = defs.resources["dbt"]
    reported = subprocess.run(
        [dbt.dbt_executable, "--version"], capture_output=True, text=True, check=True
    ).stdout
    core = re.search(r"Core:\s*\n\s*- installed:\s*(\d+\.\d+\.\d+)", reported)
    assert core, reported
    assert str(dbt._cli_version) == core.group(1)
    assert dbt._initialize_dbt_core_adapter(["build"]) is None
