-- One row per run that ends inside the window, with the reason it ended (SPEC §4).
select
    pseudo_id,
    gemeentecode,
    last_month_on_list,
    off_month,
    reason
from {{ ref('int_outflow') }}
