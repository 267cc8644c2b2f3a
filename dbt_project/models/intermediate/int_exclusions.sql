-- Exclusion per youth-month listed: excluded, and the matching sources in alphabetical
-- order joined by ',' (NULL when not excluded).
select
    l.pseudo_id,
    l.month,
    count(r.source) > 0 as excluded,
    {{ sorted_csv('r.source') }} as exclusion_reasons,
    coalesce(bool_or(r.source = 'buitenland'), false) as excluded_buitenland,
    coalesce(bool_or(r.source = 'detentie'), false) as excluded_detentie,
    coalesce(bool_or(r.source = 'jongerenloket'), false) as excluded_jongerenloket,
    coalesce(bool_or(r.source = 'kvk'), false) as excluded_kvk,
    coalesce(bool_or(r.source = 'rmc'), false) as excluded_rmc
from {{ ref('int_listings') }} as l
left join {{ ref('int_registrations_in_force') }} as r
    on r.pseudo_id = l.pseudo_id and r.month = l.month
group by l.pseudo_id, l.month
