-- Every file version the ingest saw, with the one in effect per delivery slot marked.
-- A slot is (month, gemeentecode, source). Normally one path fills it; when a renamed
-- file left an older path behind (a file that disappears stays as it was, SPEC §1),
-- the most recently loaded current version wins.
with loads as (
    select * from {{ source('audit', 'loads') }}
)

select
    path,
    sha256,
    month,
    gemeentecode,
    source,
    status,
    is_current,
    rows_in,
    rows_loaded,
    rows_quarantined,
    reason,
    message,
    loaded_at,
    status = 'loaded' and is_current and row_number() over (
        partition by month, gemeentecode, source, (status = 'loaded' and is_current)
        order by loaded_at desc, path desc
    ) = 1 as is_effective
from loads
