"""Run bench/floor.sql on an inbox (the floor of the benchmark; see that file)."""

from __future__ import annotations

import resource
from pathlib import Path

import duckdb

FLOOR_SQL = Path(__file__).with_name("floor.sql")


def run_floor(inbox: Path, con: duckdb.DuckDBPyConnection) -> int:
    """Build floor_youth_month in `con` from the CSVs under `inbox`; return its rows."""
    # read_csv over a glob with union_by_name opens every file while it sniffs them.
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    sql = FLOOR_SQL.read_text(encoding="utf-8").replace("{inbox}", str(Path(inbox).resolve()))
    con.execute(sql)
    return con.execute("select count(*) from floor_youth_month").fetchone()[0]


# A rejected version is never current: the files refused as a whole are those with a
# rejected version and no current (loaded) one. The floor must not read them.
REFUSED_FILES = (
    "select distinct path from audit.loads where status = 'rejected' "
    "and path not in (select path from audit.loads where is_current)"
)


def refused_files(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Inbox paths the pipeline refused as a whole, from a warehouse's audit.loads."""
    return [r[0] for r in con.execute(REFUSED_FILES).fetchall()]
