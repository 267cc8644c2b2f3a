-- One row per municipality and month with a loaded jib.csv in effect, and whether it
-- counts as a delivery (SPEC §1 "Empty files"): a header-only list counts only when the
-- municipality's previous loaded list was empty as well, or it has none.
-- SPEC reading: "previous loaded list" is the list in effect of the latest earlier month
-- with a loaded jib.csv, whether or not that list counted itself.
with lists as (
    select
        gemeentecode,
        month,
        rows_in,
        lag(rows_in) over (partition by gemeentecode order by month) as previous_rows_in
    from {{ ref('stg_file_versions') }}
    where source = 'jib' and is_effective
)

select
    gemeentecode,
    month,
    rows_in,
    rows_in > 0 or coalesce(previous_rows_in, 0) = 0 as counts_as_delivery
from lists
