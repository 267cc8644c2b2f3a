-- The municipality registry (seed `gemeenten`, replaceable by the user).
select
    gemeentecode,
    gemeentenaam,
    arbeidsmarktregio_nr,
    arbeidsmarktregio
from {{ ref('gemeenten') }}
