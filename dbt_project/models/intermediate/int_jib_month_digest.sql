-- A fingerprint per month of everything the incremental person models (int_status,
-- int_runs, int_persistence) read: the listings, the list rows per municipality, the
-- deliveries and the quarantined youths. A month whose fingerprint changed since a model
-- was built is recomputed from there on (macros/incremental.sql); the fingerprint is of
-- content, so a correction, a late list, a registration that newly excludes a youth or a
-- retention delete all count, whatever file brought them.
with hashed as (
    select month, hash('listing', l) as h from {{ ref('int_listings') }} as l
    union all
    select month, hash('row', r) from {{ ref('int_listing_rows') }} as r
    union all
    select month, hash('delivery', d) from {{ ref('int_jib_deliveries') }} as d
    union all
    select month, hash('quarantined', q) from {{ ref('int_jib_quarantined') }} as q
)

select
    month,
    count(*) as row_count,
    sum(cast(h as hugeint)) as digest
from hashed
group by month
