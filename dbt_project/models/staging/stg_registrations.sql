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
inner join {{ ref('stg_file_versions') }} as v
    on v.path = r.path and v.sha256 = r.sha256 and v.is_effective
