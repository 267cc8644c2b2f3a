-- Persistence per youth-month listed (SPEC §3): consecutive_months in the current run,
-- spell_number, months_on_list_12m over M-11..M, persistent and persistence_score.
-- A month is `on` exactly when the youth is listed in it (int_status), so both counts run
-- over the listed months alone, not over every month of every youth.
with twelve as (
    select
        pseudo_id,
        month,
        cast(count(*) over (
            partition by pseudo_id order by month
            range between interval 11 month preceding and current row
        ) as integer) as months_on_list_12m
    from {{ ref('int_listings') }}
),

runs as (
    select
        pseudo_id,
        month,
        spell_number,
        cast(count(*) over (
            partition by pseudo_id, spell_number order by month rows unbounded preceding
        ) as integer) as consecutive_months
    from {{ ref('int_runs') }}
    where status = 'on'
)

select
    r.pseudo_id,
    r.month,
    r.consecutive_months,
    r.spell_number,
    t.months_on_list_12m,
    r.consecutive_months >= {{ var('persistent_months') }} as persistent,
    cast(floor(100.0 * t.months_on_list_12m / 12 + 0.5) as integer) as persistence_score
from runs as r
inner join twelve as t
    on t.pseudo_id = r.pseudo_id and t.month = r.month
