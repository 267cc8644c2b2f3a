-- Runs of months on the list (SPEC §3): a run starts at an on month that is the youth's
-- first or follows an off month; unknown months neither count nor break a run.
-- One row per youth and window month with a known status, numbered by run.
with known as (
    select pseudo_id, month, status, is_listed
    from {{ ref('int_status') }}
    where status <> 'unknown'
),

marked as (
    select
        *,
        status = 'on'
            and coalesce(lag(status) over by_month, 'off') = 'off' as starts_run
    from known
    window by_month as (partition by pseudo_id order by month)
)

select
    pseudo_id,
    month,
    status,
    starts_run,
    cast(sum(case when starts_run then 1 else 0 end) over (
        partition by pseudo_id order by month rows unbounded preceding
    ) as integer) as spell_number
from marked
