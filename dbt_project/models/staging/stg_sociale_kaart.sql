-- The informal organisations of the region, from the sociale_kaart.csv version in effect.
select
    s.organisatie_id,
    s.naam,
    s.type,
    s.bereiken,
    s.activeren,
    s.plaatsen,
    s.behouden,
    s.line
from {{ source('raw', 'sociale_kaart') }} as s
{{ join_version_in_effect('s') }}
