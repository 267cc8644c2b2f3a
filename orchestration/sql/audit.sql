-- What the ingest recorded (audit.loads), read by the asset checks, the freshness check
-- and the ingest's metadata (orchestration/defs/ingest/).

-- name: files_seen
select count(*) from audit.loads

-- name: jib_lists_seen
select count(*) from audit.loads where source = 'jib' and status = 'loaded'

-- name: header_only_after_full
-- Header-only lists after a list with rows, in the months [?, ?]: almost always an
-- export fault; they count as not delivered (SPEC §1 "Empty files").
select path, gemeentecode, month
from audit.jib_lists
where rows_in = 0 and previous_rows_in > 0 and month between ?::date and ?::date
order by month, gemeentecode

-- name: loaded_lists
-- When each municipality's list of month ? was first loaded.
select gemeentecode, min(loaded_at) as first_loaded
from audit.loads
where source = 'jib' and status = 'loaded' and month = ?
group by gemeentecode

-- name: municipalities_in_data
select distinct gemeentecode from audit.loads where gemeentecode is not null

-- name: rows_per_month
-- Current loaded versions per month and file type: what the marts are built from.
select strftime(month, '%Y-%m') as month, source, count(distinct gemeentecode) as gemeenten,
       sum(rows_loaded) as rows_loaded, sum(rows_quarantined) as rows_quarantined
from audit.loads
where status = 'loaded' and is_current and month is not null
group by all
order by month desc, source
