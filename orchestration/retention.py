"""Retention (SPEC §2): person-level data of a youth goes 24 months after the later of
their last listing, event or registration; registration rows of youths never listed go
once they can no longer match; published aggregates of earlier months stay as they were.

Order matters, in one transaction:
1. freeze: the rows of the published aggregate models (marts.region_month, reports.*)
   of every month up to `cutoff + 12 months` (or the last month there is) are copied to frozen.<model> and
   frozen.horizon says through which month. dbt's `with_frozen` macro then serves
   those months from the copy forever. A purged youth (last active by the cutoff)
   reaches at most 11 months further (the rolling year of the funnel and referrals;
   outflow is the month after the last listing), so nothing a purge changes is
   unfrozen;
2. purge the raw rows and quarantine rows of the youths whose time is up;
3. log the run in audit.retention_runs (counts only).
The caller then rebuilds the marts (dbt) and republishes, so no mart row, work list or
page keeps a trace of a purged youth.

Written as SQL strings here, like the ingest: it maintains the raw layer that dbt reads,
which dbt itself has no business deleting from.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import duckdb

from orchestration.settings import DBT_PROJECT_DIR


def frozen_models(manifest: Path | None = None) -> tuple[tuple[str, str, str], ...]:
    """(schema, model, month column) of every aggregate a page or the SZW table is drawn
    from: the tables of dbt's `frozen` source (dbt_project/models/staging/_sources.yml),
    the one list, which the models' `with_frozen` macro also reads."""
    path = manifest or DBT_PROJECT_DIR / "target" / "manifest.json"
    sources = json.loads(path.read_text(encoding="utf-8"))["sources"].values()
    found = []
    for src in sources:
        if src["source_name"] != "frozen" or src["name"] == "horizon":
            continue
        meta = src.get("meta") or src["config"].get("meta") or {}
        schema, model = meta["frozen_from"].split(".")
        found.append((schema, model, meta.get("month_column", "month")))
    if not found:
        raise RuntimeError(f"{path} names no frozen models: run `dbt parse` (make install).")
    return tuple(sorted(found))


# How far past their last active month a youth's data reaches into published months.
REACH_MONTHS = 12

PERSON_TABLES = ("raw.jib", "raw.registration", "raw.begeleiding", "audit.quarantine")

_DDL = (
    "create schema if not exists frozen",
    "create table if not exists frozen.horizon (frozen_through date not null)",
    """create table if not exists audit.retention_runs (
        run_at timestamp not null,
        as_of date not null,
        retention_months integer not null,
        youths_purged integer not null,
        jib_rows integer not null,
        registration_rows integer not null,
        begeleiding_rows integer not null,
        quarantine_rows integer not null,
        never_listed_registration_rows integer not null,
        frozen_through date
    )""",
)

# Every youth's latest month of activity across everything person-level that is stored:
# listings, events, registrations (their end, or their start when open, or the file's
# month, whichever is latest) and refused rows.
_ACTIVITY = """
create or replace temp table retention_activity as
select pseudo_id, max(m) as last_month
from (
    select pseudo_id, month as m from raw.jib
    union all
    select pseudo_id, cast(date_trunc('month', datum) as date) from raw.begeleiding
    union all
    select pseudo_id, greatest(month, cast(date_trunc('month', begindatum) as date),
                               coalesce(cast(date_trunc('month', einddatum) as date), month))
    from raw.registration
    union all
    select q.pseudo_id, l.month
    from audit.quarantine as q
    inner join audit.loads as l on l.path = q.path and l.sha256 = q.sha256
    where q.pseudo_id is not null and l.month is not null
)
group by pseudo_id
"""


@dataclass
class RetentionReport:
    as_of: date
    youths_purged: int = 0
    deleted: dict[str, int] = field(default_factory=dict)
    never_listed_registration_rows: int = 0
    frozen_through: date | None = None
    newly_frozen: dict[str, int] = field(default_factory=dict)


