"""`inbeeld run` end to end: the real CLI, real Dagster run, real dbt on a real DuckDB file."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import duckdb
import pytest
from conftest import TEST_KEY, bsn, inbeeld, pid, write


@pytest.fixture(scope="module")
def region(tmp_path_factory):
    root = tmp_path_factory.mktemp("pipeline")
    inbox = root / "inbox"
    write(
        inbox,
        "2024-01/GM0375/jib.csv",
        f"bsn;geboortedatum\n{bsn(0)};2000-01-15\n{bsn(1)};1999-02-01\n",
    )
    write(inbox, "2024-01/GM0377/jib.csv", f"\ufeffbsn,geboortedatum\r\n{bsn(2)},15-1-2000\r\n")
    write(inbox, "2024-02/GM0375/jib.csv", f"bsn;geboortedatum\n{bsn(0)};2000-01-15\n")
    write(inbox, "2024-02/GM0377/jib.csv", "burgerservicenummer;geboortedatum\n1;2000-01-01\n")
    write(
        inbox,
        "2024-02/GM0375/begeleiding.csv",
        f"bsn;datum;gebeurtenis;waarde\n{bsn(0)};2024-02-03;brief;\n{bsn(0)};2024-02-30;brief;\n",
    )
    write(inbox, "2024-02/GM0375/kvk.csv", f"bsn;begindatum;einddatum\n{bsn(1)};2024-01-10;\n")
    write(inbox, "sociale_kaart.csv", "organisatie_id;naam;type\nORG-1;Buurthuis;cultuur_religie\n")
    env = {
        **os.environ,
        "INBEELD_PSEUDONYM_KEY": TEST_KEY,
        "INBEELD_WAREHOUSE": str(root / "w.duckdb"),
        "DAGSTER_HOME": str(root / "dagster_home"),
        "GX_ANALYTICS_ENABLED": "false",
        "INBEELD_EXPORTS": str(root / "exports"),
    }
    first = inbeeld("run", "--inbox", str(inbox), env=env)
    return inbox, root / "w.duckdb", env, first


def test_run_completes_and_reports_the_rejected_file(region):
    _, _, _, first = region
    assert first.returncode == 0, first.stderr[-3000:]
    out = first.stdout
    assert "2024-02/GM0377/jib.csv" in out and "missing_column" in out
    assert "Run voltooid" in out
    assert "1 afgekeurde bestanden" in out
    # Dagster's notices about its own APIs are not for the region's data team.
    assert "Warning" not in first.stderr, first.stderr[-2000:]


def test_staging_reads_the_loaded_versions(region):
    _, warehouse, _, _ = region
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        jib = con.execute(
            "select month, gemeentecode, arbeidsmarktregio, pseudo_id from staging.stg_jib "
            "order by all"
        ).fetchall()
        events = con.execute("select count(*) from staging.stg_begeleiding").fetchone()
        quarantine = con.execute("select reason from staging.stg_quarantine").fetchall()
    finally:
        con.close()
    jan, feb = dt.date(2024, 1, 1), dt.date(2024, 2, 1)
    region_name = "Zuid-Kennemerland en IJmond"
    assert jib == sorted(
        [
            (jan, "GM0375", region_name, pid(bsn(0))),
            (jan, "GM0375", region_name, pid(bsn(1))),
            (jan, "GM0377", region_name, pid(bsn(2))),
            (feb, "GM0375", region_name, pid(bsn(0))),
        ]
    )
    assert events == (1,)
    assert quarantine == [("invalid_date",)]


def test_second_run_is_idempotent(region):
    inbox, warehouse, env, _ = region
    con = duckdb.connect(str(warehouse), read_only=True)
    # The run only notes that it found the same files again (last_seen_at).
    loads = "select * exclude (last_seen_at) from audit.loads order by all"
    before = con.execute(loads).fetchall()
    con.close()
    again = inbeeld("run", "--inbox", str(inbox), "--months", "2024-02..2024-02", env=env)
    assert again.returncode == 0, again.stderr[-3000:]
    con = duckdb.connect(str(warehouse), read_only=True)
    assert con.execute(loads).fetchall() == before
    con.close()


def test_run_refuses_to_start_without_key(region, tmp_path):
    inbox, _, env, _ = region
    env = {k: v for k, v in env.items() if k != "INBEELD_PSEUDONYM_KEY"}
    env["INBEELD_WAREHOUSE"] = str(tmp_path / "nokey.duckdb")
    r = inbeeld("run", "--inbox", str(inbox), env=env, timeout=60)
    assert r.returncode == 2
    assert "INBEELD_PSEUDONYM_KEY" in r.stderr
    assert not (tmp_path / "nokey.duckdb").exists()


def test_missing_inbox_is_a_clear_usage_error(region, tmp_path):
    _, _, env, _ = region
    r = inbeeld("run", "--inbox", str(tmp_path / "nowhere"), env=env, timeout=60)
    assert r.returncode == 2 and "bestaat niet" in r.stderr


def test_pipeline_that_cannot_complete_exits_non_zero(region, tmp_path):
    inbox, warehouse, env, _ = region
    before = warehouse.read_bytes()
    broken = {**env, "INBEELD_REGISTRY": str(tmp_path / "missing-registry.csv")}
    r = inbeeld("run", "--inbox", str(inbox), env=broken)
    assert r.returncode == 1
    assert "niet voltooid" in r.stderr and "inbox_ingest" in r.stderr
    assert "ongewijzigd" in r.stderr
    assert warehouse.read_bytes() == before


def test_no_bsn_in_warehouse_or_output(region):
    _, warehouse, _, first = region
    secrets = [bsn(i) for i in range(3)]
    text = first.stdout + first.stderr
    assert not any(s in text for s in secrets)
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        cols = con.execute(
            "select table_schema, table_name, column_name from information_schema.columns "
            "where data_type = 'VARCHAR'"
        ).fetchall()
        for schema, table, column in cols:
            hits = con.execute(
                f"select count(*) from {schema}.{table} where "
                + " or ".join(f"contains(\"{column}\", '{s}')" for s in secrets)
            ).fetchone()[0]
            assert hits == 0, (schema, table, column)
    finally:
        con.close()


def test_no_bsn_in_dagster_event_log_or_dbt_log(region):
    import dagster as dg

    _, _, env, _ = region
    home = Path(env["DAGSTER_HOME"])
    secrets = [bsn(i) for i in range(3)]
    instance = dg.DagsterInstance.from_config(str(home))
    texts = []
    for run in instance.get_runs():
        for record in instance.all_logs(run.run_id):
            texts.append(record.user_message or "")
            event = record.dagster_event
            data = getattr(event, "event_specific_data", None) if event else None
            texts.append(repr(data))
    texts.append((home / "logs" / "last-run.log").read_text())
    blob = "\n".join(texts)
    assert len(blob) > 10_000, "the logs were read"
    assert not any(s in blob for s in secrets)


def test_work_lists_are_owner_only_and_sorted(region):
    _, _, env, _ = region
    exports = Path(env["INBEELD_EXPORTS"])
    folder = exports / "GM0375"
    assert oct(folder.stat().st_mode & 0o777) == "0o700"
    werklijst = folder / "werklijst.csv"
    assert oct(werklijst.stat().st_mode & 0o777) == "0o600"
    lines = werklijst.read_text().splitlines()
    assert lines[0].split(";") == [
        "pseudo_id",
        "geboortedatum",
        "prioriteit",
        "prioriteit_reden",
        "fase",
        "maanden_aaneengesloten",
        "uitsluitingsredenen",
        "trede",
        "wordt_27_op",
        "laatste_actie",
        "laatste_actie_datum",
        "kanaal",
        "aantal_brieven",
        "rust_tot",
        "volgende_stap",
    ]
    # February, the latest month: only bsn(0) is on GM0375's list (benaderd, 2 months: C),
    # with a letter of 2024-02-03, GM0375's newest event: waiting for an answer.
    assert lines[1:] == [
        f"{pid(bsn(0))};2000-01-15;C;;benaderd;2;;;2027-01-15;brief;2024-02-03;brief;1;;afwachten"
    ]
    assert "Prioriteit" in (folder / "toelichting.md").read_text()
    assert not any(b in werklijst.read_text() for b in (bsn(0), bsn(1), bsn(2)))


def test_reidentify_writes_bsns_of_youths_with_a_priority(region):
    inbox, warehouse, env, _ = region
    r = inbeeld(
        "reidentify",
        "--gemeente",
        "gm0375",
        "--inbox",
        str(inbox),
        "--warehouse",
        str(warehouse),
        env=env,
        timeout=120,
    )
    assert r.returncode == 0, r.stderr
    target = Path(env["INBEELD_EXPORTS"]) / "GM0375" / "werklijst_bsn.csv"
    assert oct(target.stat().st_mode & 0o777) == "0o600"
    assert target.read_text().splitlines() == [
        "bsn;geboortedatum;prioriteit;prioriteit_reden;fase",
        f"{bsn(0)};2000-01-15;C;;benaderd",
    ]
    assert bsn(0) not in r.stdout + r.stderr


def test_reidentify_refuses_a_changed_list(region, tmp_path):
    inbox, warehouse, env, _ = region
    copy = tmp_path / "inbox"
    import shutil

    shutil.copytree(inbox, copy)
    (copy / "2024-02/GM0375/jib.csv").write_text("bsn;geboortedatum\n")
    r = inbeeld(
        "reidentify",
        "--gemeente",
        "GM0375",
        "--inbox",
        str(copy),
        "--warehouse",
        str(warehouse),
        env=env,
        timeout=120,
    )
    assert r.returncode == 2 and "gewijzigd" in r.stderr


def test_event_delivered_by_mistake_disappears_on_redelivery(region):
    """Runs last in this module: it re-delivers a file of the shared inbox."""
    inbox, warehouse, env, _ = region

    def stage_feb() -> tuple:
        con = duckdb.connect(str(warehouse), read_only=True)
        try:
            return con.execute(
                "select stage from marts.youth_month where pseudo_id = ? and month = '2024-02-01'",
                [pid(bsn(0))],
            ).fetchone()
        finally:
            con.close()

    assert stage_feb() == ("benaderd",)
    write(inbox, "2024-02/GM0375/begeleiding.csv", "bsn;datum;gebeurtenis;waarde\n")
    r = inbeeld("run", "--inbox", str(inbox), env=env)
    assert r.returncode == 0, r.stderr[-2000:]
    assert stage_feb() == ("niet_benaderd",)


def test_ui_metadata_counts_rows_per_month(region, monkeypatch):
    """raw/jib's materialisation carries the numbers the UI plots and tabulates."""
    import dagster as dg

    _, _, env, _ = region
    monkeypatch.setenv("DAGSTER_HOME", env["DAGSTER_HOME"])
    with dg.DagsterInstance.get() as instance:
        event = instance.get_latest_materialization_event(dg.AssetKey(["raw", "jib"]))
    md = event.asset_materialization.metadata
    assert md["rows_total"].value == 4  # 2024-01: 2 + 1 rows, 2024-02: 1 (the other file rejected)
    rows = {
        (r.data["maand"], r.data["bron"]): r.data["rijen"] for r in md["rows_per_month"].records
    }
    assert rows[("2024-01", "jib")] == 3 and rows[("2024-02", "jib")] == 1


def test_closing_summary_reads_at_80_columns(region):
    """A new user's terminal: the region's figures are a table where it fits, and stack
    into lines where it does not, never a table whose heads are cut to letters."""
    import io

    from rich.console import Console

    from orchestration.summary import MART_COLUMNS, print_summary

    _, warehouse, _, _ = region
    for width in (50, 80, 200):
        out = io.StringIO()
        print_summary(Console(file=out, width=width), warehouse, ("2024-01-01", "2024-02-01"))
        text = out.getvalue()
        assert max(len(line) for line in text.splitlines()) <= width
        stacked = "prioriteit C" in text
        for head, words in MART_COLUMNS:
            assert (words if stacked else head) in text, (width, head)
        if width != 80:  # 80 columns: whichever of the two fits this region's name
            assert stacked == (width == 50)
