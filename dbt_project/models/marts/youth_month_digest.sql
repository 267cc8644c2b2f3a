-- A fingerprint per month of everything marts.youth_month reads, composed where a chain
-- already keeps one: the list chain (int_jib_month_digest: listings and persistence),
-- the case chain (int_case_month_digest: stage and trede), the excluded youth-months with
-- their reasons, the vso_pro flags by their first month, and the municipality registry
-- (a change there counts from the first month: every month is recomputed). Row M of
-- youth_month reads only these inputs of months <= M.
{{ month_fingerprint([
    "select month, hash('jib', row_count, digest) as h from " ~ ref('int_jib_month_digest'),
    "select month, hash('case', row_count, digest) from " ~ ref('int_case_month_digest'),
    "select month, hash('excluded', e) from " ~ ref('int_exclusions') ~ " as e where excluded",
    "select first_month, hash('vso_pro', pseudo_id) from " ~ ref('int_vso_pro'),
    "select date '0001-01-01', hash('gemeente', g) from " ~ ref('stg_gemeenten') ~ " as g",
]) }}
