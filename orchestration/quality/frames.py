"""What the GX suites validate: per file type and month, the rows in effect, as DataFrames.

Plain reads of the landing tables (part of the ingest step, so SQL in Python is fine here).
"""

from __future__ import annotations

import datetime as dt

import duckdb
import pandas as pd

# The versions in effect: the ingest's view, the same one dbt's staging reads.
_EFFECTIVE = "select path, sha256 from audit.versions_in_effect"

QUERIES: dict[str, str] = {
    "jib": f"""
        select j.path, j.line, j.gemeentecode, j.pseudo_id, j.geboortedatum,
               date_diff('year', j.geboortedatum, j.month)
                 - case when j.geboortedatum + to_years(date_diff('year', j.geboortedatum, j.month))
                        > j.month then 1 else 0 end as age
        from raw.jib j join ({_EFFECTIVE}) e using (path, sha256)
        where j.month = ?
    """,
    "registration": f"""
        select r.path, r.line, r.gemeentecode, r.source, r.pseudo_id, r.begindatum, r.einddatum,
               coalesce(r.einddatum >= r.begindatum, true) as end_not_before_begin,
               r.begindatum <= last_day(r.month) as begins_by_delivery
        from raw.registration r join ({_EFFECTIVE}) e using (path, sha256)
        where r.month = ?
    """,
    "begeleiding": f"""
        select b.path, b.line, b.gemeentecode, b.pseudo_id, b.datum, b.gebeurtenis, b.waarde,
               b.datum between b.month - interval 1 year and last_day(b.month) + interval 1 year
                 as within_a_year
        from raw.begeleiding b join ({_EFFECTIVE}) e using (path, sha256)
        where b.month = ?
    """,
    "sociale_kaart": f"""
        select s.path, s.line, s.organisatie_id, s.naam, s.type
        from raw.sociale_kaart s join ({_EFFECTIVE}) e using (path, sha256)
        where ? is not null
    """,
    # Region-wide like the sociale kaart: the whole bevolking.csv in effect.
    "bevolking": f"""
        select b.path, b.line, b.gemeentecode, b.jaar, b.inwoners_23_26
        from raw.bevolking b join ({_EFFECTIVE}) e using (path, sha256)
        where ? is not null
    """,
    # One row per municipality that delivered a list in M or M-1: did it deliver in M,
    # and how much did its list change against its previous delivery?
    "jib_deliveries": f"""
        with lists as (
            select l.month, l.gemeentecode, l.path, l.rows_loaded,
                   lag(l.rows_loaded) over (partition by l.gemeentecode order by l.month)
                     as previous_rows
            from audit.loads l join ({_EFFECTIVE}) e using (path, sha256)
            where l.source = 'jib'
        ),
        now as (select * from lists where month = ?::date),
        before as (select * from lists where month = ?::date - interval 1 month)
        select coalesce(n.path, b.path) as path, 0 as line,
               coalesce(n.gemeentecode, b.gemeentecode) as gemeentecode,
               n.gemeentecode is not null as delivered,
               case when n.previous_rows > 0 then n.rows_loaded / n.previous_rows end
                 as change_ratio
        from now n full join before b using (gemeentecode)
    """,
}


def frame(con: duckdb.DuckDBPyConnection, name: str, month: dt.date) -> pd.DataFrame:
    params = [month, month] if name == "jib_deliveries" else [month]
    return con.execute(QUERIES[name], params).df()


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
