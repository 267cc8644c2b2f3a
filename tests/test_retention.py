"""Retention (SPEC §2) through the real `inbeeld retention` (the Dagster job): published
aggregates and region_month identical before and after, no person-level trace of a
purged youth anywhere, the run logged in audit, and later runs still correct — a youth
who returns starts afresh."""

from __future__ import annotations

import shutil
from datetime import date

import duckdb
import pytest
from conftest import VALID_BSNS, inbeeld, pid

AS_OF = "2026-03"
RETENTION = 13  # months (the data spans 2025-01..2026-03): some youths' time is up
CUTOFF = date(2025, 2, 1)  # AS_OF - RETENTION


def person_tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [
        f"{s}.{t}"
        for s, t in con.execute(
            "select table_schema, table_name from information_schema.columns where column_name = 'pseudo_id'"
        ).fetchall()
    ]


def last_activity(con: duckdb.DuckDBPyConnection) -> dict[str, date]:
    """Each youth's latest month in anything person-level, computed here in Python."""
    last: dict[str, date] = {}

    def see(p: str, d: date) -> None:
        m = d.replace(day=1)
        if p not in last or m > last[p]:
            last[p] = m

    for p, m in con.execute("select pseudo_id, month from raw.jib").fetchall():
        see(p, m)
    for p, d in con.execute("select pseudo_id, datum from raw.begeleiding").fetchall():
        see(p, d)
    for p, m, b, e in con.execute(
        "select pseudo_id, month, begindatum, einddatum from raw.registration"
    ).fetchall():
        for d in (m, b, e):
            if d is not None:
                see(p, d)
    for p, m in con.execute(
        "select q.pseudo_id, l.month from audit.quarantine q join audit.loads l using (path, sha256) "
        "where q.pseudo_id is not null and l.month is not null"
    ).fetchall():
        see(p, m)
    return last


@pytest.fixture(scope="module")
def retained(published, tmp_path_factory):
    root = tmp_path_factory.mktemp("retention")
    warehouse = root / "w.duckdb"
    shutil.copy(published["warehouse"], warehouse)
    env = {
        **published["env"],
        "INBEELD_WAREHOUSE": str(warehouse),
        "INBEELD_PUBLISH": str(root / "publish"),
        "INBEELD_EXPORTS": str(root / "exports"),
        "INBEELD_RETENTION_MONTHS": str(RETENTION),
    }
    with duckdb.connect(str(published["warehouse"]), read_only=True) as con:
        before_activity = last_activity(con)
        before_region_month = con.execute(
            "select * from marts.region_month order by all"
        ).fetchall()
        listed = {r[0] for r in con.execute("select distinct pseudo_id from raw.jib").fetchall()}
    run = inbeeld("retention", "--as-of", AS_OF, "--inbox", str(published["inbox"]), env=env)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    purged = {p for p, m in before_activity.items() if m <= CUTOFF}
    assert 50 < len(purged) < len(before_activity) / 2
    return {
        "root": root,
        "warehouse": warehouse,
        "env": env,
        "stdout": run.stdout,
        "purged": purged,
        "listed": listed,
        "before_region_month": before_region_month,
    }


def test_published_files_are_identical_after_retention(published, retained):
    before, after = published["publish"], retained["root"] / "publish"
    names = sorted(p.relative_to(before) for p in before.rglob("*") if p.is_file())
    assert names == sorted(p.relative_to(after) for p in after.rglob("*") if p.is_file())
    for name in names:
        assert (after / name).read_bytes() == (before / name).read_bytes(), name


def test_region_month_rows_are_identical_after_retention(retained):
    with duckdb.connect(str(retained["warehouse"]), read_only=True) as con:
        after = con.execute("select * from marts.region_month order by all").fetchall()
        frozen_through = con.execute("select frozen_through from frozen.horizon").fetchone()[0]
    assert frozen_through == date(2026, 2, 1)  # the cutoff + 12 months; 2026-03 is recomputed
    assert after == retained["before_region_month"]


