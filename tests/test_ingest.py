"""Ingest of hand-made inboxes: reading rules, row and file faults, audit rows, versions.

Every expected value below was worked out by hand from SPEC §1.
"""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import duckdb
import pytest
from conftest import INGEST_TABLES, TEST_KEY, bsn, pid, table_rows, write

from orchestration.core.bsn import Pseudonymiser
from orchestration.ingest.inbox import scan_inbox
from orchestration.ingest.load import ingest

KNOWN = {"GM0375", "GM0377", "GM0392", "GM0396", "GM0397"}
MARCH = dt.date(2024, 3, 1)
B = [bsn(i) for i in range(50)]
EIGHT = "99990003"  # an 8-digit BSN; its zero-padded 9-digit form passes the elfproef


def run_ingest(inbox: Path, con: duckdb.DuckDBPyConnection, months=None):
    return ingest(con, scan_inbox(inbox, KNOWN), months, Pseudonymiser(TEST_KEY))


def build_messy_inbox(root: Path) -> None:
    write(
        root,
        "2024-03/GM0375/jib.csv",
        "\n".join(
            [
                "bsn;geboortedatum",
                f"{B[0]};2000-01-15",  # 2 loaded
                f"{EIGHT};1999-5-7",  # 3 loaded, 8 digits padded
                "999900007;2000-01-01",  # 4 invalid_bsn (elfproef)
                "9999ABC;2000-01-01",  # 5 invalid_bsn (letters)
                f"{B[1]};2024-02-30",  # 6 invalid_date
                f"{B[2]};2001-03-02",  # 7 age_out_of_range (22)
                "",  # 8 blank line
                f"{B[0]};2000-01-15",  # 9 duplicate_bsn
                f"{B[3]};1997-03-02;extra",  # 10 loaded (26); extra field ignored
                ";;",  # 11 blank record
                f"{B[2]};2000-06-01",  # 12 loaded: the earlier B2 row was not valid
                f"{B[4]};1997-03-01",  # 13 age_out_of_range (27)
                "99999999991;2000-01-01",  # 14 invalid_bsn (11 digits)
            ]
        )
        + "\n",
    )
    write(
        root,
        "2024-03/gm0377/JIB.CSV",
        "\ufeff"
        + "\r\n".join(
            [
                "BSN , Geboortedatum,GemeenteCode,opmerking",
                f'{B[10]},15-1-2000,gm0377,"regel een',  # 2 (record spans lines 2-3)
                'regel twee"',
                f"{B[11]},02-03-1997,0377,",  # 4
                f'{B[12]},1-1-2000,,"x"',  # 5
                f'" {B[13]} ",31-12-1999,GM0377',  # 6 quoted, spaces trimmed, short row
                f"{B[14]},30-2-2000,,",  # 7 invalid_date
            ]
        )
        + "\r\n",
    )
    write(
        root,
        "2024-03/GM0392/jib.csv",
        f"bsn;geboortedatum;gemeentecode\n{B[20]};2000-01-01;GM0392\n{B[21]};2000-01-01;GM0375\n",
    )
    write(root, "2024-03/GM9999/jib.csv", f"bsn;geboortedatum\n{B[22]};2000-01-01\n")
    write(root, "2024-3/GM0375/jib.csv", f"bsn;geboortedatum\n{B[23]};2000-01-01\n")
    write(root, "2024-03/GM0375/notes.txt", "hallo\n")
    write(root, "2024-03/GM0375/sub/jib.csv", f"bsn;geboortedatum\n{B[24]};2000-01-01\n")
    write(root, "2024-03/GM0396/kvk.csv", f"bsn;begindatum\n{B[25]};2024-01-01\n")
    write(root, "2024-03/GM0396/KVK.csv ", f"bsn;begindatum\n{B[25]};2024-01-01\n")
    write(root, "2024-03/GM0396/rmc.csv", b"")
    write(
        root,
        "2024-03/GM0396/detentie.csv",
        f"bsn;begindatum\n{B[26]};2024-01-01\nCaf\xe9\n",
        encoding="latin-1",
    )
    write(
        root, "2024-03/GM0396/buitenland.csv", f"bsn;BSN;begindatum\n{B[27]};{B[27]};2024-01-01\n"
    )
    write(root, "2024-03/GM0396/jongerenloket.csv", f"bsn;einddatum\n{B[28]};\n")
    write(root, "2024-03/GM0396/vso_pro.csv", "bsn;begindatum;einddatum;;\n")
    write(
        root, "2024-03/GM0397/jib.csv", f"bsn;geboortedatum\n123;2000-01-01\n{B[29]};2010-01-01\n"
    )
    write(
        root,
        "2024-03/GM0375/begeleiding.csv",
        "\n".join(
            [
                "bsn;datum;gebeurtenis;waarde",
                f"{B[0]};2024-03-05;Brief;",  # 2
                f"{B[0]};5-3-2024;verwijzing;org-001",  # 3 organisation id upper-cased
                f"{B[0]};2024-03-06;trede;3",  # 4
                f"{B[0]};2024-03-06;trede;7",  # 5 invalid_trede
                f"{B[0]};2024-03-07;telefoon;",  # 6 unknown_event
                f"{B[0]};2024-03-32;contact;",  # 7 invalid_date
                "999900007;2024-03-08;contact;",  # 8 invalid_bsn
                f"{B[3]};2024-03-09;trede;03",  # 9 invalid_trede
            ]
        )
        + "\n",
    )
    write(
        root,
        "2024-03/GM0375/kvk.csv",
        "\n".join(
            [
                "bsn,begindatum,einddatum",
                f"{B[0]},2024-01-01,",  # 2
                f"{B[1]},2024-02-01,2024-01-31",  # 3 end_before_begin
                f"{B[2]},2024-02-01,2024-02-01",  # 4 equal dates are fine
                f"{B[3]},2024-02-01,2024-02-30",  # 5 invalid_date
            ]
        )
        + "\n",
    )
    write(
        root,
        "sociale_kaart.csv",
        "organisatie_id;naam;type;bereiken;activeren;plaatsen;behouden\n"
        "org-001;Buurthuis De Ark;Leef_probleemgebied;ja;nee;1;\n",
    )
    write(root, ".verborgen.csv", "x\n")
    write(root, "2024-03/GM0375/~$jib.csv", "lock\n")


