-- The outreach funnel over a rolling year: for every window month M and region, the
-- youths in view there in any month of M-11..M, by the furthest step their events of
-- M-11..M reached (0 none, 1 benaderd, 2 bereikt, 3 intake, 4 traject, 5 uitgestroomd).
-- The steps partition the cohort, so "reached at least step s" sums steps >= s.
with cohort as (
    select distinct r.month, y.arbeidsmarktregio, y.pseudo_id
    from ({{ rolling_year_months() }}) as r
    inner join {{ ref('youth_month') }} as y
        on y.month between r.period_start and r.month and not y.excluded
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
        c.pseudo_id,
        coalesce(max(e.step), 0) as step
    from cohort as c
    left join event_months as e
        on e.pseudo_id = c.pseudo_id
        and e.month between {{ add_months('c.month', -11) }} and c.month
    group by all
),

computed as (
    select arbeidsmarktregio, month, step, count(*) as youths
    from furthest
    group by all
)

{{ with_frozen('computed') }}
