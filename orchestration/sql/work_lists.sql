-- Work lists and re-identification (orchestration/publish/work_lists.py).

-- name: work_list
-- Every row of the work list; with $gemeente set, that municipality's youths with a
-- priority only (the candidates for re-identification).
select gemeentecode, strftime(month, '%Y-%m') as month, pseudo_id, geboortedatum,
       priority, priority_reason, stage, consecutive_months, exclusion_reasons, trede,
       declined_or_objected
from marts.werklijst
where $gemeente is null or (gemeentecode = $gemeente and priority is not null)
order by gemeentecode, coalesce(priority, 'Z'), consecutive_months desc, pseudo_id

-- name: latest_month
select max(month) from marts.werklijst

-- name: list_in_effect
select path, sha256
from staging.stg_file_versions
where source = 'jib' and gemeentecode = ? and month = ? and is_effective