@pytest.fixture(scope="module")
def messy(tmp_path_factory):
    root = tmp_path_factory.mktemp("messy") / "inbox"
    build_messy_inbox(root)
    con = duckdb.connect(str(root.parent / "w.duckdb"))
    report = run_ingest(root, con)
    yield con, report
    con.close()


def loads(con) -> dict[str, tuple]:
    rows = con.execute(
        "select path, month, gemeentecode, source, status, is_current, rows_in, rows_loaded, "
        "rows_quarantined, reason from audit.loads"
    ).fetchall()
    return {r[0]: r[1:] for r in rows}


def test_audit_loads_exact(messy):
    con, report = messy
    got = loads(con)
    m = MARCH
    expected = {
        "2024-03/GM0375/jib.csv": (m, "GM0375", "jib", "loaded", True, 11, 4, 7, None),
        "2024-03/gm0377/JIB.CSV": (m, "GM0377", "jib", "loaded", True, 5, 4, 1, None),
        "2024-03/GM0392/jib.csv": (
            m,
            "GM0392",
            "jib",
            "rejected",
            False,
            2,
            0,
            0,
            "gemeentecode_mismatch",
        ),
        "2024-03/GM9999/jib.csv": (
            m,
            "GM9999",
            None,
            "rejected",
            False,
            None,
            0,
            0,
            "unknown_gemeente",
        ),
        "2024-3/GM0375/jib.csv": (
            None,
            None,
            None,
            "rejected",
            False,
            None,
            0,
            0,
            "invalid_folder",
        ),
        "2024-03/GM0375/notes.txt": (
            m,
            "GM0375",
            None,
            "rejected",
            False,
            None,
            0,
            0,
            "unknown_file",
        ),
        "2024-03/GM0375/sub/jib.csv": (
            None,
            None,
            None,
            "rejected",
            False,
            None,
            0,
            0,
            "invalid_folder",
        ),
        "2024-03/GM0396/kvk.csv": (
            m,
            "GM0396",
            "kvk",
            "rejected",
            False,
            None,
            0,
            0,
            "ambiguous_file",
        ),
        "2024-03/GM0396/KVK.csv ": (
            m,
            "GM0396",
            "kvk",
            "rejected",
            False,
            None,
            0,
            0,
            "ambiguous_file",
        ),
        "2024-03/GM0396/rmc.csv": (m, "GM0396", "rmc", "rejected", False, None, 0, 0, "empty_file"),
        "2024-03/GM0396/detentie.csv": (
            m,
            "GM0396",
            "detentie",
            "rejected",
            False,
            None,
            0,
            0,
            "not_utf8",
        ),
        "2024-03/GM0396/buitenland.csv": (
            m,
            "GM0396",
            "buitenland",
            "rejected",
            False,
            1,
            0,
            0,
            "duplicate_column",
        ),
        "2024-03/GM0396/jongerenloket.csv": (
            m,
            "GM0396",
            "jongerenloket",
            "rejected",
            False,
            1,
            0,
            0,
            "missing_column",
        ),
        "2024-03/GM0396/vso_pro.csv": (m, "GM0396", "vso_pro", "loaded", True, 0, 0, 0, None),
        "2024-03/GM0397/jib.csv": (m, "GM0397", "jib", "rejected", False, 2, 0, 2, "no_valid_rows"),
        "2024-03/GM0375/begeleiding.csv": (
            m,
            "GM0375",
            "begeleiding",
            "loaded",
            True,
            8,
            3,
            5,
            None,
        ),
        "2024-03/GM0375/kvk.csv": (m, "GM0375", "kvk", "loaded", True, 4, 2, 2, None),
        "sociale_kaart.csv": (None, None, "sociale_kaart", "loaded", True, 1, 1, 0, None),
    }
    assert got == expected
    assert report.files_rejected == 12
    # rows in = rows loaded + rows quarantined for every loaded file
    assert con.execute(
        "select count(*) from audit.loads where status = 'loaded' "
        "and rows_in <> rows_loaded + rows_quarantined"
    ).fetchone() == (0,)


