"""bevolking.csv (issue #13, item 5): the optional CBS population table at the inbox root,
the denominator of the per-1,000 figures. The generator writes a plausible one; the
ingest reads it by the rules of docs/inlezen.md and quarantines bad rows with their line
and reason; staging.stg_bevolking holds it, and is empty without it. Real files, the real
ingest on a real DuckDB file, real dbt."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from conftest import REPO, TEST_KEY, bsn, write

from orchestration.core.bsn import Pseudonymiser
from orchestration.generate import generate_inbox
from orchestration.ingest.inbox import scan_inbox
from orchestration.ingest.load import IngestReport, ingest
from orchestration.quality.frames import frame, loaded_months
from orchestration.quality.suites import SuiteOutcome, validate
from orchestration.registry import known_gemeenten

ZKIJ = ["GM0375", "GM0377", "GM0392", "GM0396", "GM0397", "GM0453", "GM0473"]
HEADER = "gemeentecode;jaar;inwoners_23_26"
DBT_DIR = REPO / "dbt_project"


def rows_of(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text), delimiter=";"))


def run(inbox: Path, con: duckdb.DuckDBPyConnection) -> IngestReport:
    return ingest(con, scan_inbox(inbox, known_gemeenten()), None, Pseudonymiser(TEST_KEY))


def audit_row(con: duckdb.DuckDBPyConnection, path: str) -> tuple:
    return con.execute(
        "select status, reason, gemeentecode, month, rows_in, rows_loaded, rows_quarantined "
        "from audit.loads where path = ? and is_current",
        [path],
    ).fetchone()


# ------------------------------------------------------------------------------ generator


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # November 2025 to January 2026: the months touch two calendar years.
    out = tmp_path_factory.mktemp("gen") / "inbox"
    generate_inbox(out, months=3, start="2025-11", seed=13)
    return out


def test_generate_writes_one_row_per_municipality_and_year(generated: Path) -> None:
    text = (generated / "bevolking.csv").read_text(encoding="utf-8")
    assert text.splitlines()[0] == HEADER
    rows = rows_of(text)
    assert sorted((r["gemeentecode"], r["jaar"]) for r in rows) == sorted(
        (gm, year) for gm in ZKIJ for year in ("2025", "2026")
    )
    assert {p.name for p in generated.glob("*/*")} == set(ZKIJ)


def test_generated_counts_are_plausible(generated: Path) -> None:
    """About 8% of the 23-26-year-olds are on the list; the counts drift a little."""
    rows = rows_of((generated / "bevolking.csv").read_text(encoding="utf-8"))
    count = {(r["gemeentecode"], int(r["jaar"])): int(r["inwoners_23_26"]) for r in rows}
    for gm in ZKIJ:
        a, b = count[(gm, 2025)], count[(gm, 2026)]
        assert 100 <= a <= 50_000, gm
        assert abs(b - a) / a < 0.1, gm  # a little drift, no jumps
    assert count[("GM0392", 2025)] > 3 * count[("GM0473", 2025)]  # Haarlem > Zandvoort
    listed = sum(
        sum(1 for line in p.read_text(encoding="utf-8-sig").splitlines()[1:] if line.strip())
        for p in generated.glob("2025-11/*/jib.csv")
    )
    residents = sum(v for (_, year), v in count.items() if year == 2025)
    assert 0.04 <= listed / residents <= 0.14


def test_generated_bevolking_is_reproducible(generated: Path, tmp_path: Path) -> None:
    again = generate_inbox(tmp_path / "again", months=3, start="2025-11", seed=13).out
    assert (again / "bevolking.csv").read_bytes() == (generated / "bevolking.csv").read_bytes()


def test_generated_bevolking_loads_whole(generated: Path, tmp_path: Path) -> None:
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    try:
        report = run(generated, con)
        assert not [r for r in report.rejections if r.path == "bevolking.csv"]
        status, reason, gm, month, rows_in, loaded, quarantined = audit_row(con, "bevolking.csv")
        assert (status, reason, gm, month) == ("loaded", None, None, None)
        assert rows_in == loaded == 2 * len(ZKIJ) and quarantined == 0
        # The GX suite expectations/bevolking.json finds nothing to report on it.
        assert loaded_months(con, ("bevolking",)) == ["alle"]
        outcome = SuiteOutcome()
        validate("bevolking", "alle", frame(con, "bevolking", ["alle"]), outcome)
        assert (outcome.rows, outcome.findings) == (2 * len(ZKIJ), [])
        assert outcome.expectations_run >= 8
    finally:
        con.close()


def test_gx_suite_catches_what_the_ingest_promises() -> None:
    broken = pd.DataFrame(
        {
            "path": ["bevolking.csv"] * 3,
            "line": [2, 3, 4],
            "gemeentecode": ["GM0375", "0375", "GM0375"],
            "jaar": [2024, 2024, 2024],
            "inwoners_23_26": [2100, -1, 2200],
        }
    )
    outcome = SuiteOutcome()
    validate("bevolking", "alle", broken, outcome)
    errors = {(f.expectation, f.column) for f in outcome.failed("error")}
    assert errors == {
        ("expect_column_values_to_match_regex", "gemeentecode"),
        ("expect_column_values_to_be_between", "inwoners_23_26"),
        ("expect_compound_columns_to_be_unique", "['gemeentecode', 'jaar']"),
    }


# --------------------------------------------------------------------------------- ingest

BAD_FILE = "\n".join(
    [
        HEADER,
        "GM0375;2024;2100",  # 2
        "gm0392;2024JJ00;8400",  # 3: StatLine's period code, a lower-case code
        "Haarlem;2024;100",  # 4: not a code
        "GM0377;2024;veel",  # 5: not a number
        "GM9999;2024;5",  # 6: well-formed, not in the registry
        "GM0375;2024;2200",  # 7: the same municipality and year again
        " 0396 ;2023;1900",  # 8: the bare digits, trimmed
        "GM0397;24;10",  # 9: not a 4-digit year
        "GM0473;2024;-5",  # 10: negative
        "",  # blank: not counted
        "GM0453;2024;",  # 12: empty count
    ]
)


@pytest.fixture
def con(tmp_path: Path):
    c = duckdb.connect(str(tmp_path / "w.duckdb"))
    yield c
    c.close()


def test_bad_rows_are_quarantined_with_line_and_reason(inbox: Path, con) -> None:
    write(inbox, "bevolking.csv", BAD_FILE + "\n")
    report = run(inbox, con)
    assert report.rejections == []
    status, reason, gm, month, rows_in, loaded, quarantined = audit_row(con, "bevolking.csv")
    assert (status, reason, gm, month) == ("loaded", None, None, None)
    assert (rows_in, loaded, quarantined) == (10, 3, 7)
    assert rows_in == loaded + quarantined
    assert (report.rows_in, report.rows_loaded, report.rows_quarantined) == (10, 3, 7)
    assert con.execute(
        "select line, gemeentecode, jaar, inwoners_23_26 from raw.bevolking order by line"
    ).fetchall() == [
        (2, "GM0375", 2024, 2100),
        (3, "GM0392", 2024, 8400),
        (8, "GM0396", 2023, 1900),
    ]
    q = con.execute(
        "select line, reason, message, pseudo_id from audit.quarantine "
        "where path = 'bevolking.csv' order by line"
    ).fetchall()
    assert [(line, r) for line, r, _, _ in q] == [
        (4, "invalid_gemeentecode"),
        (5, "invalid_inwoners"),
        (6, "invalid_gemeentecode"),
        (7, "duplicate_gemeente_jaar"),
        (9, "invalid_jaar"),
        (10, "invalid_inwoners"),
        (12, "invalid_inwoners"),
    ]
    for line, _, message, pseudo_id in q:
        assert message.startswith(f"Bestand 'bevolking.csv', regel {line}: "), message
        assert "lever het bestand opnieuw aan" in message or "Verwijder" in message
        assert pseudo_id is None
    # Messages never quote a value of the file.
    assert not any(v in m for _, _, m, _ in q for v in ("Haarlem", "veel", "GM9999", "-5"))


def test_a_comma_file_with_a_bom_and_other_columns_reads_too(inbox: Path, con) -> None:
    """The reading rules of the other files: BOM, ',' delimiter, header case, unknown
    columns ignored, values trimmed."""
    write(
        inbox,
        "Bevolking.CSV",
        "\ufeffGemeentenaam,Gemeentecode ,Jaar,Inwoners_23_26\n"
        "Beverwijk,GM0375,2024, 2100\nHaarlem,GM0392,2024,8400\n",
    )
    run(inbox, con)
    assert audit_row(con, "Bevolking.CSV")[4:] == (2, 2, 0)
    assert con.execute(
        "select gemeentecode, jaar, inwoners_23_26 from raw.bevolking order by all"
    ).fetchall() == [("GM0375", 2024, 2100), ("GM0392", 2024, 8400)]


def test_file_faults_and_versions(inbox: Path, con) -> None:
    # A missing column refuses the file as a whole.
    write(inbox, "bevolking.csv", "gemeentecode;jaar\nGM0375;2024\n")
    report = run(inbox, con)
    assert [(r.path, r.reason) for r in report.rejections] == [("bevolking.csv", "missing_column")]
    assert "inwoners_23_26" in report.rejections[0].message
    # Every row bad: no_valid_rows, the rows in quarantine.
    write(inbox, "bevolking.csv", f"{HEADER}\nGM0375;2024;x\n")
    report = run(inbox, con)
    assert [r.reason for r in report.rejections] == ["no_valid_rows"]
    assert con.execute("select count(*) from audit.quarantine").fetchone() == (1,)
    # A good version, then a corrected one: the new version replaces the old.
    write(inbox, "bevolking.csv", f"{HEADER}\nGM0375;2024;2100\n")
    run(inbox, con)
    write(inbox, "bevolking.csv", f"{HEADER}\nGM0375;2024;2150\nGM0375;2025;2170\n")
    run(inbox, con)
    effective = con.execute(
        "select b.jaar, b.inwoners_23_26 from raw.bevolking b "
        "join audit.versions_in_effect v using (path, sha256) order by 1"
    ).fetchall()
    assert effective == [(2024, 2150), (2025, 2170)]
    # The same content again changes nothing.
    before = con.execute("select count(*) from audit.loads").fetchone()
    assert run(inbox, con).files_loaded == 0
    assert con.execute("select count(*) from audit.loads").fetchone() == before


def test_no_delivery_slot_per_municipality(inbox: Path, con) -> None:
    """bevolking.csv is a region file: not expected in a municipality's month folder."""
    write(inbox, "2024-03/GM0375/bevolking.csv", f"{HEADER}\nGM0375;2024;2100\n")
    report = run(inbox, con)
    assert [r.reason for r in report.rejections] == ["unknown_file"]
    assert "bevolking.csv in de hoofdmap" in report.rejections[0].message


