-- The window: every month from the first to the last month with at least one loaded
-- jib.csv (SPEC §3). Statuses, runs, outflow, sustained and region_month exist only here.
with bounds as (
    select min(month) as first_month, max(month) as last_month
    from {{ ref('int_jib_deliveries') }}
)

select
    cast(m.generate_series as date) as month,
    {{ end_of_month('cast(m.generate_series as date)') }} as month_end,
    b.first_month,
    b.last_month
from bounds as b,
    generate_series(b.first_month, b.last_month, interval 1 month) as m
where b.first_month is not null
