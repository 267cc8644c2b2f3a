-- Persistence per youth-month listed (SPEC §3): consecutive_months in the current run,
-- spell_number, months_on_list_12m over M-11..M, persistent and persistence_score.
-- A month is `on` exactly when the youth is listed in it (int_status), so both counts run
-- over the listed months alone, not over every month of every youth.
-- Incremental like int_status: the months from `since` on; the rolling year reads the
-- listings of the eleven months before it, and a run that goes on across `since` carries
-- its count in from this model's own earlier rows.
{{ config(**incremental_by_month_config()) }}
-- depends_on: {{ ref('int_jib_month_digest') }}
{% set since = rebuild_from(ref('int_jib_month_digest')) %}

-- The consecutive months before `since` of each youth's runs (none in a full build).
with carried_in as (
    {% if is_incremental() %}
        select pseudo_id, spell_number, max(consecutive_months) as consecutive_before
        from {{ this }}
        where month < {{ since }}
        group by pseudo_id, spell_number
    {% else %}
        {{ no_rows([
            ('pseudo_id', 'varchar'), ('spell_number', 'integer'), ('consecutive_before', 'integer'),
        ]) }}
    {% endif %}
),

twelve as (
    select
        pseudo_id,
        month,
        cast(count(*) over (
            partition by pseudo_id order by month
            range between interval 11 month preceding and current row
        ) as integer) as months_on_list_12m
    from {{ ref('int_listings') }}
    where {{ recomputed_rows(since, add_months(since, -11)) }}
),

runs as (
    select
        r.pseudo_id,
        r.month,
        r.spell_number,
        cast(coalesce(ci.consecutive_before, 0) + count(*) over (
            partition by r.pseudo_id, r.spell_number order by r.month rows unbounded preceding
        ) as integer) as consecutive_months
    from (
        select * from {{ ref('int_runs') }}
        where status = 'on' and {{ recomputed_rows(since) }}
    ) as r
    left join carried_in as ci
        on ci.pseudo_id = r.pseudo_id and ci.spell_number = r.spell_number
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