def test_no_person_level_trace_of_a_purged_youth(retained):
    purged = retained["purged"]
    with duckdb.connect(str(retained["warehouse"]), read_only=True) as con:
        tables = person_tables(con)
        assert {
            "raw.jib",
            "raw.begeleiding",
            "raw.registration",
            "audit.quarantine",
            "marts.youth_month",
        } <= set(tables)
        for table in tables:
            ids = {r[0] for r in con.execute(f"select distinct pseudo_id from {table}").fetchall()}
            assert not ids & purged, table
        # Everyone else is still there.
        kept = {r[0] for r in con.execute("select distinct pseudo_id from raw.jib").fetchall()}
        assert kept and kept == retained["listed"] - purged
    for f in (retained["root"] / "exports").rglob("*.csv"):
        text = f.read_text(encoding="utf-8")
        assert not any(p in text for p in purged), f


def test_registrations_of_never_listed_youths_go_after_three_months(retained):
    with duckdb.connect(str(retained["warehouse"]), read_only=True) as con:
        left = con.execute(
            "select count(*) from raw.registration r where source <> 'vso_pro' and month <= date '2025-12-01' "
            "and not exists (select 1 from raw.jib j where j.pseudo_id = r.pseudo_id)"
        ).fetchone()[0]
        recent = con.execute(
            "select count(*) from raw.registration r where month > date '2025-12-01' "
            "and not exists (select 1 from raw.jib j where j.pseudo_id = r.pseudo_id)"
        ).fetchone()[0]
    assert left == 0
    assert recent > 0  # younger ones can still match a list and stay


def test_the_run_is_logged_in_audit(retained):
    with duckdb.connect(str(retained["warehouse"]), read_only=True) as con:
        rows = con.execute(
            "select as_of, youths_purged, jib_rows, frozen_through from audit.retention_runs"
        ).fetchall()
    assert len(rows) == 1
    as_of, youths, jib_rows, frozen = rows[0]
    assert as_of == date(2026, 3, 1) and youths == len(retained["purged"]) and jib_rows > 0
    assert f"{youths} jongeren verwijderd" in retained["stdout"]


def test_later_runs_stay_correct_and_a_returning_youth_starts_afresh(published, retained, tmp_path):
    # The same inbox plus a new month in which one purged youth is back on a list: the
    # old files are not loaded twice (purged rows stay gone), the frozen months keep
    # their numbers, and the returning youth is a new youth: first run, first month.
    inbox = tmp_path / "inbox"
    shutil.copytree(published["inbox"], inbox)
    by_pid = {pid(b): b for b in VALID_BSNS}
    returning = sorted(retained["purged"] & by_pid.keys())[0]
    gm = sorted(p.name for p in (inbox / "2026-03").iterdir() if p.is_dir())[0]
    (inbox / "2026-04" / gm).mkdir(parents=True)
    (inbox / "2026-04" / gm / "jib.csv").write_text(
        f"bsn;geboortedatum\n{by_pid[returning]};2001-06-15\n"
    )
    run = inbeeld("run", "--inbox", str(inbox), "--months", "2026-04..2026-04", env=retained["env"])
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    with duckdb.connect(str(retained["warehouse"]), read_only=True) as con:
        for table in ("raw.jib", "raw.begeleiding", "marts.youth_month"):
            ids = {r[0] for r in con.execute(f"select distinct pseudo_id from {table}").fetchall()}
            assert not ids & (retained["purged"] - {returning}), table
        row = con.execute(
            "select consecutive_months, spell_number, months_on_list_12m from marts.youth_month "
            "where pseudo_id = ? and month = date '2026-04-01'",
            [returning],
        ).fetchone()
        frozen_rows = con.execute(
            "select * from marts.region_month where month <= date '2026-02-01' order by all"
        ).fetchall()
    assert row == (1, 1, 1)
    assert frozen_rows == [r for r in retained["before_region_month"] if r[2] <= date(2026, 2, 1)]