def test_quarantine_lines_and_reasons(messy):
    con, _ = messy
    rows = con.execute(
        "select path, line, reason, pseudo_id, bsn_length from audit.quarantine order by path, line"
    ).fetchall()
    j = "2024-03/GM0375/jib.csv"
    b = "2024-03/GM0375/begeleiding.csv"
    assert rows == sorted(
        [
            (j, 4, "invalid_bsn", None, 9),
            (j, 5, "invalid_bsn", None, 7),
            (j, 6, "invalid_date", pid(B[1]), None),
            (j, 7, "age_out_of_range", pid(B[2]), None),
            (j, 9, "duplicate_bsn", pid(B[0]), None),
            (j, 13, "age_out_of_range", pid(B[4]), None),
            (j, 14, "invalid_bsn", None, 11),
            ("2024-03/gm0377/JIB.CSV", 7, "invalid_date", pid(B[14]), None),
            ("2024-03/GM0397/jib.csv", 2, "invalid_bsn", None, 3),
            ("2024-03/GM0397/jib.csv", 3, "age_out_of_range", pid(B[29]), None),
            (b, 5, "invalid_trede", pid(B[0]), None),
            (b, 6, "unknown_event", pid(B[0]), None),
            (b, 7, "invalid_date", pid(B[0]), None),
            (b, 8, "invalid_bsn", None, 9),
            (b, 9, "invalid_trede", pid(B[3]), None),
            ("2024-03/GM0375/kvk.csv", 3, "end_before_begin", pid(B[1]), None),
            ("2024-03/GM0375/kvk.csv", 5, "invalid_date", pid(B[3]), None),
        ]
    )
    msgs = con.execute("select message from audit.quarantine").fetchall()
    assert all("regel" in m.lower() for (m,) in msgs)