def add_months(m: date, n: int) -> date:
    i = m.year * 12 + m.month - 1 + n
    return date(i // 12, i % 12 + 1, 1)


def _exists(con: duckdb.DuckDBPyConnection, schema: str, name: str) -> bool:
    return (
        con.execute(
            "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
            [schema, name],
        ).fetchone()[0]
        > 0
    )


def _freeze(con: duckdb.DuckDBPyConnection, through: date, report: RetentionReport) -> None:
    # Only months that exist can have been published: never freeze past the data.
    if _exists(con, "marts", "region_month"):
        last = con.execute("select max(month) from marts.region_month").fetchone()[0]
        through = min(through, last) if last else through
    previous = con.execute("select max(frozen_through) from frozen.horizon").fetchone()[0]
    if previous is not None and previous >= through:
        report.frozen_through = previous
        return
    after = previous or date(1900, 1, 1)
    for schema, name, column in frozen_models():
        if not _exists(con, schema, name):
            continue  # nothing built, nothing published
        con.execute(
            f"create table if not exists frozen.{name} as select * from {schema}.{name} limit 0"
        )
        n = con.execute(
            f"insert into frozen.{name} select * from {schema}.{name} where {column} > ? and {column} <= ?",
            [after, through],
        ).fetchone()[0]
        report.newly_frozen[name] = n
    con.execute("delete from frozen.horizon")
    con.execute("insert into frozen.horizon values (?)", [through])
    report.frozen_through = through


def apply_retention(
    con: duckdb.DuckDBPyConnection,
    as_of: date,
    *,
    retention_months: int = 24,
    never_listed_months: int = 3,
) -> RetentionReport:
    """Freeze, purge and log, in one transaction; `as_of` is a month (first day)."""
    as_of = as_of.replace(day=1)
    report = RetentionReport(as_of=as_of)
    con.execute("begin transaction")
    try:
        for stmt in _DDL:
            con.execute(stmt)
        cutoff = add_months(as_of, -retention_months)
        _freeze(con, add_months(cutoff, REACH_MONTHS), report)

        con.execute(_ACTIVITY)
        con.execute(
            "create or replace temp table retention_purge as "
            "select pseudo_id from retention_activity where last_month <= ?",
            [cutoff],
        )
        report.youths_purged = con.execute("select count(*) from retention_purge").fetchone()[0]
        for table in PERSON_TABLES:
            report.deleted[table] = con.execute(
                f"delete from {table} where pseudo_id in (select pseudo_id from retention_purge)"
            ).fetchone()[0]
        # Refused rows without a pseudonym (an invalid BSN) point at nobody; they go with
        # the file's month, on the same clock.
        report.deleted["audit.quarantine"] += con.execute(
            "delete from audit.quarantine as q where q.pseudo_id is null and exists ("
            " select 1 from audit.loads as l where l.path = q.path and l.sha256 = q.sha256"
            " and l.month <= ?)",
            [cutoff],
        ).fetchone()[0]
        # A registration matches listings of its file's month up to two months later
        # (the M-2 staleness); after that, for a youth never listed, it can't match
        # anything. vso_pro rows are the exception: they flag a later listing whatever
        # their age, so they stay on the 24-month clock.
        report.never_listed_registration_rows = con.execute(
            "delete from raw.registration as r where r.source <> 'vso_pro' and r.month <= ?"
            " and not exists (select 1 from raw.jib as j where j.pseudo_id = r.pseudo_id)",
            [add_months(as_of, -never_listed_months)],
        ).fetchone()[0]
        con.execute(
            "insert into audit.retention_runs values (current_timestamp, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                as_of,
                retention_months,
                report.youths_purged,
                report.deleted["raw.jib"],
                report.deleted["raw.registration"],
                report.deleted["raw.begeleiding"],
                report.deleted["audit.quarantine"],
                report.never_listed_registration_rows,
                report.frozen_through,
            ],
        )
        con.execute("drop table retention_purge")
        con.execute("drop table retention_activity")
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    return report
