-- Youths with a trede recorded in month M, by how their rung at the end of M compares
-- with their rung before M: omhoog, gelijk, omlaag, or eerste (no earlier rung). Under
-- the region of the municipality that recorded their last rung of M; listed or not.
with month_ends as (
    -- The last rung of every month with a trede, and the last rung of the month before.
    select
        pseudo_id,
        {{ month_of('datum') }} as month,
        arg_max(trede, datum) as trede,
        arg_max(gemeentecode, datum) as gemeentecode
    from {{ ref('int_trede_days') }}
    group by all
),

moves as (
    select
        *,
        lag(trede) over (partition by pseudo_id order by month) as previous_trede
    from month_ends
),

computed as (
    select
        g.arbeidsmarktregio,
        m.month,
        case
            when m.previous_trede is null then 'eerste'
            when m.trede > m.previous_trede then 'omhoog'
            when m.trede < m.previous_trede then 'omlaag'
            else 'gelijk'
        end as direction,
        count(*) as youths
    from moves as m
    inner join {{ ref('int_window') }} as w on w.month = m.month
    inner join {{ ref('stg_gemeenten') }} as g on g.gemeentecode = m.gemeentecode
    group by all
)

{{ with_frozen('computed') }}