def test_raw_rows_exact(messy):
    con, _ = messy
    jib = con.execute(
        "select path, line, month, gemeentecode, pseudo_id, geboortedatum from raw.jib "
        "order by path, line"
    ).fetchall()
    d = dt.date
    assert jib == sorted(
        [
            ("2024-03/GM0375/jib.csv", 2, MARCH, "GM0375", pid(B[0]), d(2000, 1, 15)),
            ("2024-03/GM0375/jib.csv", 3, MARCH, "GM0375", pid("0" + EIGHT), d(1999, 5, 7)),
            ("2024-03/GM0375/jib.csv", 10, MARCH, "GM0375", pid(B[3]), d(1997, 3, 2)),
            ("2024-03/GM0375/jib.csv", 12, MARCH, "GM0375", pid(B[2]), d(2000, 6, 1)),
            ("2024-03/gm0377/JIB.CSV", 2, MARCH, "GM0377", pid(B[10]), d(2000, 1, 15)),
            ("2024-03/gm0377/JIB.CSV", 4, MARCH, "GM0377", pid(B[11]), d(1997, 3, 2)),
            ("2024-03/gm0377/JIB.CSV", 5, MARCH, "GM0377", pid(B[12]), d(2000, 1, 1)),
            ("2024-03/gm0377/JIB.CSV", 6, MARCH, "GM0377", pid(B[13]), d(1999, 12, 31)),
        ]
    )
    events = con.execute(
        "select line, pseudo_id, datum, gebeurtenis, waarde from raw.begeleiding order by line"
    ).fetchall()
    assert events == [
        (2, pid(B[0]), d(2024, 3, 5), "brief", None),
        (3, pid(B[0]), d(2024, 3, 5), "verwijzing", "ORG-001"),
        (4, pid(B[0]), d(2024, 3, 6), "trede", "3"),
    ]
    regs = con.execute(
        "select line, source, pseudo_id, begindatum, einddatum from raw.registration order by line"
    ).fetchall()
    assert regs == [
        (2, "kvk", pid(B[0]), d(2024, 1, 1), None),
        (4, "kvk", pid(B[2]), d(2024, 2, 1), d(2024, 2, 1)),
    ]
    kaart = con.execute(
        "select organisatie_id, naam, type, bereiken, activeren, plaatsen, behouden "
        "from raw.sociale_kaart"
    ).fetchall()
    assert kaart == [
        ("ORG-001", "Buurthuis De Ark", "leef_probleemgebied", True, False, True, None)
    ]


def test_messages_are_dutch_and_name_the_file(messy):
    con, _ = messy
    for path, reason, message in con.execute(
        "select path, reason, message from audit.loads where status = 'rejected'"
    ).fetchall():
        assert path.strip() in message, (reason, message)
        assert any(w in message.lower() for w in ("lever", "verwijder", "werk")), message


def test_no_bsn_anywhere_in_the_warehouse(messy):
    con, _ = messy
    secrets = set(B) | {EIGHT, "0" + EIGHT, "999900007", "99999999991", "123"}
    cols = con.execute(
        "select table_schema, table_name, column_name from information_schema.columns "
        "where data_type = 'VARCHAR'"
    ).fetchall()
    for schema, table, column in cols:
        values = {
            v
            for (v,) in con.execute(f'select distinct "{column}" from {schema}.{table}').fetchall()
            if v
        }
        for v in values:
            assert not any(s in v for s in secrets if len(s) >= 8), (schema, table, column)


def test_second_ingest_changes_nothing(messy):
    con, _ = messy
    tables = INGEST_TABLES

    # last_seen_at is the one thing a second run changes: it found every version again.
    def snapshot() -> dict[str, list]:
        return table_rows(con, tables, volatile=("last_seen_at",))

    seen = "select path, sha256, last_seen_at from audit.loads order by path, sha256"
    seen_before = con.execute(seen).fetchall()
    before = snapshot()
    time.sleep(1.1)  # loaded_at and last_seen_at have whole seconds
    root = (
        Path(
            con.execute(
                "select path from duckdb_databases() where database_name = current_database()"
            ).fetchone()[0]
        ).parent
        / "inbox"
    )
    report = run_ingest(root, con)
    assert report.files_loaded == 0 and report.files_unchanged == report.files_seen
    assert snapshot() == before
    seen_after = con.execute(seen).fetchall()
    assert [r[:2] for r in seen_after] == [r[:2] for r in seen_before]
    assert all(a[2] > b[2] for a, b in zip(seen_after, seen_before, strict=True))


# ----------------------------------------------------------------------------- versions


@pytest.fixture
def versioned(inbox: Path, tmp_path: Path):
    con = duckdb.connect(str(tmp_path / "v.duckdb"))
    yield inbox, con
    con.close()


def current(con, path):
    return con.execute(
        "select sha256, status, rows_loaded from audit.loads where path = ? and is_current", [path]
    ).fetchall()


