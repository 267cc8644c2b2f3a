-- Referrals (verwijzing events) to the informal organisations of the sociale kaart over a
-- rolling year: for every window month M and region, each youth referred in M-11..M once,
-- under the organisation of their latest referral, with what became of them by the end
-- of M (their case stage). Person-level, so it lives in intermediate; the reports
-- referrals_by_type and referrals_by_role count it.
with referrals as (
    select
        r.month,
        r.month_end,
        g.arbeidsmarktregio,
        e.pseudo_id,
        arg_max(e.waarde, e.datum) as organisatie_id
    from ({{ rolling_year_months() }}) as r
    inner join {{ ref('int_events') }} as e
        on e.gebeurtenis = 'verwijzing'
        and e.datum between r.period_start and r.month_end
    inner join {{ ref('stg_gemeenten') }} as g on g.gemeentecode = e.gemeentecode
    group by all
),

staged as (
    select f.*, s.stage
    from referrals as f
    asof left join {{ ref('int_stage_timeline') }} as s
        on s.pseudo_id = f.pseudo_id and s.datum <= f.month_end
)

select
    s.arbeidsmarktregio,
    s.month,
    s.pseudo_id,
    coalesce(k.type, 'onbekend') as organisatie_type,
    coalesce(k.bereiken, false) as bereiken,
    coalesce(k.activeren, false) as activeren,
    coalesce(k.plaatsen, false) as plaatsen,
    coalesce(k.behouden, false) as behouden,
    case
        when s.stage = 'uitgestroomd_werk' then 'werk'
        when s.stage = 'uitgestroomd_opleiding' then 'opleiding'
        when s.stage in ('intake', 'traject') then 'traject'
        when s.stage in ('benaderd', 'bereikt') then 'in_contact'
        else 'anders'
    end as uitkomst
from staged as s
left join {{ ref('stg_sociale_kaart') }} as k on upper(k.organisatie_id) = upper(s.organisatie_id)
