-- Status on / off / unknown of every youth ever listed, for every month of the window
-- (SPEC §3 "Status"). L is the youth's latest month with a listing before M.
-- Incremental (macros/incremental.sql): a run computes the months from `since` on, and
-- every month of a youth first listed from then on; L comes from all listings, so a
-- month computed alone equals the same month of a full build.
-- The months before a youth's first listing (39% of the rows at the country's real size)
-- carry nothing and are written directly at the end.
{{ config(**incremental_by_month_config()) }}
-- depends_on: {{ ref('int_jib_month_digest') }}
{% set since = rebuild_from(ref('int_jib_month_digest')) %}

-- The listings a build reads: all of them, or (incremental) those from `since` on and
-- each youth's last one before it, the only earlier one that is L of a month recomputed.
with scope as (
    {% if is_incremental() %}
        select
            pseudo_id,
            max(month) as month,
            arg_max(gemeentecode, month) as gemeentecode,
            arg_max(geboortedatum, month) as geboortedatum
        from {{ ref('int_listings') }}
        where month < {{ since }}
        group by pseudo_id

        union all

        select pseudo_id, month, gemeentecode, geboortedatum
        from {{ ref('int_listings') }}
        where month >= {{ since }}
    {% else %}
        select pseudo_id, month, gemeentecode, geboortedatum
        from {{ ref('int_listings') }}
    {% endif %}
),

-- Each listing with the one before and the one after: L of a listed month is the one
-- before, and of the months after it up to the next one it is L itself. (Spans instead
-- of an ASOF join per youth-month: 4.9 -> 3.1 s for a full build at the real size.)
-- In an incremental build a youth's first listing in scope can be a later one; that only
-- matters for rows before `since`, which are not recomputed.
listings as (
    select
        pseudo_id,
        month,
        gemeentecode,
        geboortedatum,
        lag(month) over by_youth as previous_month,
        lag(gemeentecode) over by_youth as previous_gemeentecode,
        lag(geboortedatum) over by_youth as previous_geboortedatum,
        lead(month) over by_youth as next_month,
        min(month) over (partition by pseudo_id) as first_listing_month
    from scope
    window by_youth as (partition by pseudo_id order by month)
),

firsts as (
    select pseudo_id, month as first_listing_month
    from listings
    where previous_month is null
),

-- Every window month from the youth's first listing on.
carried as (
    select
        pseudo_id,
        month,
        true as is_listed,
        gemeentecode,
        geboortedatum,
        previous_month as previous_listing_month,
        previous_geboortedatum,
        previous_gemeentecode
    from listings
    where month in (select month from {{ ref('int_window') }})
        and (month >= {{ since }} or first_listing_month >= {{ since }})

    union all

    select
        l.pseudo_id,
        w.month,
        false as is_listed,
        cast(null as varchar) as gemeentecode,
        cast(null as date) as geboortedatum,
        l.month as previous_listing_month,
        l.geboortedatum as previous_geboortedatum,
        l.gemeentecode as previous_gemeentecode
    from listings as l
    inner join {{ ref('int_window') }} as w
        on w.month > l.month and (l.next_month is null or w.month < l.next_month)
    where w.month >= {{ since }} or l.first_listing_month >= {{ since }}
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
