-- Exclusion per youth-month listed: excluded, and the matching sources in alphabetical
-- order joined by ',' (NULL when not excluded).
select
    l.pseudo_id,
    l.month,
    count(r.source) > 0 as excluded,
    {{ sorted_csv('r.source') }} as exclusion_reasons,
    {%- for source in exclusion_sources() %}
    coalesce(bool_or(r.source = '{{ source }}'), false) as excluded_{{ source }}
    {{- "," if not loop.last }}
    {%- endfor %}
from {{ ref('int_listings') }} as l
left join {{ ref('int_registrations_in_force') }} as r
    on r.pseudo_id = l.pseudo_id and r.month = l.month
group by l.pseudo_id, l.month
