-- Runs of months on the list (SPEC §3): a run starts at an on month that is the youth's
-- first or follows an off month; unknown months neither count nor break a run.
-- One row per youth and window month with a known status, numbered by run. The months
-- before a youth's first listing hold no run, so only the months from it on go through
-- the windows.
with known as (
    select pseudo_id, month, status
    from {{ ref('int_status') }}
    where status <> 'unknown'
        and (is_listed or previous_listing_month is not null)
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

union all

-- Before the first listing: off (int_status), no run started.
select
    pseudo_id,
    month,
    status,
    false as starts_run,
    cast(0 as integer) as spell_number
from {{ ref('int_status') }}
where status <> 'unknown'
    and not is_listed
    and previous_listing_month is null
