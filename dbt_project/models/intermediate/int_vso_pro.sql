-- vso_pro is a vulnerability flag, not an exclusion: true from the month of the first
-- vso_pro file in effect that holds the youth, whatever its dates; it never reverts.
-- Used for priority only; never shown in a published output (SPEC §2).
select
    pseudo_id,
    min(month) as first_month
from {{ ref('stg_registrations') }}
where source = 'vso_pro'
group by pseudo_id
