-- Which registration file counts for month M, per municipality and source (SPEC §3):
-- the latest file in effect of months M-2..M; older snapshots are stale.
with files as (
    select distinct month, gemeentecode, source
    from {{ ref('stg_file_versions') }}
    where is_effective
        and source in ({{ quoted(exclusion_sources()) }})
)

select
    w.month,
    f.gemeentecode,
    f.source,
    max(f.month) as file_month
from {{ ref('int_window') }} as w
inner join files as f
    on f.month between {{ add_months('w.month', -var('registration_stale_months')) }} and w.month
group by w.month, f.gemeentecode, f.source
