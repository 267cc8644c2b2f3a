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
