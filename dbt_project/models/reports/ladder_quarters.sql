-- Youths with a trede recorded in quarter Q, by how their rung at the end of Q compares
-- with their last rung before Q: omhoog, gelijk, omlaag, or eerste (no earlier rung).
-- Under the region of the municipality that recorded their last rung of Q; listed or not.
-- Per quarter rather than per month: a month's moves are so few that disclosure control
-- hid most of them. Every quarter touching the window has a row (`months_in_window` < 3:
-- a partial quarter, which the publish step shows as not known).
with quarter_ends as (
    -- The last rung of every quarter with a trede (same day: the highest, as int_trede_days).
    select
        pseudo_id,
        {{ quarter_of('datum') }} as quarter_start,
        arg_max(trede, datum) as trede,
        arg_max(gemeentecode, datum) as gemeentecode
    from {{ ref('int_trede_days') }}
    group by all
),

moves as (
    select
        *,
        lag(trede) over (partition by pseudo_id order by quarter_start) as previous_trede
    from quarter_ends
),

quarters as (
    {{ window_quarters() }}
),

computed as (
    select
        g.arbeidsmarktregio,
        q.quarter_start,
        q.months_in_window,
        case
            when m.previous_trede is null then 'eerste'
            when m.trede > m.previous_trede then 'omhoog'
            when m.trede < m.previous_trede then 'omlaag'
            else 'gelijk'
        end as direction,
        count(*) as youths
    from moves as m
    inner join quarters as q on q.quarter_start = m.quarter_start
    inner join {{ ref('stg_gemeenten') }} as g on g.gemeentecode = m.gemeentecode
    group by all
)

{{ with_frozen('computed', month_column='quarter_start') }}
