"""A corpus of broken deliveries (issue 4): each kind has its own exact expected outcome.

One baseline month is loaded first; the whole corpus is then ingested in one run, and
every test checks its own file's audit row, quarantine rows and raw rows — and that the
baseline did not change. Messages are Dutch and name the file (and line).
"""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest
from conftest import TEST_KEY, bsn, pid, write

from orchestration.core.bsn import Pseudonymiser
from orchestration.ingest.inbox import scan_inbox
from orchestration.ingest.load import ingest

KNOWN = {f"GM{n:04d}" for n in range(1, 1000)} - {"GM0999"}
M = "2024-06"
PEIL = dt.date(2024, 6, 1)
OK_BIRTH = "2000-01-01"
HDR = "bsn;geboortedatum\n"

# case -> (relative path, content)
CORPUS: dict[str, tuple[str, bytes | str]] = {}
_n = iter(range(100, 1000))


def case(name: str, gm: int, file: str, content: bytes | str, month: str = M) -> str:
    path = f"{month}/GM{gm:04d}/{file}"
    CORPUS[name] = (path, content)
    return path


def b() -> str:
    return bsn(next(_n))


B_BOM, B_COMMA, B_SEMI, B_CRLF, B_QUOTED, B_BLANK, B_CASE, B_EXTRA = (b() for _ in range(8))
B_TRUNC, B_DUP, B_EIGHT_OK, B_LONG_OK, B_FORMULA_OK, B_CR = (b() for _ in range(6))
EIGHT = "99990015"  # an 8-digit BSN: it is padded with a leading 0 (see the note on the test range)

