-- The case stage after every day with events, per listed youth: a sequential fold of the
-- transition table (macro stage_transition) over the events in date order (same date:
-- SPEC §1 order, the run-start reset first).
with timeline as (
    select pseudo_id, datum, gebeurtenis, event_rank
    from {{ ref('int_events') }}
    where pseudo_id in (select pseudo_id from {{ ref('int_listings') }})
    union all
    select pseudo_id, datum, gebeurtenis, event_rank
    from {{ ref('int_run_start_resets') }}
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
            pseudo_id,
            seq,
            datum,
            {{ stage_transition("'niet_benaderd'", 'gebeurtenis') }}
        from numbered
        where seq = 1
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
