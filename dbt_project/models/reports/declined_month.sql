-- Invisibility respected: per region, municipality and month, the listed youths who
-- declined (stage geweigerd: a weigering within the quiet period of declined_quiet_months)
-- and who objected (stage bezwaar). Neither is approached; the counts show it.
with computed as (
    select
        arbeidsmarktregio,
        gemeentecode,
        month,
        count(*) filter (where stage = 'geweigerd') as geweigerd,
        count(*) filter (where stage = 'bezwaar') as bezwaar
    from {{ ref('youth_month') }}
    where arbeidsmarktregio is not null
    group by all
)

{{ with_frozen('computed') }}
