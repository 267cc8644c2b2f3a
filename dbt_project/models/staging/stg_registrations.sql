-- Registration snapshots (kvk, rmc, jongerenloket, buitenland, detentie, vso_pro) in effect.
select
    r.month,
    r.gemeentecode,
    r.source,
    r.pseudo_id,
    r.begindatum,
    r.einddatum,
    r.path,
    r.sha256,
    r.line
from {{ source('raw', 'registration') }} as r
{{ join_version_in_effect('r') }}
