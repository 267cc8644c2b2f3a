-- Placements (start_werk / start_opleiding) per region and month by kind and whether
-- they lasted: duurzaam (sustained), niet_duurzaam, or nog_onbekend (too recent, or
-- never listed). Under the region of the event's municipality.
with computed as (
    select
        g.arbeidsmarktregio,
        p.month,
        p.kind,
        case
            when p.sustained then 'duurzaam'
            when not p.sustained then 'niet_duurzaam'
            else 'nog_onbekend'
        end as status,
        count(*) as placements
    from {{ ref('placements') }} as p
    inner join {{ ref('int_window') }} as w on w.month = p.month
    inner join {{ ref('stg_gemeenten') }} as g on g.gemeentecode = p.gemeentecode
    group by all
)

{{ with_frozen('computed') }}
