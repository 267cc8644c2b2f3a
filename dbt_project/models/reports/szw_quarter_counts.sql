-- The SZW quarterly table before disclosure control (internal): per region and complete
-- quarter of the window, the stock at the quarter's last month and the flows within the
-- quarter. Flows count distinct youths under the region of the event's municipality,
-- so a youth who moves within the region counts once. The publish step protects this
-- into reports.szw_quarterly and publish/szw/szw_kwartaal.csv.
{% set reasons = outflow_reasons() %}
with quarters as (
    select
        cast(date_trunc('quarter', month) as date) as quarter_start,
        max(month) as quarter_end_month,
        count(*) as months_in_window
    from {{ ref('int_window') }}
    group by 1
    having count(*) = 3
),

region_quarters as (
    select distinct q.*, r.arbeidsmarktregio
    from quarters as q
    cross join (
        select distinct arbeidsmarktregio from {{ ref('region_month') }}
    ) as r
),

events as (
    select
        g.arbeidsmarktregio,
        cast(date_trunc('quarter', e.datum) as date) as quarter_start,
        e.pseudo_id,
        e.gebeurtenis
    from {{ ref('int_events') }} as e
    inner join {{ ref('stg_gemeenten') }} as g on g.gemeentecode = e.gemeentecode
),

flows as (
    select
        arbeidsmarktregio,
        quarter_start,
        count(distinct pseudo_id) filter (where {{ funnel_step('gebeurtenis') }} = 1) as benaderd,
        count(distinct pseudo_id) filter (where gebeurtenis = 'contact') as bereikt,
        count(distinct pseudo_id) filter (where gebeurtenis = 'start_werk') as gestart_werk,
        count(distinct pseudo_id) filter (where gebeurtenis = 'start_opleiding') as gestart_opleiding
    from events
    group by all
),

sustained as (
    select
        g.arbeidsmarktregio,
        cast(date_trunc('quarter', p.datum) as date) as quarter_start,
        count(distinct p.pseudo_id) as duurzaam
    from {{ ref('placements') }} as p
    inner join {{ ref('stg_gemeenten') }} as g on g.gemeentecode = p.gemeentecode
    where p.sustained
    group by all
),

outflows as (
    select
        arbeidsmarktregio,
        cast(date_trunc('quarter', month) as date) as quarter_start,
        {% for r in reasons %}sum(outflow_{{ r }}) as uitstroom_{{ r }}{{ ',' if not loop.last }}
        {% endfor %}
    from {{ ref('region_month') }}
    where gemeentecode = 'TOTAAL'
    group by all
),

computed as (
    select
        rq.arbeidsmarktregio,
        rq.quarter_start,
        rq.quarter_end_month,
        year(rq.quarter_start) || '-K' || quarter(rq.quarter_start) as kwartaal,
        coalesce(s.on_list, 0) as op_de_lijst,
        coalesce(s.excluded, 0) as uitgesloten,
        {% for s in exclusion_sources() %}coalesce(s.excluded_{{ s }}, 0) as uitgesloten_{{ s }},
        {% endfor %}
        coalesce(s.in_view, 0) as in_beeld,
        coalesce(s.persistent, 0) as persistent,
        coalesce(s.in_trajectory, 0) as in_traject,
        coalesce(f.benaderd, 0) as benaderd,
        coalesce(f.bereikt, 0) as bereikt,
        coalesce(f.gestart_werk, 0) as gestart_werk,
        coalesce(f.gestart_opleiding, 0) as gestart_opleiding,
        coalesce(d.duurzaam, 0) as duurzaam,
        {% for r in reasons %}coalesce(o.uitstroom_{{ r }}, 0) as uitstroom_{{ r }},
        {% endfor %}
        {% for r in reasons %}coalesce(o.uitstroom_{{ r }}, 0){{ ' + ' if not loop.last }}{% endfor %} as uitstroom_totaal
    from region_quarters as rq
    left join {{ ref('region_month') }} as s
        on s.arbeidsmarktregio = rq.arbeidsmarktregio
        and s.gemeentecode = 'TOTAAL'
        and s.month = rq.quarter_end_month
    left join flows as f on f.arbeidsmarktregio = rq.arbeidsmarktregio and f.quarter_start = rq.quarter_start
    left join sustained as d on d.arbeidsmarktregio = rq.arbeidsmarktregio and d.quarter_start = rq.quarter_start
    left join outflows as o on o.arbeidsmarktregio = rq.arbeidsmarktregio and o.quarter_start = rq.quarter_start
)

{{ with_frozen('computed', 'quarter_start') }}
