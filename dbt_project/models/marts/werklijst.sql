-- The outreach work list: every youth on a list in the window's latest month, per
-- municipality, with what an outreach worker needs. Person-level: exported only to
-- exports/<gemeentecode>/ (never published).
with latest as (
    select max(month) as month from {{ ref('int_window') }}
)

select
    y.gemeentecode,
    y.month,
    y.pseudo_id,
    l.geboortedatum,
    y.priority,
    y.priority_reason,
    y.stage,
    y.consecutive_months,
    y.exclusion_reasons,
    y.trede,
    -- Declined (even past the quiet period) or objected: never re-identified (SPEC §2).
    c.stage_internal in ('geweigerd', 'bezwaar') as declined_or_objected
from {{ ref('youth_month') }} as y
inner join latest on latest.month = y.month
inner join {{ ref('int_listings') }} as l
    on l.pseudo_id = y.pseudo_id and l.month = y.month
inner join {{ ref('int_case_stage') }} as c
    on c.pseudo_id = y.pseudo_id and c.month = y.month
