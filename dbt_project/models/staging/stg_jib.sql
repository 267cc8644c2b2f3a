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
inner join {{ ref('stg_file_versions') }} as v
    on v.path = j.path and v.sha256 = j.sha256 and v.is_effective
left join {{ ref('stg_gemeenten') }} as g
    on g.gemeentecode = j.gemeentecode
