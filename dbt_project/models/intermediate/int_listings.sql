-- One row per youth per month listed: counted once, under the lowest gemeentecode, whose
-- row gives the birth date for that month. `lists` > 1 flags a youth on two lists.
select
    pseudo_id,
    month,
    min(gemeentecode) as gemeentecode,
    arg_min(geboortedatum, gemeentecode) as geboortedatum,
    count(*) as lists
from {{ ref('int_listing_rows') }}
group by pseudo_id, month
