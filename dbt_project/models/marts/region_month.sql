-- Counts per municipality and month, plus a TOTAAL row per region and month (SPEC §4).
-- Internal use only: these counts are not disclosure-controlled.
{# Exclusion sources and outflow reasons come from their seeds (macros/codes.sql). #}
{% set sources = exclusion_sources() %}
{% set reasons = outflow_reasons() %}
{% set stock_columns = ['on_list', 'excluded'] %}
{% for s in sources %}{% do stock_columns.append('excluded_' ~ s) %}{% endfor %}
{% do stock_columns.extend(['in_view', 'persistent', 'priority_a', 'priority_b',
    'priority_c', 'approached', 'reached', 'in_trajectory']) %}
{% set flow_columns = ['started_work', 'started_education', 'ladder_up'] %}
{% set count_columns = stock_columns + flow_columns %}
{% for r in reasons %}{% do count_columns.append('outflow_' ~ r) %}{% endfor %}

with window_months as (
    select month from {{ ref('int_window') }}
),

stocks as (
    select
        y.month,
        y.gemeentecode,
        count(*) as on_list,
        count(*) filter (where y.excluded) as excluded,
        {% for s in sources %}count(*) filter (where e.excluded_{{ s }}) as excluded_{{ s }},
        {% endfor %}
        count(*) filter (where not y.excluded) as in_view,
        count(*) filter (where not y.excluded and y.persistent) as persistent,
        count(*) filter (where y.priority = 'A') as priority_a,
        count(*) filter (where y.priority = 'B') as priority_b,
        count(*) filter (where y.priority = 'C') as priority_c,
        count(*) filter (where y.stage in ('benaderd', 'bereikt', 'intake', 'traject')) as approached,
        count(*) filter (where y.stage in ('bereikt', 'intake', 'traject')) as reached,
        count(*) filter (where y.stage = 'traject') as in_trajectory
    from {{ ref('youth_month') }} as y
    -- The per-source flags are set on excluded youth-months only: join just those.
    left join (select * from {{ ref('int_exclusions') }} where excluded) as e
        on e.pseudo_id = y.pseudo_id and e.month = y.month
    group by y.month, y.gemeentecode
),

starts as (
    select
        {{ month_of('datum') }} as month,
        gemeentecode,
        count(distinct pseudo_id) filter (where gebeurtenis = 'start_werk') as started_work,
        count(distinct pseudo_id) filter (where gebeurtenis = 'start_opleiding') as started_education
    from {{ ref('int_events') }}
    where gebeurtenis in ('start_werk', 'start_opleiding')
    group by all
),

trede_days as (
    select * from {{ ref('int_trede_days') }}
),

ladder as (
    select
        {{ month_of('datum') }} as month,
        gemeentecode,
        count(distinct pseudo_id) as ladder_up
    from (
        select *, lag(trede) over (partition by pseudo_id order by datum) as previous_trede
        from trede_days
    )
    where trede > previous_trede
    group by all
),

outflows as (
    select
        off_month as month,
        gemeentecode,
        {% for r in reasons %}
        count(*) filter (where reason = '{{ r }}') as outflow_{{ r }}{{ ',' if not loop.last }}
        {% endfor %}
    from {{ ref('outflow') }}
    group by all
),

municipality_months as (
    select month, gemeentecode
    from {{ ref('stg_file_versions') }}
    where status = 'loaded' and is_effective and gemeentecode is not null
    union select month, gemeentecode from stocks
    union select month, gemeentecode from starts
    union select month, gemeentecode from ladder
    union select month, gemeentecode from outflows
),

municipal as (
    select
        g.arbeidsmarktregio,
        k.gemeentecode,
        k.month,
        {% for c in stock_columns %}coalesce(s.{{ c }}, 0) as {{ c }},
        {% endfor %}
        coalesce(st.started_work, 0) as started_work,
        coalesce(st.started_education, 0) as started_education,
        coalesce(l.ladder_up, 0) as ladder_up,
        {% for r in reasons %}coalesce(o.outflow_{{ r }}, 0) as outflow_{{ r }}{{ ',' if not loop.last }}
        {% endfor %}
    from municipality_months as k
    inner join window_months as w on w.month = k.month
    left join {{ ref('stg_gemeenten') }} as g on g.gemeentecode = k.gemeentecode
    left join stocks as s on s.month = k.month and s.gemeentecode = k.gemeentecode
    left join starts as st on st.month = k.month and st.gemeentecode = k.gemeentecode
    left join ladder as l on l.month = k.month and l.gemeentecode = k.gemeentecode
    left join outflows as o on o.month = k.month and o.gemeentecode = k.gemeentecode
),

region_months as (
    select r.arbeidsmarktregio, w.month
    from (select distinct arbeidsmarktregio from municipal) as r
    cross join window_months as w
),

totals as (
    select
        rm.arbeidsmarktregio,
        'TOTAAL' as gemeentecode,
        rm.month,
        {% for c in count_columns %}coalesce(sum(m.{{ c }}), 0) as {{ c }}{{ ',' if not loop.last }}
        {% endfor %}
    from region_months as rm
    left join municipal as m
        on m.arbeidsmarktregio = rm.arbeidsmarktregio and m.month = rm.month
    group by rm.arbeidsmarktregio, rm.month
),

computed as (
    select
        arbeidsmarktregio,
        gemeentecode,
        month,
        {% for c in count_columns %}cast({{ c }} as integer) as {{ c }}{{ ',' if not loop.last }}
        {% endfor %}
    from (
        select * from municipal
        union all by name
        select * from totals
    )
)

-- Months frozen by the retention job keep the rows they had (SPEC §2).
{{ with_frozen('computed') }}
