-- Trajectories started (traject_start events) per region, municipality and quarter, by
-- what followed: the youth's first start_werk / start_opleiding on or after the start and
-- before their next traject_start (uitkomst werk, opleiding, or nog_geen), and whether
-- that placement lasted (placements.sustained: duurzaam, niet_duurzaam, nog_onbekend).
-- The unit is a trajectory, not a youth: a youth who starts twice counts twice, so the
-- quarters add up to a year and the municipalities (of the event) to the region. The
-- outcome is read up to the end of the data, so a recent quarter's share in work grows
-- as its outcomes arrive. Partial quarters have months_in_window < 3 (not known).
with starts as (
    select
        pseudo_id,
        datum,
        gemeentecode,
        lead(datum) over (partition by pseudo_id order by datum) as next_start
    from {{ ref('int_events') }}
    where gebeurtenis = 'traject_start'
),

first_placement as (
    -- Same day both: school first, then work, as the case stage applies them.
    select
        s.pseudo_id,
        s.datum,
        s.gemeentecode,
        p.kind,
        p.sustained
    from starts as s
    left join {{ ref('placements') }} as p
        on p.pseudo_id = s.pseudo_id
        and p.datum >= s.datum
        and (s.next_start is null or p.datum < s.next_start)
    qualify row_number() over (
        partition by s.pseudo_id, s.datum order by p.datum, p.kind = 'werk'
    ) = 1
),

quarters as (
    {{ window_quarters() }}
),

computed as (
    select
        g.arbeidsmarktregio,
        f.gemeentecode,
        q.quarter_start,
        q.months_in_window,
        coalesce(f.kind, 'nog_geen') as uitkomst,
        case
            when f.kind is null then 'geen_plaatsing'
            when f.sustained then 'duurzaam'
            when not f.sustained then 'niet_duurzaam'
            else 'nog_onbekend'
        end as duurzaamheid,
        count(*) as trajectories
    from first_placement as f
    inner join quarters as q on q.quarter_start = {{ quarter_of('f.datum') }}
    inner join {{ ref('stg_gemeenten') }} as g on g.gemeentecode = f.gemeentecode
    group by all
)

{{ with_frozen('computed', month_column='quarter_start') }}
