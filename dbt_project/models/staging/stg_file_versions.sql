-- Every file version the ingest saw, with the one in effect per delivery slot marked.
-- Which version is in effect is the ingest's view audit.versions_in_effect (the GX
-- suites read the same view): one definition of "the file that counts".
with loads as (
    select * from {{ source('audit', 'loads') }}
),

in_effect as (
    select path, sha256 from {{ source('audit', 'versions_in_effect') }}
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
    e.path is not null as is_effective
from loads
left join in_effect as e using (path, sha256)
