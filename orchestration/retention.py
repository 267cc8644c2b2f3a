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

Its SQL is in orchestration/sql/retention.sql: it maintains the raw layer that dbt
reads, which dbt itself has no business deleting from.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import duckdb

from orchestration.core.dates import add_months
from orchestration.settings import DBT_PROJECT_DIR
from orchestration.sql import statements


def frozen_models(manifest: Path | None = None) -> tuple[tuple[str, str, str], ...]:
    """(schema, model, month column) of every aggregate a page or the SZW table is drawn
    from: the tables of dbt's `frozen` source (dbt_project/models/reports/_frozen.yml),
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

SQL = statements("retention")


@dataclass
class RetentionReport:
    as_of: date
    youths_purged: int = 0
    deleted: dict[str, int] = field(default_factory=dict)
    never_listed_registration_rows: int = 0
    frozen_through: date | None = None
    newly_frozen: dict[str, int] = field(default_factory=dict)


def _exists(con: duckdb.DuckDBPyConnection, schema: str, name: str) -> bool:
    return con.execute(SQL["table_exists"], [schema, name]).fetchone()[0] > 0


def _freeze(con: duckdb.DuckDBPyConnection, through: date, report: RetentionReport) -> None:
    # Only months that exist can have been published: never freeze past the data.
    if _exists(con, "marts", "region_month"):
        last = con.execute(SQL["last_month"]).fetchone()[0]
        through = min(through, last) if last else through
    previous = con.execute(SQL["horizon"]).fetchone()[0]
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
    con.execute(SQL["set_horizon"], {"through": through})
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
        for ddl in ("frozen_schema", "frozen_horizon", "retention_runs"):
            con.execute(SQL[ddl])
        cutoff = add_months(as_of, -retention_months)
        _freeze(con, add_months(cutoff, REACH_MONTHS), report)

        con.execute(SQL["activity"])
        con.execute(SQL["purge_set"], [cutoff])
        report.youths_purged = con.execute(SQL["purge_count"]).fetchone()[0]
        for table in PERSON_TABLES:
            report.deleted[table] = con.execute(
                f"delete from {table} where pseudo_id in (select pseudo_id from retention_purge)"
            ).fetchone()[0]
        report.deleted["audit.quarantine"] += con.execute(
            SQL["purge_unnamed_quarantine"], [cutoff]
        ).fetchone()[0]
        report.never_listed_registration_rows = con.execute(
            SQL["purge_never_listed_registrations"], [add_months(as_of, -never_listed_months)]
        ).fetchone()[0]
        con.execute(
            SQL["log_run"],
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
        con.execute(SQL["drop_work_tables"])
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    return report
