"""Month by month gives the same tables as one backfill over all months (ENGINEERING.md),
and a monthly run recomputes the incremental person models only from the first month
whose inputs changed (#14, dbt_project/macros/incremental.sql)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from conftest import TEST_KEY, bsn, write

from orchestration.cli import main
from orchestration.core.bsn import Pseudonymiser

MARTS = ("marts.youth_month", "marts.region_month", "marts.outflow", "marts.placements")
# The incremental person models: compared row for row as well.
PERSON = ("intermediate.int_status", "intermediate.int_runs", "intermediate.int_persistence")
# Incremental by month, each month reading only itself: the listings and the exclusions.
MONTHLY = (
    "intermediate.int_listing_rows",
    "intermediate.int_listings",
    "intermediate.int_registrations_in_force",
    "intermediate.int_exclusions",
)
# The case chain, incremental by month like the person models (int_case_month_digest).
CASE = ("intermediate.int_stage_timeline", "intermediate.int_case_stage")
# Incremental by file version: the case events (macros/incremental_versions.sql).
EVENTS = ("intermediate.int_events",)
# youth_month (in MARTS) is incremental by month too (youth_month_digest).
# The reports incremental by month (macros/incremental.sql, incremental_by_window_config).
REPORTS = ("reports.outreach_funnel_municipal",)
# May is missing: the window grows by two months in one run.
MONTHS = ("2024-01", "2024-02", "2024-03", "2024-04", "2024-06")


def build_inbox(root: Path) -> None:
    # A late, cumulative begeleiding export and a registration in a later month make
    # earlier months change after they were first run.
    ages = {0: "2000-01-15", 1: "1997-05-02", 2: "1999-09-09", 3: "2001-02-01"}
    for k, month in enumerate(MONTHS):
        rows = [f"{bsn(i)};{ages[i]}" for i in ages if not (i == 2 and k == 1)]
        if month == "2024-03":
            # A quarantined row of a listed youth: unknown that month, the run goes on.
            rows = [r for r in rows if not r.startswith(bsn(1))] + [f"{bsn(1)};gisteren"]
        write(root, f"{month}/GM0375/jib.csv", "bsn;geboortedatum\n" + "\n".join(rows) + "\n")
        write(root, f"{month}/GM0377/jib.csv", f"bsn;geboortedatum\n{bsn(10 + k)};2000-03-03\n")
    write(
        root,
        "2024-02/GM0375/begeleiding.csv",
        f"bsn;datum;gebeurtenis;waarde\n{bsn(0)};2024-01-20;brief;\n",
    )
    write(
        root,
        "2024-04/GM0375/begeleiding.csv",
        f"bsn;datum;gebeurtenis;waarde\n{bsn(0)};2024-01-20;brief;\n"
        f"{bsn(0)};2024-02-11;contact;\n{bsn(1)};2024-01-05;start_werk;\n",
    )
    write(root, "2024-03/GM0377/kvk.csv", f"bsn;begindatum\n{bsn(3)};2023-12-01\n")
    # One event from two municipalities: Zandvoort's January export first, then Haarlem's
    # (the lower gemeentecode) in March, so a merge must move the event to Haarlem.
    write(
        root,
        "2024-01/GM0377/begeleiding.csv",
        f"bsn;datum;gebeurtenis;waarde\n{bsn(10)};2024-01-08;brief;\n",
    )
    write(
        root,
        "2024-03/GM0375/begeleiding.csv",
        f"bsn;datum;gebeurtenis;waarde\n{bsn(0)};2024-01-20;brief;\n{bsn(10)};2024-01-08;brief;\n",
    )


def correct_february(root: Path) -> None:
    """A corrected February list after June was run: youth 11 (only ever on that list)
    goes, youth 20 comes, and youth 3 is now also listed in Zandvoort's February. Haarlem's
    February case export is corrected too: its brief is withdrawn (April's export still
    holds it) and a trede comes in its place, so int_events is rebuilt in full."""
    write(
        root,
        "2024-02/GM0375/begeleiding.csv",
        f"bsn;datum;gebeurtenis;waarde\n{bsn(1)};2024-02-03;trede;3\n",
    )
    write(
        root,
        "2024-02/GM0377/jib.csv",
        f"bsn;geboortedatum\n{bsn(20)};1999-12-12\n{bsn(3)};2001-02-01\n",
    )


def tables(
    warehouse: Path, names: tuple[str, ...] = MARTS + PERSON + MONTHLY + CASE + REPORTS + EVENTS
) -> dict[str, list]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return {t: con.execute(f"select * from {t} order by all").fetchall() for t in names}
    finally:
        con.close()


def run(inbox: Path, warehouse: Path, months: str | None = None) -> None:
    args = ["run", "--inbox", str(inbox), "--warehouse", str(warehouse)]
    assert main(args + (["--months", months] if months else [])) == 0


@pytest.fixture
def environment(tmp_path):
    mp = pytest.MonkeyPatch()
    mp.setenv("INBEELD_PSEUDONYM_KEY", TEST_KEY)
    mp.setenv("DAGSTER_HOME", str(tmp_path / "dh"))
    yield tmp_path
    mp.undo()


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    root = tmp_path_factory.mktemp("identity")
    inbox = root / "inbox"
    build_inbox(inbox)
    mp = pytest.MonkeyPatch()
    mp.setenv("INBEELD_PSEUDONYM_KEY", TEST_KEY)
    mp.setenv("DAGSTER_HOME", str(root / "dh"))
    try:
        for month in MONTHS:
            run(inbox, root / "monthly.duckdb", f"{month}..{month}")
        correct_february(inbox)
        run(inbox, root / "monthly.duckdb", "2024-02..2024-02")
        run(inbox, root / "once.duckdb")
    finally:
        mp.undo()
    return tables(root / "monthly.duckdb"), tables(root / "once.duckdb")


def test_month_by_month_equals_one_backfill(runs):
    monthly, once = runs
    compared = MARTS + PERSON + MONTHLY + CASE + REPORTS + EVENTS
    assert all(once[t] for t in compared), "every table has rows, or this proves little"
    for table in compared:
        assert monthly[table] == once[table], table


def test_late_event_changed_an_earlier_month(runs):
    _, once = runs
    stages = {(r[0].isoformat()[:7], r[13]) for r in once["marts.youth_month"]}
    # The contact dated 2024-02-11 arrived only in April's export, yet February shows it.
    assert ("2024-02", "bereikt") in stages


def test_the_edges_are_in_the_data(runs):
    """The cases the incremental build must get right occur: an unknown month, the
    missing month inside the window, and the corrected list's youth gone and come."""
    _, once = runs
    status = once["intermediate.int_status"]
    assert any(r[1].isoformat()[:7] == "2024-03" and r[9] == "unknown" for r in status)
    assert any(r[1].isoformat()[:7] == "2024-05" for r in status)
    ids = {r[0] for r in status}
    listed = {r[0] for r in status if r[2]}
    assert len(ids) == len(listed) == 9  # 4 + 5 in Zandvoort, minus youth 11, plus 20


