-- Case events of the begeleiding.csv versions in effect (duplicates across cumulative
-- exports are still here; the rules de-duplicate them).
select
    b.month,
    b.gemeentecode,
    b.pseudo_id,
    b.datum,
    b.gebeurtenis,
    b.waarde,
    b.path,
    b.sha256,
    b.line
from {{ source('raw', 'begeleiding') }} as b
{{ join_version_in_effect('b') }}
