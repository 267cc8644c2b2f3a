-- Stage and trede per youth-month listed (SPEC §3 "Case stage").
-- Quiet period: from month(latest weigering) + declined_quiet_months on, a geweigerd that
-- no later event changed is shown and counted as niet_benaderd.
with listed as (
    select pseudo_id, month, {{ end_of_month('month') }} as month_end
    from {{ ref('int_listings') }}
),

weigeringen as (
    select pseudo_id, datum from {{ ref('int_events') }} where gebeurtenis = 'weigering'
),

trede_days as (
    -- Two trede events on one day: the highest rung counts.
    select pseudo_id, datum, max(cast(waarde as integer)) as trede
    from {{ ref('int_events') }}
    where gebeurtenis = 'trede'
    group by pseudo_id, datum
),

staged as (
    select
        l.pseudo_id,
        l.month,
        coalesce(s.stage, 'niet_benaderd') as stage
    from listed as l
    asof left join {{ ref('int_stage_timeline') }} as s
        on s.pseudo_id = l.pseudo_id and s.datum <= l.month_end
),

with_quiet as (
    select
        st.pseudo_id,
        st.month,
        st.stage,
        w.datum as latest_weigering
    from staged as st
    inner join listed as l
        on l.pseudo_id = st.pseudo_id and l.month = st.month
    asof left join weigeringen as w
        on w.pseudo_id = l.pseudo_id and w.datum <= l.month_end
)

select
    q.pseudo_id,
    q.month,
    case
        when q.stage = 'geweigerd'
            and q.month >= {{ add_months(month_of('q.latest_weigering'), var('declined_quiet_months')) }}
            then 'niet_benaderd'
        else q.stage
    end as stage,
    q.stage as stage_internal,
    t.trede
from with_quiet as q
inner join listed as l
    on l.pseudo_id = q.pseudo_id and l.month = q.month
asof left join trede_days as t
    on t.pseudo_id = l.pseudo_id and t.datum <= l.month_end
