-- A fingerprint per month of what int_exclusions reads: the month's listings
-- (int_listing_month_digest covers their inputs) and its registrations in force
-- (int_registration_month_digest).
{{ month_fingerprint([
    "select month, hash('listings', row_count, digest) as h from " ~ ref('int_listing_month_digest'),
    "select month, hash('registrations', row_count, digest) from " ~ ref('int_registration_month_digest'),
]) }}