case("not_utf8", 1, "jib.csv", (HDR + f"{b()};{OK_BIRTH}\nCaf\xe9;x\n").encode("latin-1"))
case("bom", 2, "jib.csv", "\ufeff" + HDR + f"{B_BOM};{OK_BIRTH}\n")
case("comma", 3, "jib.csv", f"bsn,geboortedatum\n{B_COMMA},{OK_BIRTH}\n")
case("semicolon", 4, "jib.csv", HDR + f"{B_SEMI};{OK_BIRTH}\n")
case("tab_separated", 5, "jib.csv", f"bsn\tgeboortedatum\n{b()}\t{OK_BIRTH}\n")
case("missing_column", 6, "jib.csv", f"bsn\n{b()}\n")
case("extra_column", 7, "jib.csv", f"bsn;geboortedatum;opmerking\n{B_EXTRA};{OK_BIRTH};iets\n")
case("header_only_registration", 8, "kvk.csv", "bsn;begindatum;einddatum\n")
case("zero_bytes", 9, "jib.csv", b"")
case(
    "xlsx_as_csv",
    10,
    "jib.csv",
    b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00" + bytes(range(256)),
)
case("nul_bytes", 11, "jib.csv", (HDR + f"{b()};{OK_BIRTH}\n").encode() + b"\x00\x00\n")
case("truncated_last_line", 12, "jib.csv", HDR + f"{B_TRUNC};{OK_BIRTH}\n{b()};2000-0")
case("crlf", 13, "jib.csv", f"bsn;geboortedatum\r\n{B_CRLF};{OK_BIRTH}\r\n")
case(
    "quoted_fields",
    14,
    "jib.csv",
    f'"bsn";"geboortedatum";"opmerking"\n"{B_QUOTED}";"{OK_BIRTH}";"zegt ""hoi""; en\nmeer"\n',
)
case("blank_lines", 15, "jib.csv", f"\n\n{HDR}\n   \n{B_BLANK};{OK_BIRTH}\n\n;;\n")
case("header_case_spaces", 16, "jib.csv", f"  BSN ;\u00a0GeboorteDatum \n{B_CASE};{OK_BIRTH}\n")
case(
    "wrong_gemeentecode",
    17,
    "jib.csv",
    f"bsn;geboortedatum;gemeentecode\n{b()};{OK_BIRTH};GM0017\n{b()};{OK_BIRTH};GM0018\n",
)
case("unknown_gemeente_folder", 999, "jib.csv", HDR + f"{b()};{OK_BIRTH}\n")
CORPUS["invalid_month_folder"] = ("2024-6/GM0019/jib.csv", HDR + f"{b()};{OK_BIRTH}\n")
case("invalid_bsn_elfproef", 20, "jib.csv", HDR + f"999900007;{OK_BIRTH}\n{b()};{OK_BIRTH}\n")
case("invalid_bsn_letters", 21, "jib.csv", HDR + f"99990000A;{OK_BIRTH}\n{b()};{OK_BIRTH}\n")
case("invalid_bsn_ten_digits", 22, "jib.csv", HDR + f"9999000061;{OK_BIRTH}\n{b()};{OK_BIRTH}\n")
case("eight_digit_bsn", 23, "jib.csv", HDR + f"{EIGHT};{OK_BIRTH}\n")
case("impossible_date", 24, "jib.csv", HDR + f"{b()};2001-02-29\n{b()};{OK_BIRTH}\n")
case("future_birth_date", 25, "jib.csv", HDR + f"{b()};2030-01-01\n{b()};{OK_BIRTH}\n")
case("future_registration", 26, "rmc.csv", f"bsn;begindatum\n{b()};2031-01-01\n")
case("age_22", 27, "jib.csv", HDR + f"{b()};2001-06-02\n{b()};{OK_BIRTH}\n")
case("age_27", 28, "jib.csv", HDR + f"{b()};1997-06-01\n{b()};{OK_BIRTH}\n")
case("duplicate_rows", 29, "jib.csv", HDR + f"{B_DUP};{OK_BIRTH}\n{B_DUP};{OK_BIRTH}\n")
case(
    "formula_injection",
    30,
    "jib.csv",
    f'bsn;geboortedatum;opmerking\n=HYPERLINK("http://x";"klik");{OK_BIRTH};\n'
    f'{B_FORMULA_OK};{OK_BIRTH};=HYPERLINK("http://x")\n',
)
case("huge_field", 31, "jib.csv", HDR + "9" * 100_000 + f";{OK_BIRTH}\n{B_LONG_OK};{OK_BIRTH}\n")
case(
    "end_before_begin",
    32,
    "detentie.csv",
    f"bsn;begindatum;einddatum\n{b()};2024-03-01;2024-02-01\n{b()};2024-03-01;\n",
)
case(
    "unknown_event",
    33,
    "begeleiding.csv",
    f"bsn;datum;gebeurtenis;waarde\n{b()};2024-06-02;telefoontje;\n{b()};2024-06-02;BRIEF;\n",
)
case(
    "trede_0_and_7",
    34,
    "begeleiding.csv",
    f"bsn;datum;gebeurtenis;waarde\n{b()};2024-06-02;trede;0\n{b()};2024-06-02;trede;7\n"
    f"{b()};2024-06-02;trede;6\n",
)
case("only_invalid_rows", 35, "jib.csv", HDR + f"123;{OK_BIRTH}\n{b()};nooit\n")
case("duplicate_column", 36, "buitenland.csv", f"bsn;begindatum;BSN\n{b()};2024-01-01;x\n")
case("unknown_file_name", 37, "jib_juni.csv", HDR + f"{b()};{OK_BIRTH}\n")
CORPUS["ambiguous_a"] = (f"{M}/GM0038/jib.csv", HDR + f"{b()};{OK_BIRTH}\n")
CORPUS["ambiguous_b"] = (f"{M}/gm0038/JIB.csv", HDR + f"{b()};{OK_BIRTH}\n")
case("utf16", 39, "jib.csv", (HDR + f"{b()};{OK_BIRTH}\n").encode("utf-16"))
case("cr_only", 40, "jib.csv", f"bsn;geboortedatum\r{B_CR};{OK_BIRTH}\r")
case("dmy_dates", 41, "jib.csv", HDR + f"{b()};1-1-2000\n{b()};01-01-2000\n")
case(
    "unknown_column_only_extra_delims", 42, "jib.csv", f"bsn;geboortedatum;;\n{b()};{OK_BIRTH};;\n"
)
case("header_only_jib_first_list", 43, "jib.csv", HDR)
CORPUS["hidden_file"] = (f"{M}/GM0044/.jib.csv", HDR)
CORPUS["lock_file"] = (f"{M}/GM0044/~$jib.csv", "x")

