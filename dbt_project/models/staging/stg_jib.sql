-- Rows of the jib.csv version in effect per municipality and month.
select
    j.month,
    j.gemeentecode,
    g.arbeidsmarktregio,
    j.pseudo_id,
    j.geboortedatum,
    j.path,
    j.sha256,
    j.line
from {{ source('raw', 'jib') }} as j
{{ join_version_in_effect('j') }}
left join {{ ref('stg_gemeenten') }} as g
    on g.gemeentecode = j.gemeentecode
