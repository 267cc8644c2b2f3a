"""What the GX suites validate: per file type, the rows in effect of a run's months, as
DataFrames with the month as a column ('YYYY-MM', or 'alle' for a region-wide file).

Plain reads of the landing tables (part of the ingest step, so SQL in Python is fine here).
A run's months are read in chunks of whole months of at most MAX_ROWS rows, so memory stays
bounded at any scale while a small run is one read and one GX validation.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import duckdb
import pandas as pd
import pyarrow as pa

# The versions in effect: the ingest's view, the same one dbt's staging reads.
_EFFECTIVE = "select path, sha256 from audit.versions_in_effect"

QUERIES: dict[str, str] = {
    "jib": f"""
        select strftime(j.month, '%Y-%m') as month, j.path, j.line, j.gemeentecode,
               j.pseudo_id, j.geboortedatum,
               date_diff('year', j.geboortedatum, j.month)
                 - case when j.geboortedatum + to_years(date_diff('year', j.geboortedatum, j.month))
                        > j.month then 1 else 0 end as age
        from raw.jib j join ({_EFFECTIVE}) e using (path, sha256)
        where j.month in (select unnest(?::date[]))
    """,
    "registration": f"""
        select strftime(r.month, '%Y-%m') as month, r.path, r.line, r.gemeentecode, r.source,
               r.pseudo_id, r.begindatum, r.einddatum,
               coalesce(r.einddatum >= r.begindatum, true) as end_not_before_begin,
               r.begindatum <= last_day(r.month) as begins_by_delivery
        from raw.registration r join ({_EFFECTIVE}) e using (path, sha256)
        where r.month in (select unnest(?::date[]))
    """,
    "begeleiding": f"""
        select strftime(b.month, '%Y-%m') as month, b.path, b.line, b.gemeentecode,
               b.pseudo_id, b.datum, b.gebeurtenis, b.waarde,
               -- Case systems export their whole history (SPEC): years-old events are
               -- normal. Implausible is before the youth was 16 or well after the export.
               b.datum between b.month - interval 10 year and last_day(b.month) + interval 1 year
                 as date_plausible
        from raw.begeleiding b join ({_EFFECTIVE}) e using (path, sha256)
        where b.month in (select unnest(?::date[]))
    """,
    "sociale_kaart": f"""
        select 'alle' as month, s.path, s.line, s.organisatie_id, s.naam, s.type
        from raw.sociale_kaart s join ({_EFFECTIVE}) e using (path, sha256)
        where ? is not null
    """,
    # Region-wide like the sociale kaart: the whole bevolking.csv in effect.
    "bevolking": f"""
        select 'alle' as month, b.path, b.line, b.gemeentecode, b.jaar, b.inwoners_23_26
        from raw.bevolking b join ({_EFFECTIVE}) e using (path, sha256)
        where ? is not null
    """,
    # Per month M of the run, one row per municipality that delivered a list in M or M-1:
    # did it deliver in M, and how much did its list change against its previous delivery?
    "jib_deliveries": f"""
        with lists as (
            select l.month, l.gemeentecode, l.path, l.rows_loaded,
                   lag(l.rows_loaded) over (partition by l.gemeentecode order by l.month)
                     as previous_rows
            from audit.loads l join ({_EFFECTIVE}) e using (path, sha256)
            where l.source = 'jib'
        ),
        months as (select unnest(?::date[]) as month),
        now as (
            select m.month, l.gemeentecode, l.path, l.rows_loaded, l.previous_rows
            from months m join lists l on l.month = m.month
        ),
        before as (
            select m.month, l.gemeentecode, l.path
            from months m join lists l on l.month = (m.month - interval 1 month)::date
        )
        select strftime(coalesce(n.month, b.month), '%Y-%m') as month,
               coalesce(n.path, b.path) as path, 0 as line,
               coalesce(n.gemeentecode, b.gemeentecode) as gemeentecode,
               n.gemeentecode is not null as delivered,
               case when n.previous_rows > 0 then n.rows_loaded / n.previous_rows end
                 as change_ratio
        from now n full join before b on n.month = b.month and n.gemeentecode = b.gemeentecode
    """,
}

# Rows per GX validation: a national month of the real-size country is ~0.5M registration
# rows, so a chunk is a few months there and the whole run for a region. Measured on the
# real-size begeleiding (18.9M rows): 2M rows a chunk peaked at 3.6 GiB, 1M at 2.6 GiB,
# 0.5M at 2.1 GiB, in 81, 82 and 84 s; the peak of a real-size backfill was this step.
MAX_ROWS = 1_000_000


def _arrow_string(t: pa.DataType) -> pd.ArrowDtype | None:
    return pd.ArrowDtype(t) if t == pa.string() else None


# Columns that say where a row is, not what it holds.
PLACE_COLUMNS = ("month", "path", "line")


def value_columns(con: duckdb.DuckDBPyConnection, name: str) -> list[str]:
    """The columns of `name`'s rows that hold values (every one but PLACE_COLUMNS)."""
    columns = con.sql(f"select * from ({QUERIES[name]}) limit 0", params=[[]]).columns
    return [c for c in columns if c not in PLACE_COLUMNS]


