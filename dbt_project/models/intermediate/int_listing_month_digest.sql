-- A fingerprint per month of what int_listing_rows and int_listings read: the jib rows
-- in effect and each municipality's delivery (whether its list counts). A row of month M
-- of either model reads only month M, so a run recomputes the months from the first one
-- whose fingerprint changed (macros/incremental.sql), a new month's alone in the normal
-- case; a corrected or purged list changes its own month's fingerprint.
{{ month_fingerprint([
    "select month, hash('jib', pseudo_id, gemeentecode, geboortedatum) as h from " ~ ref('stg_jib'),
    "select month, hash('delivery', d) from " ~ ref('int_jib_deliveries') ~ " as d",
]) }}
