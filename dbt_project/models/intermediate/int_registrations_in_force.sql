-- Youths with a registration that overlaps month M in a snapshot that counts for M,
-- whoever delivered it (SPEC §3 "Exclusion linkage"). One row per (month, youth, source).
-- Incremental by month (int_registration_month_digest): a row of month M reads only the
-- snapshots that count for M.
{{ config(**incremental_by_window_config('int_registration_month_digest')) }}
-- depends_on: {{ ref('int_registration_month_digest') }}
select distinct
    s.month,
    r.pseudo_id,
    r.source
from {{ ref('int_registration_snapshots') }} as s
inner join {{ ref('stg_registrations') }} as r
    on r.gemeentecode = s.gemeentecode
    and r.source = s.source
    and r.month = s.file_month
where r.begindatum <= {{ end_of_month('s.month') }}
    and (r.einddatum is null or r.einddatum >= s.month)
    and s.month >= {{ rebuild_from(ref('int_registration_month_digest')) }}
