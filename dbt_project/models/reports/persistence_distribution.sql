-- Youths in view (listed, not excluded) per region and month by the length of their
-- current run on the list. The buckets add up to region_month's in_view of the region.
with computed as (
    select
        arbeidsmarktregio,
        month,
        case
            when consecutive_months >= 12 then '12+'
            when consecutive_months >= 6 then '6-11'
            when consecutive_months >= 3 then '3-5'
            else cast(consecutive_months as varchar)
        end as bucket,
        count(*) as youths
    from {{ ref('youth_month') }}
    where not excluded
    group by all
)

{{ with_frozen('computed') }}
