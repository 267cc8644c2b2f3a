-- Youths on the list per region and month by their current participatieladder rung
-- ('geen' when none is known). The rungs add up to region_month's on_list of the region.
with computed as (
    select
        arbeidsmarktregio,
        month,
        coalesce(cast(trede as varchar), 'geen') as trede,
        count(*) as youths
    from {{ ref('youth_month') }}
    group by all
)

{{ with_frozen('computed') }}
