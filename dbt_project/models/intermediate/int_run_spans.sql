-- One row per run: its first month, last month on the list and the off month that ends
-- it (NULL while the run has not ended inside the window), with the last listing.
with runs as (
    select * from {{ ref('int_runs') }} where spell_number > 0
),

spans as (
    select
        pseudo_id,
        spell_number,
        min(month) filter (where status = 'on') as first_month,
        max(month) filter (where status = 'on') as last_month_on_list,
        min(month) filter (where status = 'off') as off_month
    from runs
    group by pseudo_id, spell_number
)

select
    s.*,
    l.gemeentecode,
    l.geboortedatum
from spans as s
inner join {{ ref('int_listings') }} as l
    on l.pseudo_id = s.pseudo_id and l.month = s.last_month_on_list
