-- The outreach funnel over a rolling year: for every window month M and region, the
-- youths in view there in any month of M-11..M, by the furthest step their events of
-- M-11..M reached (0 none, 1 benaderd, 2 bereikt, 3 intake, 4 traject, 5 uitgestroomd).
-- The steps partition the cohort, so "reached at least step s" sums steps >= s. The sum
-- of reports.outreach_funnel_municipal, where every youth has one municipality.
with computed as (
    select arbeidsmarktregio, month, step, sum(youths)::bigint as youths
    from {{ ref('outreach_funnel_municipal') }}
    group by all
)

{{ with_frozen('computed') }}