def column_marker(
    warehouse: Path, table: str, column: str, month: str, value: int | bool | None = None
) -> list[int | bool]:
    """Set (or read) a column of an incremental model in one month, to a value
    the data tests accept but no build of this inbox writes there: it shows which months a
    later run left alone."""
    con = duckdb.connect(str(warehouse))
    try:
        if value is not None:
            con.execute(f"update {table} set {column} = ? where month = ?", [value, f"{month}-01"])
        return [
            r[0]
            for r in con.execute(
                f"select distinct {column} from {table} where month = ?", [f"{month}-01"]
            ).fetchall()
        ]
    finally:
        con.close()


# The marked columns of the listings, the exclusions, the list chain, the case chain,
# youth_month and the funnel, with their marks:
# no build of this inbox puts anyone on seven lists in a month (the warning-only test
# says so, the run goes on) or holds a detentie registration, lists anyone eleven months
# (at most six are listed) or gives anyone a seventh spell, it has no trede event, and no
# month of its funnel holds 99 youths.
MARKED = (
    ("intermediate.int_listings", "lists", 7),
    ("intermediate.int_exclusions", "excluded_detentie", True),
    ("intermediate.int_persistence", "months_on_list_12m", 11),
    ("intermediate.int_case_stage", "trede", 6),
    ("marts.youth_month", "spell_number", 7),
    ("reports.outreach_funnel_municipal", "youths", 99),
)


def test_a_month_recomputes_only_from_the_first_changed_month(environment):
    inbox, warehouse = environment / "inbox", environment / "w.duckdb"
    build_inbox(inbox)
    # March's kvk registration reaches back to December and so changes January's listing:
    # a month whose inputs change is recomputed, so this test goes without it.
    (inbox / "2024-03/GM0377/kvk.csv").unlink()
    run(inbox, warehouse, "2024-01..2024-02")
    for table, column, mark in MARKED:
        for month in ("2024-01", "2024-02"):
            assert column_marker(warehouse, table, column, month, mark) == [mark]
    run(inbox, warehouse, "2024-03..2024-03")
    # March was new: January and February were not recomputed.
    for table, column, mark in MARKED:
        assert column_marker(warehouse, table, column, "2024-01") == [mark], table
        assert column_marker(warehouse, table, column, "2024-02") == [mark], table
        assert mark not in column_marker(warehouse, table, column, "2024-03"), table
    # March added one case export: its events were merged in, and the event Zandvoort
    # delivered in January went to Haarlem, which delivered it too.
    assert events_build(warehouse) == (True, 1)
    assert event_municipality(warehouse, bsn(10)) == "GM0375"
    correct_february(inbox)
    run(inbox, warehouse, "2024-02..2024-02")
    # A corrected February: recomputed from February on, January left alone.
    for table, column, mark in MARKED:
        assert column_marker(warehouse, table, column, "2024-01") == [mark], table
        assert mark not in column_marker(warehouse, table, column, "2024-02"), table
    # A replaced case export: the events were rebuilt in full.
    assert events_build(warehouse)[0] is False


def events_build(warehouse: Path) -> tuple[bool, int | None]:
    """How the last build made int_events: only merged (and how many versions), or not."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(
            "select bool_or(added_only), max(versions_added) from intermediate.incremental_versions"
            " where model = 'int_events'"
        ).fetchone()
    finally:
        con.close()


def event_municipality(warehouse: Path, youth: str) -> str:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        (code,) = con.execute(
            "select gemeentecode from intermediate.int_events where pseudo_id = ?",
            [Pseudonymiser(TEST_KEY)(youth)],
        ).fetchone()
        return code
    finally:
        con.close()
