-- Youth-months with a refused jib row of their valid BSN for any reason but duplicate_bsn:
-- they make the youth's status unknown (SPEC §3). Rows count from the version in effect
-- of a list, or from a rejected list (no_valid_rows) when no version of that slot loaded.
-- SPEC reading: quarantine of a superseded version does not count.
with slots_in_effect as (
    select month, gemeentecode
    from {{ ref('stg_file_versions') }}
    where source = 'jib' and is_effective
)

select distinct q.pseudo_id, q.month
from {{ ref('stg_quarantine') }} as q
inner join {{ ref('stg_file_versions') }} as v
    on v.path = q.path and v.sha256 = q.sha256
where q.source = 'jib'
    and q.pseudo_id is not null
    and q.reason <> 'duplicate_bsn'
    and (
        v.is_effective
        or (
            v.status = 'rejected'
            and not exists (
                select 1 from slots_in_effect as s
                where s.month = q.month and s.gemeentecode = q.gemeentecode
            )
        )
    )
