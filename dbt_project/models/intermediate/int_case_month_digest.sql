-- A fingerprint per month of everything the case chain (int_stage_timeline,
-- int_case_stage) reads: the listings, the case events by the month of their date and the
-- synthetic run-start resets. A month whose fingerprint changed since a model was built is
-- recomputed from there on (macros/incremental.sql): a late event in a cumulative export
-- (up to three months old at the real size) reaches back to its own month, not further.
{{ month_fingerprint([
    "select month, hash('listing', pseudo_id) as h from " ~ ref('int_listings'),
    "select " ~ month_of('datum') ~ ", hash('event', pseudo_id, datum, gebeurtenis, waarde, "
        ~ "event_rank) from " ~ ref('int_events'),
    "select " ~ month_of('datum') ~ ", hash('reset', pseudo_id, datum) from "
        ~ ref('int_run_start_resets'),
]) }}
