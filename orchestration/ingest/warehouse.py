"""The ingest's tables in the DuckDB warehouse: raw rows, audit.loads, audit.quarantine,
audit.held_back.

audit.loads.sha256 of a version that was not read at all (not a regular file, gone while
reading, larger than INBEELD_MAX_FILE_MB) is the sha256 of zero bytes, e3b0c442...b855.

The only SQL outside dbt (DEVELOPERS.md): creating the landing tables and writing
one ingest run into them in a single transaction, so a crash leaves nothing half done.
"""

from __future__ import annotations

DDL: tuple[str, ...] = (
    "create schema if not exists raw",
    "create schema if not exists audit",
    """create table if not exists audit.loads (
        path varchar not null,
        month date,
        gemeentecode varchar,
        source varchar,
        sha256 varchar not null,
        is_current boolean not null,
        status varchar not null,
        rows_in integer,
        rows_loaded integer,
        rows_quarantined integer,
        reason varchar,
        message varchar,
        loaded_at timestamp not null,
        last_seen_at timestamp,
        primary key (path, sha256)
    )""",
    # Warehouses from before last_seen_at: the run that last found this version in the inbox.
    "alter table audit.loads add column if not exists last_seen_at timestamp",
    # The version in effect per delivery slot (month, gemeentecode, file type), the one
    # definition read by dbt (staging.stg_file_versions) and by the GX suites: normally one
    # path fills a slot; when a renamed file left an older path behind (a file that
    # disappears stays as it was, SPEC §1), the most recently loaded current version wins.
    """create or replace view audit.versions_in_effect as
    select path, sha256, month, gemeentecode, source
    from audit.loads
    where status = 'loaded' and is_current
    qualify row_number() over (
        partition by month, gemeentecode, source order by loaded_at desc, path desc) = 1""",
    # Every current loaded jib list beside the same municipality's previous one (by
    # month): read by the short-list warning and the header-only check.
    """create or replace view audit.jib_lists as
    select path, gemeentecode, month, rows_in, rows_loaded,
           lag(rows_in) over w as previous_rows_in,
           lag(rows_loaded) over w as previous_rows_loaded
    from audit.loads
    where source = 'jib' and status = 'loaded' and is_current
    window w as (partition by gemeentecode order by month)""",
    """create table if not exists audit.quarantine (
        path varchar not null,
        sha256 varchar not null,
        line integer not null,
        reason varchar not null,
        message varchar not null,
        pseudo_id varchar,
        bsn_length integer
    )""",
    # Files held back by the latest run (modified within the settle window, or changed
    # while read): replaced entirely by every ingest run.
    """create table if not exists audit.held_back (
        path varchar not null,
        detected_at timestamp not null
    )""",
    """create table if not exists raw.jib (
        path varchar not null, sha256 varchar not null, line integer not null,
        month date not null, gemeentecode varchar not null,
        pseudo_id varchar not null, geboortedatum date not null
    )""",
    """create table if not exists raw.registration (
        path varchar not null, sha256 varchar not null, line integer not null,
        month date not null, gemeentecode varchar not null, source varchar not null,
        pseudo_id varchar not null, begindatum date not null, einddatum date
    )""",
    """create table if not exists raw.begeleiding (
        path varchar not null, sha256 varchar not null, line integer not null,
        month date not null, gemeentecode varchar not null,
        pseudo_id varchar not null, datum date not null, gebeurtenis varchar not null,
        waarde varchar
    )""",
    """create table if not exists raw.sociale_kaart (
        path varchar not null, sha256 varchar not null, line integer not null,
        organisatie_id varchar, naam varchar, type varchar,
        bereiken boolean, activeren boolean, plaatsen boolean, behouden boolean
    )""",
    # bevolking.csv: residents aged 23-26 per municipality and year (CBS StatLine), the
    # denominator of the per-1,000 figures. No person data.
    """create table if not exists raw.bevolking (
        path varchar not null, sha256 varchar not null, line integer not null,
        gemeentecode varchar not null, jaar integer not null, inwoners_23_26 integer not null
    )""",
)

