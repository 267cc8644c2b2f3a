"""Freshness: the real check, run by its own Dagster job (as the day-10 schedule does) on a
warehouse the real `inbeeld run` filled, names the municipality whose list is late."""

from __future__ import annotations

import datetime as dt
import os

import dagster as dg
import pytest
from conftest import TEST_KEY, bsn, inbeeld, write

# Zuid-Kennemerland en IJmond has seven municipalities in the registry.
REGION = ["GM0375", "GM0377", "GM0392", "GM0396", "GM0397", "GM0453", "GM0473"]


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    root = tmp_path_factory.mktemp("freshness")
    inbox = root / "inbox"
    for i, gm in enumerate(REGION):
        write(inbox, f"2026-09/{gm}/jib.csv", f"bsn;geboortedatum\n{bsn(i)};2000-01-15\n")
        if gm != "GM0473":  # Zandvoort's October list never came
            write(inbox, f"2026-10/{gm}/jib.csv", f"bsn;geboortedatum\n{bsn(i)};2000-01-15\n")
    env = {
        **os.environ,
        "INBEELD_PSEUDONYM_KEY": TEST_KEY,
        "INBEELD_WAREHOUSE": str(root / "w.duckdb"),
        "INBEELD_PUBLISH": str(root / "publish"),
        "DAGSTER_HOME": str(root / "dagster_home"),
    }
    run = inbeeld("run", "--inbox", str(inbox), env=env)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    return root / "w.duckdb"


def evaluate(warehouse, monkeypatch, today: str):
    from orchestration.definitions import defs

    monkeypatch.setenv("INBEELD_WAREHOUSE", str(warehouse))
    monkeypatch.setenv("INBEELD_TODAY", today)
    result = defs.resolve_job_def("inbeeld_versheid").execute_in_process(
        instance=dg.DagsterInstance.ephemeral(), raise_on_error=False
    )
    assert result.success  # a late list fails the check, never the run
    [evaluation] = [
        e.event_specific_data
        for e in result.all_events
        if e.event_type_value == "ASSET_CHECK_EVALUATION"
    ]
    return evaluation


def test_a_late_municipality_fails_the_check_by_name(warehouse, monkeypatch):
    ev = evaluate(warehouse, monkeypatch, "2026-11-10")
    assert not ev.passed
    assert ev.severity == dg.AssetCheckSeverity.ERROR
    assert "Zandvoort (GM0473)" in ev.description and "2026-10" in ev.description
    assert ev.metadata["te_laat"].value == 1
    assert "Zandvoort" in ev.metadata["gemeenten_te_laat"].value
    for gm in REGION[:-1]:
        assert gm not in ev.metadata["gemeenten_te_laat"].value


def test_before_day_10_the_month_before_is_checked(warehouse, monkeypatch):
    ev = evaluate(warehouse, monkeypatch, "2026-11-09")
    assert ev.passed, ev.description
    assert ev.metadata["maand"].value == "2026-09"


def test_lists_that_came_after_the_due_date_are_noted(warehouse, monkeypatch):
    ev = evaluate(warehouse, monkeypatch, "2026-10-10")  # the September lists, loaded today
    assert ev.passed
    loaded_late = ev.metadata["na_de_10e_ontvangen"].value
    assert (dt.date.today() > dt.date(2026, 10, 10)) == ("Beverwijk (GM0375)" in loaded_late)


def test_the_check_runs_on_day_10_by_schedule():
    from orchestration.definitions import defs

    schedule = defs.resolve_schedule_def("inbeeld_versheid_dag_10")
    assert schedule.cron_schedule == "0 12 10 * *"
    assert schedule.execution_timezone == "Europe/Amsterdam"
    assert schedule.default_status == dg.DefaultScheduleStatus.RUNNING
    job = defs.resolve_job_def("inbeeld_versheid")
    assert schedule.job_name == job.name
