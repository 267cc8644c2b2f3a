-- Youths referred over the rolling year up to M to an organisation that can play each
-- role (bereiken, activeren, plaatsen, behouden), and how many of them started work or
-- school. An organisation can play several roles: these counts overlap.
{% set roles = ['bereiken', 'activeren', 'plaatsen', 'behouden'] %}
with computed as (
{% for role in roles %}
select
    arbeidsmarktregio,
    month,
    '{{ role }}' as rol,
    count(*) as youths,
    count(*) filter (where uitkomst in ('werk', 'opleiding')) as youths_uitgestroomd
from {{ ref('int_referred_youths') }}
where {{ role }}
group by all
{{ 'union all' if not loop.last }}
{% endfor %}
)

{{ with_frozen('computed') }}
