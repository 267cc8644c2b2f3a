-- The outreach work list: every youth on a list in the window's latest month, per
-- municipality, with what an outreach worker needs. Person-level: exported only to
-- exports/<gemeentecode>/ (never published).
--
-- Privacy comes before the month-by-month rule here (SPEC §2). youth_month shows the
-- stage of the work list month M, folding only events dated up to the end of M, so an
-- objection or refusal dated after M (e.g. delivered in a month folder with only
-- begeleiding.csv) would not reach the list. The work list therefore also reads the stage
-- after ALL loaded events, from the same fold (int_stage_timeline, the transition table
-- of macro stage_transition), not capped at the end of M:
-- - that fold ends in bezwaar: the youth has objected (bezwaar is absorbing, so this is
--   any loaded bezwaar, whatever its date, also one already in force in M): the youth is
--   not on the work list at all, so never exported or re-identified;
-- - that fold ends in geweigerd by a weigering dated after M: the refusal takes effect at
--   once, so the quiet period starts now: stage geweigerd, no priority, never
--   re-identified;
-- - anything else (also a weigering after M that a later event changed by the table,
--   e.g. contact -> bereikt, or a weigering after M that did not apply, e.g. from an
--   uitgestroomd stage): the youth's row for M as youth_month has it.
-- The marts youth_month and region_month keep SPEC §3's month-by-month stage.
with latest as (
    select max(month) as month from {{ ref('int_window') }}
),

stage_after_all_events as (
    select pseudo_id, arg_max(stage, datum) as stage
    from {{ ref('int_stage_timeline') }}
    group by pseudo_id
),

latest_weigering as (
    select pseudo_id, max(datum) as datum
    from {{ ref('int_events') }}
    where gebeurtenis = 'weigering'
    group by pseudo_id
),

candidates as (
    select
        y.*,
        l.geboortedatum,
        c.stage_internal,
        coalesce(f.stage = 'geweigerd' and w.datum > {{ end_of_month('y.month') }}, false)
            as refused_after_month,
        coalesce(f.stage = 'bezwaar', false) or c.stage_internal = 'bezwaar' as objected
    from {{ ref('youth_month') }} as y
    inner join latest on latest.month = y.month
    inner join {{ ref('int_listings') }} as l
        on l.pseudo_id = y.pseudo_id and l.month = y.month
    inner join {{ ref('int_case_stage') }} as c
        on c.pseudo_id = y.pseudo_id and c.month = y.month
    left join stage_after_all_events as f
        on f.pseudo_id = y.pseudo_id
    left join latest_weigering as w
        on w.pseudo_id = y.pseudo_id
)

select
    gemeentecode,
    month,
    pseudo_id,
    geboortedatum,
    case when not refused_after_month then priority end as priority,
    case when not refused_after_month then priority_reason end as priority_reason,
    case when refused_after_month then 'geweigerd' else stage end as stage,
    consecutive_months,
    exclusion_reasons,
    trede,
    -- Declined (even past the quiet period, or after M) or objected: never re-identified
    -- (SPEC §2).
    refused_after_month or stage_internal in ('geweigerd', 'bezwaar') as declined_or_objected
from candidates
where not objected
