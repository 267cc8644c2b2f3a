-- A fingerprint per month of what int_registrations_in_force reads: each snapshot that
-- counts for the month, with the fingerprint of that file's rows (computed once per file,
-- not once per month it counts for). A new, corrected or purged snapshot changes every
-- month it counts for; so does a change of which snapshot counts.
{{ month_fingerprint([
    "select s.month, hash('snapshot', s.gemeentecode, s.source, s.file_month, f.row_count, f.digest) as h"
    ~ " from " ~ ref('int_registration_snapshots') ~ " as s"
    ~ " left join (select month, gemeentecode, source, count(*) as row_count,"
    ~ " sum(cast(hash(pseudo_id, begindatum, einddatum) as hugeint)) as digest"
    ~ " from " ~ ref('stg_registrations') ~ " group by month, gemeentecode, source) as f"
    ~ " on f.month = s.file_month and f.gemeentecode = s.gemeentecode and f.source = s.source",
]) }}