def test_versions(versioned):
    inbox, con = versioned
    path = "2024-03/GM0375/jib.csv"
    v1 = f"bsn;geboortedatum\n{B[0]};2000-01-01\n{B[1]};2000-01-01\n"
    v2 = f"bsn;geboortedatum\n{B[0]};2000-01-01\n"
    write(inbox, path, v1)
    run_ingest(inbox, con)
    ((sha1, _, _),) = current(con, path)

    r = run_ingest(inbox, con)  # the same content again changes nothing
    assert r.files_unchanged == 1 and r.files_loaded == 0
    assert con.execute("select count(*) from audit.loads").fetchone() == (1,)
    assert con.execute("select count(*) from raw.jib").fetchone() == (2,)

    write(inbox, path, v2)  # a corrected file replaces the earlier version
    run_ingest(inbox, con)
    ((sha2, status, n),) = current(con, path)
    assert sha2 != sha1 and status == "loaded" and n == 1
    assert con.execute("select count(*) from audit.loads where path = ?", [path]).fetchone() == (2,)

    write(inbox, path, "bsn;geboorte\n")  # a rejected re-delivery leaves v2 current
    run_ingest(inbox, con)
    assert current(con, path)[0][0] == sha2
    assert con.execute(
        "select reason from audit.loads where path = ? and status = 'rejected'", [path]
    ).fetchall() == [("missing_column",)]

    write(inbox, path, v1)  # v1 again: it becomes current, its rows are not loaded twice
    r = run_ingest(inbox, con)
    assert r.files_reactivated == 1
    assert current(con, path)[0][0] == sha1
    assert con.execute("select count(*) from raw.jib").fetchone() == (3,)

    (inbox / path).unlink()  # a file that disappears stays as it was
    run_ingest(inbox, con)
    assert current(con, path)[0][0] == sha1


def test_rejection_is_judged_again_when_its_cause_goes(versioned):
    inbox, con = versioned
    write(inbox, "2024-03/GM0375/kvk.csv", f"bsn;begindatum\n{B[5]};2024-01-01\n")
    write(inbox, "2024-03/GM0375/Kvk.csv", f"bsn;begindatum\n{B[6]};2024-01-01\n")
    run_ingest(inbox, con)
    assert {r for (r,) in con.execute("select reason from audit.loads").fetchall()} == {
        "ambiguous_file"
    }
    (inbox / "2024-03/GM0375/Kvk.csv").unlink()
    run_ingest(inbox, con)
    assert current(con, "2024-03/GM0375/kvk.csv")[0][1:] == ("loaded", 1)
    assert con.execute(
        "select count(*) from audit.loads where path = '2024-03/GM0375/kvk.csv'"
    ).fetchone() == (1,)


def test_month_scope_leaves_other_months_alone(versioned):
    inbox, con = versioned
    write(inbox, "2024-03/GM0375/jib.csv", f"bsn;geboortedatum\n{B[0]};2000-01-01\n")
    write(inbox, "2024-04/GM0375/jib.csv", f"bsn;geboortedatum\n{B[0]};2000-01-01\n")
    run_ingest(inbox, con, months={MARCH})
    assert [p for (p,) in con.execute("select path from audit.loads").fetchall()] == [
        "2024-03/GM0375/jib.csv"
    ]


def test_crash_in_the_write_leaves_nothing(versioned, monkeypatch):
    inbox, con = versioned
    write(inbox, "2024-03/GM0375/jib.csv", f"bsn;geboortedatum\n{B[0]};2000-01-01\n")
    run_ingest(inbox, con)
    write(inbox, "2024-04/GM0375/jib.csv", f"bsn;geboortedatum\n{B[0]};2000-01-01\n")
    import orchestration.ingest.load as load

    def boom(con_, table, frame, *columns):
        if table == "raw.jib":
            raise RuntimeError("disk full")
        return real(con_, table, frame, *columns)

    real = load._insert
    monkeypatch.setattr(load, "_insert", boom)
    with pytest.raises(RuntimeError):
        run_ingest(inbox, con)
    assert con.execute("select count(*) from audit.loads").fetchone() == (1,)
    assert con.execute("select count(*) from raw.jib").fetchone() == (1,)
