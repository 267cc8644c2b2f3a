-- Refused rows with the delivery they came from.
select
    q.path,
    q.sha256,
    q.line,
    q.reason,
    q.message,
    q.pseudo_id,
    q.bsn_length,
    v.month,
    v.gemeentecode,
    v.source,
    v.status as file_status,
    v.is_current as file_is_current
from {{ source('audit', 'quarantine') }} as q
inner join {{ ref('stg_file_versions') }} as v
    on v.path = q.path and v.sha256 = q.sha256
