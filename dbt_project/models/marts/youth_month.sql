-- One row per youth per month listed: the contract of SPEC §4.
-- Incremental by month (youth_month_digest): a row of month M reads only inputs of months
-- up to M, so a run recomputes the months from the first one whose inputs changed. A row
-- exists only for a listed month, so "from that month on" also covers a youth new since
-- (all of their months are later) or gone (their rows from then on are dropped).
{{ config(**incremental_by_window_config('youth_month_digest', on_schema_change='append_new_columns')) }}
-- depends_on: {{ ref('youth_month_digest') }}
{% set since = rebuild_from(ref('youth_month_digest')) %}

with base as (
    select
        l.month,
        l.gemeentecode,
        g.arbeidsmarktregio,
        l.pseudo_id,
        l.geboortedatum,
        cast({{ age_on('l.geboortedatum', 'l.month') }} as integer) as age,
        e.pseudo_id is not null as excluded,
        e.exclusion_reasons,
        coalesce(v.first_month <= l.month, false) as vso_pro,
        p.consecutive_months,
        p.spell_number,
        p.months_on_list_12m,
        p.persistent,
        p.persistence_score,
        c.stage,
        c.trede,
        -- bijna_27: geboortedatum + 27 years < peildatum + almost_27_months (29 February + years
        -- gives 28 February, as DuckDB's date arithmetic does).
        l.geboortedatum + interval 27 year
            < l.month + to_months({{ var('almost_27_months') }}) as bijna_27
    from {{ ref('int_listings') }} as l
    -- Only the excluded youth-months (12% at the real size): a smaller join.
    left join (select * from {{ ref('int_exclusions') }} where excluded) as e
        on e.pseudo_id = l.pseudo_id and e.month = l.month
    inner join {{ ref('int_persistence') }} as p
        on p.pseudo_id = l.pseudo_id and p.month = l.month
    inner join {{ ref('int_case_stage') }} as c
        on c.pseudo_id = l.pseudo_id and c.month = l.month
    left join {{ ref('int_vso_pro') }} as v
        on v.pseudo_id = l.pseudo_id
    left join {{ ref('stg_gemeenten') }} as g
        on g.gemeentecode = l.gemeentecode
    where l.month >= {{ since }}
),

prioritised as (
    select
        *,
        not excluded and stage in ('niet_benaderd', 'benaderd') as has_priority,
        concat_ws(
            ',',
            case when bijna_27 then 'bijna_27' end,
            case when spell_number > 1 then 'terugkeer' end,
            case when vso_pro then 'vso_pro' end
        ) as a_reasons
    from base
)

select
    month,
    gemeentecode,
    arbeidsmarktregio,
    pseudo_id,
    age,
    excluded,
    exclusion_reasons,
    vso_pro,
    consecutive_months,
    spell_number,
    months_on_list_12m,
    persistent,
    persistence_score,
    stage,
    trede,
    case
        when not has_priority then null
        when persistent and a_reasons <> '' then 'A'
        when persistent then 'B'
        else 'C'
    end as priority,
    case when has_priority and persistent and a_reasons <> '' then a_reasons end
        as priority_reason
from prioritised
