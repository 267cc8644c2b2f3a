"""No false green (issue 15, item 3).

A check run without a partition (the Checks tab's "Execute all") checks every month in
the warehouse, and a check that had nothing to check never passes; a warning of one
month stays visible after a run of another month; a rejection closes once a corrected
version is loaded, and a rejected re-delivery says the earlier version stays in effect.
"""

from __future__ import annotations

import io
import time
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import duckdb
import pytest
from conftest import TEST_KEY, bsn, inbeeld, run_env, write
from rich.console import Console

OWN_CHECKS = {
    "geen_afgekeurde_bestanden",
    "lege_lijst_na_volle_lijst",
    "gx_fouten",
    "gx_plausibiliteit",
}
CHECKED_COUNTS = ("rijen_gecontroleerd", "bestandsversies_gecontroleerd", "lijsten_gecontroleerd")
ALL_MONTHS = ["1900-01-01", "2999-12-01"]


def jib(*people: tuple[int, str]) -> str:
    """A jib.csv of (test BSN index, birth date); ages 23..26 on the month's first day."""
    return "bsn;geboortedatum\n" + "".join(f"{bsn(i)};{d}\n" for i, d in people)


LIST_0392 = jib((0, "2000-01-15"), (1, "1999-02-01"), (2, "1998-06-30"))
LIST_0375 = jib((3, "2000-03-03"), (4, "1997-12-12"))


@pytest.fixture(scope="module")
def region(tmp_path_factory) -> Path:
    """A small region through the real `inbeeld run`: jib lists of GM0392 for January and
    February 2024, of GM0375 for January only (it stopped delivering: a GX warning in
    February); no registrations, no begeleiding, no sociale_kaart."""
    root = tmp_path_factory.mktemp("honest")
    inbox = root / "inbox"
    write(inbox, "2024-01/GM0392/jib.csv", LIST_0392)
    write(inbox, "2024-02/GM0392/jib.csv", LIST_0392)
    write(inbox, "2024-01/GM0375/jib.csv", LIST_0375)
    run = inbeeld("run", "--inbox", str(inbox), env=run_env(root))
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    return root


@pytest.fixture
def pipeline(monkeypatch, tmp_path) -> Iterator[dg.DagsterInstance]:
    """The real code location's resources read their paths from the environment."""
    monkeypatch.setenv("INBEELD_PSEUDONYM_KEY", TEST_KEY)
    monkeypatch.setenv("INBEELD_PUBLISH", str(tmp_path / "publish"))
    monkeypatch.setenv("INBEELD_EXPORTS", str(tmp_path / "exports"))
    monkeypatch.setenv("INBEELD_SETTLE_SECONDS", "0")
    home = tmp_path / "dagster_home"
    home.mkdir()
    with dg.instance_for_test(temp_dir=str(home)) as instance:
        yield instance


def _use(monkeypatch, root: Path) -> None:
    monkeypatch.setenv("INBEELD_WAREHOUSE", str(root / "w.duckdb"))
    monkeypatch.setenv("INBEELD_INBOX", str(root / "inbox"))


def _own_check_keys() -> set[dg.AssetCheckKey]:
    from orchestration.definitions import defs

    return {k for k in defs.resolve_asset_graph().asset_check_keys if k.name in OWN_CHECKS}


def run_checks(
    instance: dg.DagsterInstance, partition: str | None = None
) -> dict[str, dg.AssetCheckEvaluation]:
    """Our checks alone, as the Checks tab runs them: without a partition unless given."""
    from orchestration.definitions import defs

    job = defs.resolve_implicit_global_asset_job_def().get_subset(
        asset_selection=set(), asset_check_selection=_own_check_keys()
    )
    result = job.execute_in_process(instance=instance, partition_key=partition)
    assert result.success
    return {e.asset_check_key.to_user_string(): e for e in result.get_asset_check_evaluations()}


def ingest(instance: dg.DagsterInstance, month: str) -> None:
    """The pipeline's ingest step for one month (no dbt: the rejection is the ingest's)."""
    from orchestration.definitions import defs
    from orchestration.defs.ingest.assets import inbox_ingest

    job = defs.resolve_implicit_global_asset_job_def().get_subset(
        asset_selection=set(inbox_ingest.keys), asset_check_selection=set()
    )
    assert job.execute_in_process(instance=instance, partition_key=month).success
    time.sleep(1.1)  # audit.loads.loaded_at has whole seconds: the next run is later


def _value(evaluation: dg.AssetCheckEvaluation, key: str):
    item = evaluation.metadata.get(key)
    return None if item is None else item.value


def assert_none_passes_on_nothing(evaluations: dict[str, dg.AssetCheckEvaluation]) -> None:
    assert {k.to_user_string() for k in _own_check_keys()} == set(evaluations)
    for name, e in evaluations.items():
        nothing = bool(_value(e, "niets_gecontroleerd"))
        if e.passed:
            assert not nothing, name
            assert any((_value(e, c) or 0) > 0 for c in CHECKED_COUNTS), name
        if nothing:
            assert not e.passed and e.severity == dg.AssetCheckSeverity.WARN, name
            assert (e.description or "").startswith("Niets gecontroleerd"), name


def test_checks_without_a_partition_check_every_loaded_month(region, pipeline, monkeypatch):
    _use(monkeypatch, region)
    evaluations = run_checks(pipeline)
    assert_none_passes_on_nothing(evaluations)

    fouten = evaluations["raw/jib:gx_fouten"]
    assert fouten.passed
    assert _value(fouten, "maanden_gecontroleerd").startswith("2024-01 t/m 2024-02")
    assert _value(fouten, "rijen_gecontroleerd") >= 8  # 8 list rows, plus the deliveries
    assert not evaluations["raw/jib:gx_plausibiliteit"].passed  # GM0375 stopped in 2024-02
    for table in ("registration", "begeleiding", "sociale_kaart"):
        for check in ("gx_fouten", "gx_plausibiliteit"):
            e = evaluations[f"raw/{table}:{check}"]
            assert not e.passed, e
            assert "Niets gecontroleerd" in (e.description or "")
    assert evaluations["audit/loads:geen_afgekeurde_bestanden"].passed
    assert evaluations["raw/jib:lege_lijst_na_volle_lijst"].passed


