-- One rung per youth and date with a trede event: the highest of that day, under the
-- municipality of the event that carries it (region_month's ladder_up, ladder_quarters).
select
    pseudo_id,
    datum,
    max(cast(waarde as integer)) as trede,
    arg_max(gemeentecode, cast(waarde as integer)) as gemeentecode
from {{ ref('int_events') }}
where gebeurtenis = 'trede'
group by pseudo_id, datum
