-- Work lists and re-identification (orchestration/publish/work_lists.py).

-- name: work_list
-- Every row of the work list; with $gemeente set, that municipality's youths with a
-- priority only (the candidates for re-identification). Sorted as the outreach worker
-- reads it: priority A, B, C, then none; within that the longest run on the list first.
select gemeentecode, strftime(month, '%Y-%m') as month, pseudo_id, geboortedatum,
       priority, priority_reason, stage, consecutive_months, exclusion_reasons, trede,
       turns_27_on, latest_action, latest_action_date, channel, letters, quiet_until,
       next_step, declined_or_objected, reference_date
from marts.werklijst
where $gemeente is null or (gemeentecode = $gemeente and priority is not null)
order by gemeentecode, coalesce(priority, 'Z'), consecutive_months desc, pseudo_id

-- name: latest_month
select max(month) from marts.werklijst

-- name: list_in_effect
select path, sha256
from staging.stg_file_versions
where source = 'jib' and gemeentecode = ? and month = ? and is_effective
