-- Every listing: a row of a jib.csv in effect whose delivery counts (SPEC §3 "Listing").
-- A youth on two lists in one month appears here twice; int_listings picks one.
-- Incremental by month (int_listing_month_digest): a row of month M reads only month M.
{{ config(**incremental_by_window_config('int_listing_month_digest')) }}
-- depends_on: {{ ref('int_listing_month_digest') }}
select
    j.pseudo_id,
    j.month,
    j.gemeentecode,
    j.geboortedatum
from {{ ref('stg_jib') }} as j
inner join {{ ref('int_jib_deliveries') }} as d
    on d.gemeentecode = j.gemeentecode and d.month = j.month and d.counts_as_delivery
where j.month >= {{ rebuild_from(ref('int_listing_month_digest')) }}
