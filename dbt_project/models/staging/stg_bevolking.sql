-- Residents aged 23-26 per municipality and year, from the bevolking.csv version in
-- effect: the denominator of the per-1,000 figures. raw.bevolking exists (empty) from the
-- first ingest on, so without the file this model is empty with the same columns.
-- One row per gemeentecode and jaar: the ingest quarantines repeats within the file.
select
    cast(b.gemeentecode as varchar) as gemeentecode,
    cast(b.jaar as integer) as jaar,
    cast(b.inwoners_23_26 as integer) as inwoners_23_26
from {{ source('raw', 'bevolking') }} as b
{{ join_version_in_effect('b') }}
