-- One row per youth per month listed: counted once, under the lowest gemeentecode, whose
-- row gives the birth date for that month. `lists` > 1 flags a youth on two lists.
-- Incremental by month, on int_listing_rows' fingerprint: a month reads only its rows.
{{ config(**incremental_by_window_config('int_listing_month_digest')) }}
-- depends_on: {{ ref('int_listing_month_digest') }}
select
    pseudo_id,
    month,
    min(gemeentecode) as gemeentecode,
    arg_min(geboortedatum, gemeentecode) as geboortedatum,
    count(*) as lists
from {{ ref('int_listing_rows') }}
where month >= {{ rebuild_from(ref('int_listing_month_digest')) }}
group by pseudo_id, month
