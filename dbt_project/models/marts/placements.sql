-- One row per distinct start_werk / start_opleiding event, listed youth or not (SPEC §4).
select
    pseudo_id,
    gemeentecode,
    datum,
    month,
    kind,
    sustained
from {{ ref('int_placements') }}
