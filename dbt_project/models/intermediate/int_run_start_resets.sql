-- The synthetic run-start event (SPEC §3 "Run start"): at the first month R of every run,
-- on R's peildatum before that day's events, U returns to N when the latest start_* dated
-- before that day lies before the first day of month R-1 (the list lag: a youth may still
-- be listed the month after starting). Emitted only when that condition holds.
with run_starts as (
    select pseudo_id, first_month
    from {{ ref('int_run_spans') }}
),

latest_start as (
    select
        r.pseudo_id,
        r.first_month,
        max(e.datum) as latest_start_datum
    from run_starts as r
    inner join {{ ref('int_events') }} as e
        on e.pseudo_id = r.pseudo_id
        and e.gebeurtenis in ('start_werk', 'start_opleiding')
        and e.datum < r.first_month
    group by r.pseudo_id, r.first_month
)

select
    pseudo_id,
    first_month as datum,
    'run_start_reset' as gebeurtenis,
    {{ event_rank("'run_start_reset'") }} as event_rank
from latest_start
where latest_start_datum < {{ add_months('first_month', -1) }}
