-- Retention (orchestration/retention.py): it maintains the raw layer that dbt reads,
-- which dbt itself has no business deleting from. Run in one transaction.

-- name: frozen_schema
create schema if not exists frozen

-- name: frozen_horizon
create table if not exists frozen.horizon (frozen_through date not null)

-- name: retention_runs
create table if not exists audit.retention_runs (
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
)

-- name: table_exists
select count(*) from information_schema.tables where table_schema = ? and table_name = ?

-- name: last_month
select max(month) from marts.region_month

-- name: horizon
select max(frozen_through) from frozen.horizon

-- name: set_horizon
delete from frozen.horizon;
insert into frozen.horizon values ($through)

-- name: activity
-- Every youth's latest month of activity across everything person-level that is stored:
-- listings, events, registrations (their end, or their start when open, or the file's
-- month, whichever is latest) and refused rows.
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

-- name: purge_set
create or replace temp table retention_purge as
select pseudo_id from retention_activity where last_month <= ?

-- name: purge_count
select count(*) from retention_purge

-- name: purge_unnamed_quarantine
-- Refused rows without a pseudonym (an invalid BSN) point at nobody; they go with the
-- file's month, on the same clock.
delete from audit.quarantine as q
where q.pseudo_id is null and exists (
    select 1 from audit.loads as l
    where l.path = q.path and l.sha256 = q.sha256 and l.month <= ?
)

-- name: purge_never_listed_registrations
-- A registration matches listings of its file's month up to two months later (the M-2
-- staleness); after that, for a youth never listed, it can't match anything. vso_pro
-- rows are the exception: they flag a later listing whatever their age, so they stay on
-- the 24-month clock.
delete from raw.registration as r
where r.source <> 'vso_pro' and r.month <= ?
    and not exists (select 1 from raw.jib as j where j.pseudo_id = r.pseudo_id)

-- name: log_run
insert into audit.retention_runs values (current_timestamp, ?, ?, ?, ?, ?, ?, ?, ?, ?)

-- name: drop_work_tables
drop table retention_purge;
drop table retention_activity
