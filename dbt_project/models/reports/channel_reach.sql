-- What works: per region, municipality, quarter and outreach channel (the channel events
-- of seed case_events), the youths approached that way in the quarter and how many of
-- them were reached (contact or a later funnel step) within reach_months months of their
-- first such approach in the quarter (same day included: contact ranks after every
-- channel). A youth approached by several channels counts under each: channels do not
-- add up. Under the municipality of the first approach, so municipalities add up to the
-- region. Reached is known once reach_months have passed after the quarter; partial
-- quarters have months_in_window < 3.
with approaches as (
    select
        pseudo_id,
        gebeurtenis as kanaal,
        {{ quarter_of('datum') }} as quarter_start,
        min(datum) as datum,
        arg_min(gemeentecode, datum) as gemeentecode
    from {{ ref('int_events') }}
    where gebeurtenis in ({{ quoted(channel_events()) }})
    group by all
),

answers as (
    select pseudo_id, datum
    from {{ ref('int_events') }}
    where {{ funnel_step('gebeurtenis') }} >= 2
),

reached as (
    select
        a.pseudo_id,
        a.kanaal,
        a.quarter_start,
        a.gemeentecode,
        bool_or(r.pseudo_id is not null) as reached
    from approaches as a
    left join answers as r
        on r.pseudo_id = a.pseudo_id
        and r.datum >= a.datum
        and r.datum < a.datum + to_months({{ var('reach_months') }})
    group by all
),

quarters as (
    {{ window_quarters() }}
),

computed as (
    select
        g.arbeidsmarktregio,
        r.gemeentecode,
        q.quarter_start,
        q.months_in_window,
        r.kanaal,
        count(*) as approached,
        count(*) filter (where r.reached) as reached
    from reached as r
    inner join quarters as q on q.quarter_start = r.quarter_start
    inner join {{ ref('stg_gemeenten') }} as g on g.gemeentecode = r.gemeentecode
    group by all
)

{{ with_frozen('computed', month_column='quarter_start') }}
