-- The reason every run that ends inside the window ended (SPEC §3 "Outflow"), the first
-- that applies: 27_jaar; werk / opleiding; buitenland, detentie, kvk; onbekend.
with ended as (
    select * from {{ ref('int_run_spans') }} where off_month is not null
),

-- The latest start_* from the first day of O-3 (and not before the first day of the run's
-- first month minus one month) to the last day of O; on the same date, werk.
latest_start as (
    select
        o.pseudo_id,
        o.spell_number,
        arg_max(
            e.gebeurtenis,
            (e.datum, case e.gebeurtenis when 'start_werk' then 1 else 0 end)
        ) as gebeurtenis,
        max(e.datum) as datum
    from ended as o
    inner join {{ ref('int_events') }} as e
        on e.pseudo_id = o.pseudo_id
        and e.gebeurtenis in ('start_werk', 'start_opleiding')
        and e.datum >= greatest(
            {{ add_months('o.off_month', -3) }}, {{ add_months('o.first_month', -1) }}
        )
        and e.datum <= {{ end_of_month('o.off_month') }}
    group by o.pseudo_id, o.spell_number
),

-- ...that no uitval follows up to the end of O (an uitval on the start's own date follows
-- it: uitval comes after start_* in the SPEC §1 order).
lasting_start as (
    select s.*
    from latest_start as s
    inner join ended as o
        on o.pseudo_id = s.pseudo_id and o.spell_number = s.spell_number
    where not exists (
        select 1 from {{ ref('int_events') }} as u
        where u.pseudo_id = s.pseudo_id
            and u.gebeurtenis = 'uitval'
            and u.datum >= s.datum
            and u.datum <= {{ end_of_month('o.off_month') }}
    )
),

registered as (
    select
        o.pseudo_id,
        o.spell_number,
        bool_or(r.source = 'buitenland') as buitenland,
        bool_or(r.source = 'detentie') as detentie,
        bool_or(r.source = 'kvk') as kvk
    from ended as o
    inner join {{ ref('int_registrations_in_force') }} as r
        on r.pseudo_id = o.pseudo_id
        and r.month in (o.off_month, {{ add_months('o.off_month', -1) }})
    group by o.pseudo_id, o.spell_number
)

select
    o.pseudo_id,
    o.gemeentecode,
    o.spell_number,
    o.first_month,
    o.last_month_on_list,
    o.off_month,
    case
        when {{ age_on('o.geboortedatum', 'o.off_month') }} >= 27 then '27_jaar'
        when s.gebeurtenis = 'start_werk' then 'werk'
        when s.gebeurtenis = 'start_opleiding' then 'opleiding'
        when r.buitenland then 'buitenland'
        when r.detentie then 'detentie'
        when r.kvk then 'kvk'
        else 'onbekend'
    end as reason
from ended as o
left join lasting_start as s
    on s.pseudo_id = o.pseudo_id and s.spell_number = o.spell_number
left join registered as r
    on r.pseudo_id = o.pseudo_id and r.spell_number = o.spell_number
