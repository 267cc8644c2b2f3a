-- Case events de-duplicated across cumulative exports and municipalities (SPEC §1): an
-- event is (pseudo_id, datum, gebeurtenis, and waarde for trede and verwijzing only); it
-- belongs to the lowest gemeentecode that delivered it.
select
    pseudo_id,
    datum,
    gebeurtenis,
    case when gebeurtenis in ('trede', 'verwijzing') then waarde end as waarde,
    min(gemeentecode) as gemeentecode,
    {{ event_rank('gebeurtenis') }} as event_rank
from {{ ref('stg_begeleiding') }}
group by all
