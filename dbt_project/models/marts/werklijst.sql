-- The outreach work list: every youth on a list in the window's latest month, per
-- municipality, with what an outreach worker needs on Monday morning. Person-level:
-- exported only to exports/<gemeentecode>/ (never published).
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
--
-- The outreach columns (latest action, channel, letters, next step) read all loaded
-- events too: the worker needs the latest news, also what was delivered after M.
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

latest_event as (
    -- Same date: the later one in SPEC §1's order.
    select
        pseudo_id,
        arg_max(gebeurtenis, (datum, event_rank)) as gebeurtenis,
        max(datum) as datum
    from {{ ref('int_events') }}
    group by pseudo_id
),

approach_cycle as (
    -- Approaches count from the latest refusal (after its quiet period one starts again
    -- with a letter) or the latest return to niet_benaderd at a new run, whichever is later.
    select
        pseudo_id,
        max(datum) as starts_after,
        -- same date: the refusal acts after the reset, so it wins
        arg_max(inclusive, (datum, not inclusive)) as inclusive
    from (
        select pseudo_id, datum, false as inclusive from latest_weigering
        union all
        select pseudo_id, datum, true as inclusive from {{ ref('int_run_start_resets') }}
    )
    group by pseudo_id
),

approaches as (
    select
        e.pseudo_id,
        arg_max(e.gebeurtenis, (e.datum, e.event_rank)) as channel,
        max(e.datum) as latest_datum,
        count(*) filter (where e.gebeurtenis in ('brief', 'tweede_brief')) as letters,
        count(*) filter (where e.gebeurtenis = 'whatsapp') as whatsapps,
        count(*) filter (where e.gebeurtenis = 'huisbezoek') as home_visits
    from {{ ref('int_events') }} as e
    left join approach_cycle as a
        on a.pseudo_id = e.pseudo_id
    where e.gebeurtenis in ({{ quoted(channel_events()) }})
        -- A run-start reset acts before that day's events; a refusal after them.
        and (a.starts_after is null or e.datum > a.starts_after
             or (a.inclusive and e.datum = a.starts_after))
    group by e.pseudo_id
),

reference_date as (
    -- What "four weeks ago" is measured from, without reading the clock (the marts are a
    -- function of the loaded files): the newest event the municipality delivered dated
    -- within M, or M's peildatum when none is later. Events dated after M do not move it,
    -- so a typo far in the future cannot make every wait look over.
    select
        g.gemeentecode,
        greatest(
            latest.month,
            max(e.datum) filter (where e.datum <= {{ end_of_month('latest.month') }})
        ) as datum
    from (select distinct gemeentecode from {{ ref('youth_month') }}) as g
    cross join latest
    left join {{ ref('int_events') }} as e
        on e.gemeentecode = g.gemeentecode
    group by g.gemeentecode, latest.month
),

candidates as (
    select
        y.*,
        l.geboortedatum,
        c.stage_internal,
        coalesce(f.stage, 'niet_benaderd') as stage_now,
        w.datum as latest_weigering,
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
),

listed as (
    select
        c.gemeentecode,
        c.month,
        c.pseudo_id,
        c.geboortedatum,
        case when not c.refused_after_month then c.priority end as priority,
        case when not c.refused_after_month then c.priority_reason end as priority_reason,
        case when c.refused_after_month then 'geweigerd' else c.stage end as stage,
        c.consecutive_months,
        c.exclusion_reasons,
        c.trede,
        -- Declined (even past the quiet period, or after M) or objected: never
        -- re-identified (SPEC §2).
        c.refused_after_month or c.stage_internal in ('geweigerd', 'bezwaar')
            as declined_or_objected,
        c.stage_now,
        -- 29 February plus years is 28 February, as in bijna_27.
        cast(c.geboortedatum + interval 27 year as date) as turns_27_on,
        cast(c.geboortedatum + interval 27 year as date)
            < {{ add_months('c.month', var('almost_27_months')) }} as almost_27,
        e.gebeurtenis as latest_action,
        e.datum as latest_action_date,
        a.channel,
        coalesce(a.letters, 0) as letters,
        coalesce(a.whatsapps, 0) as whatsapps,
        coalesce(a.home_visits, 0) as home_visits,
        a.latest_datum as latest_approach_date,
        r.datum as reference_date,
        c.latest_weigering
    from candidates as c
    left join latest_event as e
        on e.pseudo_id = c.pseudo_id
    left join approaches as a
        on a.pseudo_id = c.pseudo_id
    left join reference_date as r
        on r.gemeentecode = c.gemeentecode
    where not c.objected
)

select
    gemeentecode,
    month,
    pseudo_id,
    geboortedatum,
    priority,
    priority_reason,
    stage,
    consecutive_months,
    exclusion_reasons,
    trede,
    declined_or_objected,
    turns_27_on,
    latest_action,
    latest_action_date,
    channel,
    cast(letters as integer) as letters,
    -- End of the quiet period, as int_case_stage counts it: from this date on a refusal
    -- that nothing changed is niet_benaderd again.
    case when declined_or_objected
        then {{ add_months(month_of('latest_weigering'), var('declined_quiet_months')) }}
    end as quiet_until,
    -- The next step (docs/regels.md, regel 12), first that applies. Only for a youth with
    -- a priority whom no event since M has reached (stage_now: after all loaded events).
    case
        when priority is null or stage_now not in ('niet_benaderd', 'benaderd', 'geweigerd')
            then null
        -- Turning 27 soon: no time for letters, visit first.
        when almost_27 and home_visits = 0 then 'huisbezoek'
        -- Give the youth time to answer the latest approach.
        when latest_approach_date
            > reference_date - to_days(cast({{ var('approach_wait_days') }} as integer))
            then 'afwachten'
        -- A WhatsApp message counts as a letter here.
        when letters + whatsapps = 0 then 'brief'
        when letters + whatsapps = 1 then 'tweede_brief_of_whatsapp'
        when home_visits = 0 then 'huisbezoek'
        else 'teamoverleg'
    end as next_step,
    reference_date
from listed
