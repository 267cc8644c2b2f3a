-- A fingerprint per month of everything the incremental person models (int_status,
-- int_runs, int_persistence) read: the listings and the list rows per municipality (both
-- functions of the month's jib rows in effect and deliveries: int_listing_month_digest,
-- reused rather than hashing their 5.5M rows again) and the quarantined youths. A month
-- whose fingerprint changed since a model was built is recomputed from there on
-- (macros/incremental.sql); the fingerprint is of content, so a correction, a late list
-- or a retention delete all count, whatever file brought them.
{{ month_fingerprint([
    "select month, hash('lists', row_count, digest) as h from " ~ ref('int_listing_month_digest'),
    "select month, hash('quarantined', q) from " ~ ref('int_jib_quarantined') ~ " as q",
]) }}
