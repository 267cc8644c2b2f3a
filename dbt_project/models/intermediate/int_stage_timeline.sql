-- The case stage after every day with events, per listed youth: a sequential fold of the
-- transition table (macro stage_transition) over the events in date order (same date:
-- SPEC §1 order, the run-start reset first).
-- Incremental like int_case_stage: the days from `since` on (and every day of a youth new
-- or gone since), the fold starting from the stage the youth's last day before `since`
-- ended with.
{{ config(**incremental_by_month_config('int_case_month_digest', 'datum')) }}
-- depends_on: {{ ref('int_case_month_digest') }}
{% set since = rebuild_from(ref('int_case_month_digest')) %}

-- The stage at the end of each youth's last day before `since` (none in a full build;
-- the pre_hook already removed the rows of youths recomputed from their start).
with carried_in as (
    {% if is_incremental() %}
        select pseudo_id, arg_max(stage, datum) as stage
        from {{ this }}
        where datum < {{ since }}
        group by pseudo_id
    {% else %}
        {{ no_rows([('pseudo_id', 'varchar'), ('stage', 'varchar')]) }}
    {% endif %}
),

-- The listed youths with their first listed month: recomputed_rows() in one join (a youth
-- first listed from `since` on is new, every day of theirs recomputed).
youths as (
    select pseudo_id, min(month) as first_month
    from {{ ref('int_listings') }}
    group by pseudo_id
),

timeline as (
    select e.pseudo_id, e.datum, e.gebeurtenis, e.event_rank
    from {{ ref('int_events') }} as e
    inner join youths as y on y.pseudo_id = e.pseudo_id
    where e.datum >= {{ since }} or y.first_month >= {{ since }}
    union all
    select r.pseudo_id, r.datum, r.gebeurtenis, r.event_rank
    from {{ ref('int_run_start_resets') }} as r
    inner join youths as y on y.pseudo_id = r.pseudo_id
    where r.datum >= {{ since }} or y.first_month >= {{ since }}
),

numbered as (
    select
        *,
        row_number() over (partition by pseudo_id order by datum, event_rank, gebeurtenis) as seq
    from timeline
),

folded as (
    with recursive fold (pseudo_id, seq, datum, stage) as (
        select
            n.pseudo_id,
            n.seq,
            n.datum,
            {{ stage_transition("coalesce(c.stage, 'niet_benaderd')", 'n.gebeurtenis') }}
        from numbered as n
        left join carried_in as c on c.pseudo_id = n.pseudo_id
        where n.seq = 1
        union all
        select
            n.pseudo_id,
            n.seq,
            n.datum,
            {{ stage_transition('f.stage', 'n.gebeurtenis') }}
        from fold as f
        inner join numbered as n
            on n.pseudo_id = f.pseudo_id and n.seq = f.seq + 1
    )
    select * from fold
)

-- The stage at the end of each day.
select
    pseudo_id,
    datum,
    arg_max(stage, seq) as stage
from folded
group by pseudo_id, datum