RAW_TABLE: dict[str, str] = {
    "jib": "raw.jib",
    "registration": "raw.registration",
    "begeleiding": "raw.begeleiding",
    "sociale_kaart": "raw.sociale_kaart",
    "bevolking": "raw.bevolking",
}

RAW_COLUMNS: dict[str, tuple[str, ...]] = {
    "jib": ("path", "sha256", "line", "month", "gemeentecode", "pseudo_id", "geboortedatum"),
    "registration": (
        "path",
        "sha256",
        "line",
        "month",
        "gemeentecode",
        "source",
        "pseudo_id",
        "begindatum",
        "einddatum",
    ),
    "begeleiding": (
        "path",
        "sha256",
        "line",
        "month",
        "gemeentecode",
        "pseudo_id",
        "datum",
        "gebeurtenis",
        "waarde",
    ),
    "sociale_kaart": (
        "path",
        "sha256",
        "line",
        "organisatie_id",
        "naam",
        "type",
        "bereiken",
        "activeren",
        "plaatsen",
        "behouden",
    ),
    "bevolking": ("path", "sha256", "line", "gemeentecode", "jaar", "inwoners_23_26"),
}

LOAD_COLUMNS: tuple[str, ...] = (
    "path",
    "month",
    "gemeentecode",
    "source",
    "sha256",
    "is_current",
    "status",
    "rows_in",
    "rows_loaded",
    "rows_quarantined",
    "reason",
    "message",
    "loaded_at",
    "last_seen_at",
)
QUARANTINE_COLUMNS: tuple[str, ...] = (
    "path",
    "sha256",
    "line",
    "reason",
    "message",
    "pseudo_id",
    "bsn_length",
)

# Rejected file versions still open for the months [?, ?]: what the data team has to chase.
# A rejection is closed once a version in effect for the same delivery slot was delivered
# at or after it (a corrected re-delivery of the same path, or a replacement under another
# name for the same month, gemeentecode and file type, e.g. jib.csv after JIB .csv), or was
# found in the inbox by a later run than the one that last found the rejected version (the
# good file put back after a bad re-delivery: the bad one no longer lies there). A rejected
# version still lying beside the version in effect is found by the same runs and stays
# open; its message says which earlier version stays in effect (SPEC §1: a rejected version
# changes nothing). Columns: path, reason, message.
OPEN_REJECTIONS_SQL = """
    with in_effect as (
        select path, month, gemeentecode, source, loaded_at, last_seen_at
        from audit.loads
        where status = 'loaded' and is_current
    ),
    open as (
        select l.*
        from audit.loads l
        where l.status = 'rejected'
          and (l.month is null or l.month between ?::date and ?::date)
          and not exists (
              select 1 from in_effect c
              where (c.loaded_at >= l.loaded_at
                     or coalesce(c.last_seen_at, c.loaded_at)
                        > coalesce(l.last_seen_at, l.loaded_at))
                and (c.path = l.path
                     or (l.source is not null and c.source = l.source
                         and c.month is not distinct from l.month
                         and c.gemeentecode is not distinct from l.gemeentecode)))
    )
    select o.path, o.reason,
           coalesce(o.message, '') || coalesce((
               select case when bool_or(c.path = o.path)
                   then ' De eerder ingelezen versie van dit bestand blijft van kracht.'
                   else ' De eerder ingelezen versie (' || min(c.path) || ') blijft van kracht.'
               end
               from in_effect c
               where c.path = o.path
                  or (o.source is not null and c.source = o.source
                      and c.month is not distinct from o.month
                      and c.gemeentecode is not distinct from o.gemeentecode)
               having count(*) > 0), '') as message
    from open o
    order by o.path
"""

# Lists of the months [?, ?] less than half as long as the municipality's previous list:
# almost always an export fault (a cut-off file, a filter left on), not a real drop.
SHORT_LISTS_SQL = """
    select path, rows_loaded, previous_rows_loaded
    from audit.jib_lists
    where month between ?::date and ?::date
      and previous_rows_loaded > 0 and rows_loaded * 2 < previous_rows_loaded
    order by path
"""