def test_a_warning_of_one_month_survives_a_run_of_another(region, pipeline, monkeypatch):
    _use(monkeypatch, region)
    assert not run_checks(pipeline, "2024-02-01")["raw/jib:gx_plausibiliteit"].passed

    january = run_checks(pipeline, "2024-01-01")
    assert_none_passes_on_nothing(january)
    plausible = january["raw/jib:gx_plausibiliteit"]
    assert not plausible.passed
    assert "2024-02" in (plausible.description or "")
    assert january["raw/jib:gx_fouten"].passed
    # A month of the run without any file of the type is no pass either.
    assert not january["raw/begeleiding:gx_fouten"].passed


def test_no_warehouse_means_nothing_checked_never_a_pass(pipeline, monkeypatch, tmp_path):
    _use(monkeypatch, tmp_path / "empty")
    evaluations = run_checks(pipeline)
    assert_none_passes_on_nothing(evaluations)
    assert not any(e.passed for e in evaluations.values())


def _open_rejections(root: Path) -> list[tuple[str, str, str]]:
    from orchestration.ingest.warehouse import OPEN_REJECTIONS_SQL

    con = duckdb.connect(str(root / "w.duckdb"), read_only=True)
    try:
        return con.execute(OPEN_REJECTIONS_SQL, ALL_MONTHS).fetchall()
    finally:
        con.close()


def _summary(root: Path) -> str:
    from orchestration.summary import print_summary

    out = io.StringIO()
    print_summary(Console(file=out, width=300), root / "w.duckdb", ("2024-01-01", "2024-01-01"))
    return out.getvalue()


def test_rejection_closes_after_the_corrected_redelivery(pipeline, monkeypatch, tmp_path):
    _use(monkeypatch, tmp_path)
    inbox = tmp_path / "inbox"
    write(inbox, "2024-01/GM0392/jib.csv", LIST_0392)
    ingest(pipeline, "2024-01-01")
    assert _open_rejections(tmp_path) == []

    # A broken re-delivery of a loaded list: refused, the loaded version stays in effect.
    write(inbox, "2024-01/GM0392/jib.csv", "burgerservicenummer;geboortedatum\n1;2000-01-01\n")
    ingest(pipeline, "2024-01-01")
    [(path, reason, message)] = _open_rejections(tmp_path)
    assert (path, reason) == ("2024-01/GM0392/jib.csv", "missing_column")
    assert message.endswith("De eerder ingelezen versie van dit bestand blijft van kracht.")
    check = run_checks(pipeline)["audit/loads:geen_afgekeurde_bestanden"]
    assert not check.passed
    assert check.description == "1 afgekeurde bestanden staan open"
    assert "blijft van kracht" in _value(check, "bestanden")
    assert "1 afgekeurde bestanden" in _summary(tmp_path)

    # The corrected list closes the rejection, in the check and in the CLI summary.
    write(inbox, "2024-01/GM0392/jib.csv", jib((0, "2000-01-15"), (1, "1999-02-01")))
    ingest(pipeline, "2024-01-01")
    assert _open_rejections(tmp_path) == []
    check = run_checks(pipeline)["audit/loads:geen_afgekeurde_bestanden"]
    assert check.passed, check.description
    assert _value(check, "bestandsversies_gecontroleerd") == 3
    assert "afgekeurde bestanden" not in _summary(tmp_path)


def test_a_replacement_under_another_name_closes_the_rejection(pipeline, monkeypatch, tmp_path):
    _use(monkeypatch, tmp_path)
    inbox = tmp_path / "inbox"
    bad = write(inbox, "2024-01/GM0375/JIB.csv", "bsn\n" + bsn(3) + "\n")
    ingest(pipeline, "2024-01-01")
    [(path, _, message)] = _open_rejections(tmp_path)
    assert path == "2024-01/GM0375/JIB.csv"
    assert "blijft van kracht" not in message  # nothing of this slot was loaded before

    bad.unlink()
    write(inbox, "2024-01/GM0375/jib.csv", LIST_0375)
    ingest(pipeline, "2024-01-01")
    assert _open_rejections(tmp_path) == []
    assert run_checks(pipeline)["audit/loads:geen_afgekeurde_bestanden"].passed


def test_putting_the_good_file_back_closes_the_rejection(pipeline, monkeypatch, tmp_path):
    """The same good list delivered again after a broken re-delivery: the broken version
    no longer lies in the inbox and the version in effect was found again, so nothing is
    left to chase (before last_seen_at, this rejection stayed open for ever)."""
    _use(monkeypatch, tmp_path)
    inbox = tmp_path / "inbox"
    good = LIST_0392
    write(inbox, "2024-01/GM0392/jib.csv", good)
    ingest(pipeline, "2024-01-01")
    write(inbox, "2024-01/GM0392/jib.csv", "burgerservicenummer;geboortedatum\n1;2000-01-01\n")
    ingest(pipeline, "2024-01-01")
    assert len(_open_rejections(tmp_path)) == 1

    write(inbox, "2024-01/GM0392/jib.csv", good)  # the same bytes as the version in effect
    ingest(pipeline, "2024-01-01")
    assert _open_rejections(tmp_path) == []
    assert run_checks(pipeline)["audit/loads:geen_afgekeurde_bestanden"].passed
