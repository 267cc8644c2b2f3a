-- Exclusion per youth-month listed: excluded, and the matching sources in alphabetical
-- order joined by ',' (NULL when not excluded). The registrations are grouped first, so
-- only the youth-months that have one are aggregated, not every listing.
-- Incremental by month (int_exclusion_month_digest): a row of month M reads only month M.
{{ config(**incremental_by_window_config('int_exclusion_month_digest')) }}
-- depends_on: {{ ref('int_exclusion_month_digest') }}
{% set since = rebuild_from(ref('int_exclusion_month_digest')) %}

with matched as (
    select
        r.pseudo_id,
        r.month,
        count(r.source) > 0 as excluded,
        {{ sorted_csv('r.source') }} as exclusion_reasons,
        {%- for source in exclusion_sources() %}
        bool_or(r.source = '{{ source }}') as excluded_{{ source }}
        {{- "," if not loop.last }}
        {%- endfor %}
    from {{ ref('int_registrations_in_force') }} as r
    semi join {{ ref('int_listings') }} as l
        on l.pseudo_id = r.pseudo_id and l.month = r.month
    where r.month >= {{ since }}
    group by r.pseudo_id, r.month
)

select
    l.pseudo_id,
    l.month,
    coalesce(m.excluded, false) as excluded,
    m.exclusion_reasons,
    {%- for source in exclusion_sources() %}
    coalesce(m.excluded_{{ source }}, false) as excluded_{{ source }}
    {{- "," if not loop.last }}
    {%- endfor %}
from {{ ref('int_listings') }} as l
left join matched as m
    on m.pseudo_id = l.pseudo_id and m.month = l.month
where l.month >= {{ since }}
