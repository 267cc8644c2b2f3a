-- The outreach funnel over a rolling year, per municipality: for every window month M and
-- region, the youths in view there in any month of M-11..M, under the municipality of
-- their latest such month (so the municipalities add up to the region's funnel,
-- reports.outreach_funnel), by the furthest step their events of M-11..M reached
-- (0 none, 1 benaderd, 2 bereikt, 3 intake, 4 traject, 5 uitgestroomd).
with cohort as (
    select
        r.month,
        y.arbeidsmarktregio,
        y.pseudo_id,
        arg_max(y.gemeentecode, y.month) as gemeentecode
    from ({{ rolling_year_months() }}) as r
    inner join {{ ref('youth_month') }} as y
        on y.month between r.period_start and r.month and not y.excluded
    group by all
),

event_months as (
    select pseudo_id, {{ month_of('datum') }} as month, max({{ funnel_step('gebeurtenis') }}) as step
    from {{ ref('int_events') }}
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
)

{{ with_frozen('computed') }}
