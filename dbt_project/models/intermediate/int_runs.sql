-- Runs of months on the list (SPEC §3): a run starts at an on month that is the youth's
-- first or follows an off month; unknown months neither count nor break a run.
-- One row per youth and window month with a known status, numbered by run. The months
-- before a youth's first listing hold no run, so only the months from it on go through
-- the windows.
-- Incremental like int_status: the months from `since` on, with the youth's last known
-- status and run number before it carried in from this model's own earlier rows.
{{ config(**incremental_by_month_config()) }}
-- depends_on: {{ ref('int_jib_month_digest') }}
-- depends_on: {{ ref('int_listings') }}
{% set since = rebuild_from(ref('int_jib_month_digest')) %}

with status as (
    select *
    from {{ ref('int_status') }}
    where {{ recomputed_rows(since) }}
),

-- The last known status and run number before `since` (none in a full build).
carried_in as (
    {% if is_incremental() %}
        select
            pseudo_id,
            arg_max(status, month) as last_status,
            max(spell_number) as last_spell_number
        from {{ this }}
        where month < {{ since }}
        group by pseudo_id
    {% else %}
        {{ no_rows([
            ('pseudo_id', 'varchar'), ('last_status', 'varchar'), ('last_spell_number', 'integer'),
        ]) }}
    {% endif %}
),

known as (
    select pseudo_id, month, status
    from status
    where status <> 'unknown'
        and (is_listed or previous_listing_month is not null)
),

marked as (
    select
        k.pseudo_id,
        k.month,
        k.status,
        k.status = 'on'
            and coalesce(lag(k.status) over by_month, ci.last_status, 'off') = 'off'
            as starts_run,
        coalesce(ci.last_spell_number, 0) as spell_base
    from known as k
    left join carried_in as ci
        on ci.pseudo_id = k.pseudo_id
    window by_month as (partition by k.pseudo_id order by k.month)
)

select
    pseudo_id,
    month,
    status,
    starts_run,
    cast(spell_base + sum(case when starts_run then 1 else 0 end) over (
        partition by pseudo_id order by month rows unbounded preceding
    ) as integer) as spell_number
from marked

union all

-- Before the first listing: off (int_status), no run started.
select
    pseudo_id,
    month,
    status,
    false as starts_run,
    cast(0 as integer) as spell_number
from status
where status <> 'unknown'
    and not is_listed
    and previous_listing_month is null
