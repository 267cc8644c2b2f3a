-- The closing summary of `inbeeld run` / `inbeeld demo` (orchestration/summary.py).

-- name: loads
-- Files per type in the run's months: loaded (current), rejected, and their rows.
select coalesce(source, '(onbekend)'),
       count(*) filter (where status = 'loaded' and is_current),
       count(*) filter (where status = 'rejected'),
       coalesce(sum(rows_in) filter (where status = 'loaded' and is_current), 0),
       coalesce(sum(rows_loaded) filter (where status = 'loaded' and is_current), 0),
       coalesce(sum(rows_quarantined) filter (where is_current or status = 'rejected'), 0)
from audit.loads
where month is null or month between ?::date and ?::date
group by all
order by 1

-- name: quarantine
select coalesce(l.gemeentecode, '-'), q.reason, count(*)
from audit.quarantine as q
inner join audit.loads as l using (path, sha256)
where (l.is_current or l.status = 'rejected')
    and (l.month is null or l.month between ?::date and ?::date)
group by all
order by 1, 2

-- name: held_back
select path from audit.held_back order by path

-- name: has_table
select count(*) from information_schema.tables where table_schema = ? and table_name = ?

-- name: latest_month
select max(month) from marts.region_month

-- name: region_totals
-- The region's figures of the latest month, in the order of summary.MART_COLUMNS.
select arbeidsmarktregio, on_list, excluded, in_view, persistent,
       priority_a, priority_b, priority_c, approached, reached, in_trajectory
from marts.region_month
where gemeentecode = 'TOTAAL' and month = ?
order by arbeidsmarktregio

-- name: exclusions
-- Excluded per source: every excluded_<source> column, whatever the sources are.
select arbeidsmarktregio, replace(source, 'excluded_', '') as source, youths
from (
    unpivot (
        select arbeidsmarktregio, columns('^excluded_.+')
        from marts.region_month
        where gemeentecode = 'TOTAAL' and month = ?
    )
    on columns('^excluded_.+') into name source value youths
)
order by arbeidsmarktregio, source

-- name: stages
select stage, count(*) from marts.youth_month where month = ? group by 1 order by 2 desc

-- name: placements
select kind, count(*), count(*) filter (where sustained),
       count(*) filter (where not sustained), count(*) filter (where sustained is null)
from marts.placements
group by 1
order by 1

-- name: outflow
select reason, count(*) from marts.outflow group by 1 order by 2 desc