BASELINE = {f"2024-05/GM{g:04d}/jib.csv": HDR + f"{bsn(g)};{OK_BIRTH}\n" for g in range(1, 45)}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    root = tmp_path_factory.mktemp("corpus")
    inbox = root / "inbox"
    for path, content in BASELINE.items():
        write(inbox, path, content)
    con = duckdb.connect(str(root / "w.duckdb"))
    pseudo = Pseudonymiser(TEST_KEY)
    ingest(con, scan_inbox(inbox, KNOWN), None, pseudo)
    tables = ("audit.loads", "audit.quarantine", "raw.jib", "raw.registration", "raw.begeleiding")
    before = {t: con.execute(f"select * from {t} order by all").fetchall() for t in tables}
    for path, content in CORPUS.values():
        write(inbox, path, content)
    report = ingest(con, scan_inbox(inbox, KNOWN), {PEIL}, pseudo)
    yield con, report, before
    con.close()


def outcome(con, name: str) -> tuple:
    path = CORPUS[name][0]
    rows = con.execute(
        "select status, reason, rows_in, rows_loaded, rows_quarantined, message "
        "from audit.loads where path = ?",
        [path],
    ).fetchall()
    assert len(rows) == 1, (name, rows)
    return rows[0]


def quarantine(con, name: str) -> list[tuple]:
    return con.execute(
        "select line, reason, bsn_length from audit.quarantine where path = ? order by line",
        [CORPUS[name][0]],
    ).fetchall()


def jib_pids(con, name: str) -> list[str]:
    return [
        p
        for (p,) in con.execute(
            "select pseudo_id from raw.jib where path = ? order by line", [CORPUS[name][0]]
        ).fetchall()
    ]


REJECTED = {
    # name: (reason, rows_in)
    "not_utf8": ("not_utf8", None),
    "tab_separated": ("missing_column", 1),
    "missing_column": ("missing_column", 1),
    "zero_bytes": ("empty_file", None),
    "xlsx_as_csv": ("not_utf8", None),
    "nul_bytes": ("not_utf8", None),
    "wrong_gemeentecode": ("gemeentecode_mismatch", 2),
    "unknown_gemeente_folder": ("unknown_gemeente", None),
    "invalid_month_folder": ("invalid_folder", None),
    "only_invalid_rows": ("no_valid_rows", 2),
    "duplicate_column": ("duplicate_column", 1),
    "unknown_file_name": ("unknown_file", None),
    "ambiguous_a": ("ambiguous_file", None),
    "ambiguous_b": ("ambiguous_file", None),
    "utf16": ("not_utf8", None),
}


@pytest.mark.parametrize("name", sorted(REJECTED))
def test_rejected_files(corpus, name):
    con, _, _ = corpus
    status, reason, rows_in, rows_loaded, rows_q, message = outcome(con, name)
    assert (status, reason, rows_in) == ("rejected",) + REJECTED[name]
    assert rows_loaded == 0
    assert CORPUS[name][0] in message
    assert "opnieuw" in message or "Verwijder" in message
    if reason != "no_valid_rows":
        assert rows_q == 0 and quarantine(con, name) == []
    assert jib_pids(con, name) == []