# ------------------------------------------------------------------------------------ dbt

DRIVER = r"""
import sys
from dbt.cli.main import dbtRunner

result = dbtRunner().invoke(
    ["build", "--select", "stg_file_versions", "stg_bevolking", *sys.argv[1:]]
)
sys.exit(0 if result.success else 1)
"""


def dbt_build(warehouse: Path, tmp_path: Path) -> subprocess.CompletedProcess:
    common = ["--project-dir", str(DBT_DIR), "--profiles-dir", str(DBT_DIR)]
    common += ["--target-path", str(tmp_path / "target"), "--log-path", str(tmp_path / "logs")]
    env = {
        **os.environ,
        "INBEELD_WAREHOUSE": str(warehouse),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
    python = REPO / ".venv" / "bin" / "python"
    return subprocess.run(
        [str(python if python.exists() else sys.executable), "-c", DRIVER, *common],
        cwd=DBT_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def stg_bevolking(warehouse: Path) -> tuple[list[tuple], list[tuple]]:
    with duckdb.connect(str(warehouse), read_only=True) as c:
        columns = c.execute(
            "select column_name, data_type from information_schema.columns "
            "where table_schema = 'staging' and table_name = 'stg_bevolking' "
            "order by ordinal_position"
        ).fetchall()
        rows = c.execute("select * from staging.stg_bevolking order by all").fetchall()
    return columns, rows


COLUMNS = [("gemeentecode", "VARCHAR"), ("jaar", "INTEGER"), ("inwoners_23_26", "INTEGER")]


def test_stg_bevolking_is_empty_without_the_file_and_filled_with_it(
    inbox: Path, tmp_path: Path
) -> None:
    # An inbox with a jib list and no bevolking.csv, as the example inbox.
    write(inbox, "2024-03/GM0375/jib.csv", f"bsn;geboortedatum\n{bsn(1)};2000-01-01\n")
    warehouse = tmp_path / "w.duckdb"
    with duckdb.connect(str(warehouse)) as c:
        run(inbox, c)
    built = dbt_build(warehouse, tmp_path / "without")
    assert built.returncode == 0, built.stdout[-4000:] + built.stderr[-2000:]
    assert stg_bevolking(warehouse) == (COLUMNS, [])

    write(inbox, "bevolking.csv", BAD_FILE + "\n")
    with duckdb.connect(str(warehouse)) as c:
        run(inbox, c)
    built = dbt_build(warehouse, tmp_path / "with")
    assert built.returncode == 0, built.stdout[-4000:] + built.stderr[-2000:]
    assert "bevolking_eenmaal_per_gemeente_en_jaar" in built.stdout
    assert stg_bevolking(warehouse) == (
        COLUMNS,
        [("GM0375", 2024, 2100), ("GM0392", 2024, 8400), ("GM0396", 2023, 1900)],
    )
