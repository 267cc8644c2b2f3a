-- Informal organisations as a way in: per region and window month M, the youths first
-- reached (their first contact event) in M-11..M, by the type of organisation of the
-- latest verwijzing on or before that contact ('geen': no referral came first; an
-- organisation missing from the sociale kaart is 'onbekend'). A jongerenscout is an
-- organisation of the sociale kaart like any other. Under the region of the municipality
-- that recorded the contact.
with first_contacts as (
    select pseudo_id, min(datum) as datum, arg_min(gemeentecode, datum) as gemeentecode
    from {{ ref('int_events') }}
    where gebeurtenis = 'contact'
    group by pseudo_id
),

came_through as (
    select
        f.pseudo_id,
        f.datum,
        f.gemeentecode,
        arg_max(e.waarde, e.datum) as organisatie_id
    from first_contacts as f
    left join {{ ref('int_events') }} as e
        on e.pseudo_id = f.pseudo_id
        and e.gebeurtenis = 'verwijzing'
        and e.datum <= f.datum
    group by all
),

computed as (
    select
        g.arbeidsmarktregio,
        r.month,
        case
            when c.organisatie_id is null then 'geen'
            else coalesce(k.type, 'onbekend')
        end as organisatie_type,
        count(*) as youths
    from ({{ rolling_year_months() }}) as r
    inner join came_through as c on c.datum between r.period_start and r.month_end
    inner join {{ ref('stg_gemeenten') }} as g on g.gemeentecode = c.gemeentecode
    left join {{ ref('stg_sociale_kaart') }} as k
        on upper(k.organisatie_id) = upper(c.organisatie_id)
    group by all
)

{{ with_frozen('computed') }}