LOADED = {
    # name: (rows_in, rows_loaded, quarantine rows (line, reason, bsn_length), loaded bsns)
    "bom": (1, 1, [], [B_BOM]),
    "comma": (1, 1, [], [B_COMMA]),
    "semicolon": (1, 1, [], [B_SEMI]),
    "extra_column": (1, 1, [], [B_EXTRA]),
    "truncated_last_line": (2, 1, [(3, "invalid_date", None)], [B_TRUNC]),
    "crlf": (1, 1, [], [B_CRLF]),
    "quoted_fields": (1, 1, [], [B_QUOTED]),
    "blank_lines": (1, 1, [], [B_BLANK]),
    "header_case_spaces": (1, 1, [], [B_CASE]),
    "invalid_bsn_elfproef": (2, 1, [(2, "invalid_bsn", 9)], None),
    "invalid_bsn_letters": (2, 1, [(2, "invalid_bsn", 9)], None),
    "invalid_bsn_ten_digits": (2, 1, [(2, "invalid_bsn", 10)], None),
    "eight_digit_bsn": (1, 1, [], ["0" + EIGHT]),
    "impossible_date": (2, 1, [(2, "invalid_date", None)], None),
    "future_birth_date": (2, 1, [(2, "age_out_of_range", None)], None),
    "age_22": (2, 1, [(2, "age_out_of_range", None)], None),
    "age_27": (2, 1, [(2, "age_out_of_range", None)], None),
    "duplicate_rows": (2, 1, [(3, "duplicate_bsn", None)], [B_DUP]),
    "formula_injection": (2, 1, [(2, "invalid_bsn", 21)], [B_FORMULA_OK]),
    "huge_field": (2, 1, [(2, "invalid_bsn", 100_000)], [B_LONG_OK]),
    "cr_only": (1, 1, [], [B_CR]),
    "dmy_dates": (2, 2, [], None),
    "unknown_column_only_extra_delims": (1, 1, [], None),
    "header_only_jib_first_list": (0, 0, [], []),
}


@pytest.mark.parametrize("name", sorted(LOADED))
def test_loaded_files(corpus, name):
    con, _, _ = corpus
    rows_in, rows_loaded, q_rows, bsns = LOADED[name]
    status, reason, got_in, got_loaded, got_q, message = outcome(con, name)
    assert (status, reason, got_in, got_loaded, got_q) == (
        "loaded",
        None,
        rows_in,
        rows_loaded,
        len(q_rows),
    )
    assert message is None
    assert quarantine(con, name) == q_rows
    if bsns is not None:
        assert jib_pids(con, name) == [pid(x) for x in bsns]


def test_registration_and_event_faults(corpus):
    con, _, _ = corpus
    assert outcome(con, "header_only_registration")[:5] == ("loaded", None, 0, 0, 0)
    assert outcome(con, "future_registration")[:5] == ("loaded", None, 1, 1, 0)
    assert outcome(con, "end_before_begin")[:5] == ("loaded", None, 2, 1, 1)
    assert quarantine(con, "end_before_begin") == [(2, "end_before_begin", None)]
    assert outcome(con, "unknown_event")[:5] == ("loaded", None, 2, 1, 1)
    assert quarantine(con, "unknown_event") == [(2, "unknown_event", None)]
    assert outcome(con, "trede_0_and_7")[:5] == ("loaded", None, 3, 1, 2)
    assert quarantine(con, "trede_0_and_7") == [
        (2, "invalid_trede", None),
        (3, "invalid_trede", None),
    ]


def test_ignored_files_leave_no_trace(corpus):
    con, _, _ = corpus
    for name in ("hidden_file", "lock_file"):
        assert con.execute(
            "select count(*) from audit.loads where path = ?", [CORPUS[name][0]]
        ).fetchone() == (0,)


def test_row_messages_name_file_and_line(corpus):
    con, _, _ = corpus
    for path, line, message in con.execute(
        "select path, line, message from audit.quarantine"
    ).fetchall():
        assert path in message and f"regel {line}" in message


def test_every_case_is_accounted_for(corpus):
    con, report, _ = corpus
    seen = {p for (p,) in con.execute("select path from audit.loads").fetchall()}
    expected = {p for n, (p, _) in CORPUS.items() if n not in ("hidden_file", "lock_file")}
    assert expected <= seen
    assert len(REJECTED) + len(LOADED) + 5 >= 30


def test_baseline_untouched(corpus):
    con, _, before = corpus
    for table, rows in before.items():
        now = con.execute(f"select * from {table} order by all").fetchall()
        assert set(rows) <= set(now), table
    assert con.execute(
        "select count(*) from audit.loads where path like '2024-05/%' and is_current"
    ).fetchone() == (44,)


def test_no_bsn_in_any_message(corpus):
    con, _, _ = corpus
    texts = [
        m
        for (m,) in con.execute(
            "select message from audit.loads where message is not null "
            "union all select message from audit.quarantine"
        ).fetchall()
    ]
    for t in texts:
        assert "99990" not in t and "9999" * 3 not in t
