-- Status on / off / unknown of every youth ever listed, for every month of the window
-- (SPEC §3 "Status"). L is the youth's latest month with a listing before M.
-- Incremental (macros/incremental.sql): a run computes the months from `since` on, and
-- every month of a youth first listed from then on; L comes from all listings (an ASOF
-- join), so a month computed alone equals the same month of a full build.
-- The months before a youth's first listing (39% of the rows at the country's real size)
-- carry nothing and are written directly at the end.
{{ config(**incremental_by_month_config()) }}
-- depends_on: {{ ref('int_jib_month_digest') }}
{% set since = rebuild_from(ref('int_jib_month_digest')) %}

with firsts as (
    select pseudo_id, min(month) as first_listing_month
    from {{ ref('int_listings') }}
    group by pseudo_id
),

spine as (
    select f.pseudo_id, w.month
    from firsts as f
    inner join {{ ref('int_window') }} as w
        on w.month >= f.first_listing_month
    where w.month >= {{ since }} or f.first_listing_month >= {{ since }}
),

carried as (
    select
        s.pseudo_id,
        s.month,
        l.month is not null as is_listed,
        l.gemeentecode,
        l.geboortedatum,
        p.month as previous_listing_month,
        p.geboortedatum as previous_geboortedatum,
        p.gemeentecode as previous_gemeentecode
    from spine as s
    left join {{ ref('int_listings') }} as l
        on l.pseudo_id = s.pseudo_id and l.month = s.month
    asof left join {{ ref('int_listings') }} as p
        on p.pseudo_id = s.pseudo_id and s.month > p.month
),

-- A municipality that listed the youth in L delivered no counting list in M.
lost_sight as (
    select distinct c.pseudo_id, c.month
    from carried as c
    inner join {{ ref('int_listing_rows') }} as r
        on r.pseudo_id = c.pseudo_id and r.month = c.previous_listing_month
    left join {{ ref('int_jib_deliveries') }} as d
        on d.gemeentecode = r.gemeentecode and d.month = c.month and d.counts_as_delivery
    where not c.is_listed and d.gemeentecode is null
)

select
    c.pseudo_id,
    c.month,
    c.is_listed,
    c.gemeentecode,
    c.geboortedatum,
    c.previous_listing_month,
    c.previous_geboortedatum,
    c.previous_gemeentecode,
    not c.is_listed
        and c.previous_geboortedatum is not null
        and {{ age_on('c.previous_geboortedatum', 'c.month') }} >= 27 as aged_out,
    case
        when c.is_listed then 'on'
        when c.previous_geboortedatum is not null
            and {{ age_on('c.previous_geboortedatum', 'c.month') }} >= 27 then 'off'
        when ls.pseudo_id is not null or q.pseudo_id is not null then 'unknown'
        else 'off'
    end as status
from carried as c
left join lost_sight as ls
    on ls.pseudo_id = c.pseudo_id and ls.month = c.month
left join {{ ref('int_jib_quarantined') }} as q
    on q.pseudo_id = c.pseudo_id and q.month = c.month

union all

-- Before the first listing there is no L: off, or unknown in a month with a quarantined
-- jib row of the youth.
select
    f.pseudo_id,
    w.month,
    false as is_listed,
    cast(null as varchar) as gemeentecode,
    cast(null as date) as geboortedatum,
    cast(null as date) as previous_listing_month,
    cast(null as date) as previous_geboortedatum,
    cast(null as varchar) as previous_gemeentecode,
    false as aged_out,
    case when q.pseudo_id is not null then 'unknown' else 'off' end as status
from firsts as f
inner join {{ ref('int_window') }} as w
    on w.month < f.first_listing_month
left join {{ ref('int_jib_quarantined') }} as q
    on q.pseudo_id = f.pseudo_id and q.month = w.month
where w.month >= {{ since }} or f.first_listing_month >= {{ since }}
