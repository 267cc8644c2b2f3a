-- The outreach funnel over a rolling year, per municipality: for every window month M and
-- region, the youths in view there in any month of M-11..M, under the municipality of
-- their latest such month (so the municipalities add up to the region's funnel,
-- reports.outreach_funnel), by the furthest step their events of M-11..M reached
-- (0 none, 1 benaderd, 2 bereikt, 3 intake, 4 traject, 5 uitgestroomd).
-- Each in-view month of a youth in a region, with the next one: that month is the youth's
-- latest in-view month for the window months M from it up to M+11, before the next one.
-- (Expanding every month over the twelve rolling years it falls in and grouping made six
-- times as many rows at the country's real size: 3.0 s against 2.4.)
-- Incremental by month: month M reads months M-11..M only, so a run recomputes the months
-- from the first one whose inputs changed (funnel_month_digest) and keeps those before.
{{ config(**incremental_by_window_config('funnel_month_digest')) }}
-- depends_on: {{ ref('funnel_month_digest') }}
{% set since = rebuild_from(ref('funnel_month_digest')) %}

with in_view as (
    select
        pseudo_id,
        arbeidsmarktregio,
        gemeentecode,
        month,
        lead(month) over (partition by pseudo_id, arbeidsmarktregio order by month) as next_month
    from {{ ref('youth_month') }}
    -- An in-view month before since-11 reaches no window month from since on.
    where not excluded and month >= {{ add_months(since, -11) }}
),

cohort as (
    select w.month, i.arbeidsmarktregio, i.pseudo_id, i.gemeentecode
    from in_view as i
    inner join {{ ref('int_window') }} as w
        on w.month >= i.month
        and w.month <= {{ add_months('i.month', 11) }}
        and (i.next_month is null or w.month < i.next_month)
    where w.month >= {{ since }}
),

event_months as (
    select pseudo_id, {{ month_of('datum') }} as month, max({{ funnel_step('gebeurtenis') }}) as step
    from {{ ref('int_events') }}
    where datum >= {{ add_months(since, -11) }}
    group by all
    having max({{ funnel_step('gebeurtenis') }}) > 0
),

furthest as (
    select
        c.month,
        c.arbeidsmarktregio,
        c.gemeentecode,
        c.pseudo_id,
        coalesce(max(e.step), 0) as step
    from cohort as c
    left join event_months as e
        on e.pseudo_id = c.pseudo_id
        and e.month between {{ add_months('c.month', -11) }} and c.month
    group by all
),

computed as (
    select arbeidsmarktregio, gemeentecode, month, step, count(*) as youths
    from furthest
    group by all
),

published as (
    {{ with_frozen('computed') }}
)

select * from published where month >= {{ since }}