def _row_hash(columns: list[str]) -> str:
    return "hash(" + ", ".join(f'"{c}"' for c in columns) + ")"


def _query(
    con: duckdb.DuckDBPyConnection, name: str, months: list[str], hashes: list[int] | None
) -> tuple[str, list[Any]]:
    """The rows of `months`; with `hashes`, only those whose values hash to one of them."""
    if hashes is None:
        return QUERIES[name], [months]
    where = f"{_row_hash(value_columns(con, name))} in (select unnest(?::ubigint[]))"
    return f"select * from ({QUERIES[name]}) where {where}", [months, hashes]


def frame(
    con: duckdb.DuckDBPyConnection, name: str, months: list[str], hashes: list[int] | None = None
) -> pd.DataFrame:
    """The rows of `months` ('YYYY-MM-01' strings, or ['alle'] for a region-wide file);
    with `hashes`, only the rows whose values hash to one of them (distinct_values).

    Text columns stay Arrow strings instead of a Python object per value: at the real size
    (18.9M begeleiding rows) reading and validating took half the time, with the same
    findings (every expectation type of the suites checked on broken rows both ways).
    """
    query, params = _query(con, name, months, hashes)
    table = con.sql(query, params=params).to_arrow_table()
    return table.to_pandas(types_mapper=_arrow_string)


def month_counts(
    con: duckdb.DuckDBPyConnection, name: str, months: list[str], hashes: list[int] | None = None
) -> dict[str, int]:
    """Rows per month ('YYYY-MM', or 'alle')."""
    query, params = _query(con, name, months, hashes)
    sql = f"select month, count(*) from ({query}) group by month"
    return {m: int(n) for m, n in con.execute(sql, params).fetchall()}


def frames(
    con: duckdb.DuckDBPyConnection,
    name: str,
    months: list[str],
    max_rows: int = MAX_ROWS,
    hashes: list[int] | None = None,
) -> Iterator[pd.DataFrame]:
    """The rows of `months` in as few frames as fit max_rows each (a month is never split:
    uniqueness within a file holds within one frame)."""
    counts = month_counts(con, name, months, hashes)
    chunk: list[str] = []
    rows = 0
    for month in months:
        n = counts.get("alle" if month == "alle" else month[:7], 0)
        if chunk and rows + n > max_rows:
            yield frame(con, name, chunk, hashes)
            chunk, rows = [], 0
        chunk.append(month)
        rows += n
    if chunk:
        yield frame(con, name, chunk, hashes)


def distinct_values(
    con: duckdb.DuckDBPyConnection, name: str, months: list[str], max_rows: int = MAX_ROWS
) -> Iterator[pd.DataFrame]:
    """Every distinct tuple of values among the rows of `months`, once, with its hash as
    column `row_hash`, in frames of at most max_rows. Cumulative exports repeat their
    history every month: the real-size begeleiding rows of five years are 18.9M rows and
    about 1M tuples."""
    values = value_columns(con, name)
    columns = ", ".join(f'"{c}"' for c in values)
    sql = (
        f"select *, {_row_hash(values)} as row_hash "
        f"from (select distinct {columns} from ({QUERIES[name]}))"
    )
    for batch in con.sql(sql, params=[months]).to_arrow_reader(max_rows):
        yield pa.Table.from_batches([batch]).to_pandas(types_mapper=_arrow_string)


# Months with a current loaded version of one of the file types; a region-wide file (no
# month: sociale_kaart.csv, bevolking.csv) counts as 'alle'.
_LOADED_MONTHS = """
    select distinct coalesce(strftime(month, '%Y-%m-01'), 'alle') as month
    from audit.loads
    where status = 'loaded' and is_current and list_contains(?, source)
    order by month
"""


def loaded_months(con: duckdb.DuckDBPyConnection, sources: tuple[str, ...]) -> list[str]:
    """What a check without a partition validates: every month loaded for `sources`."""
    return [r[0] for r in con.execute(_LOADED_MONTHS, [list(sources)]).fetchall()]
