-- A fingerprint per month of what reports.outreach_funnel_municipal reads: the window
-- months, the in-view youth-months (youth, region, municipality) and the case events that
-- count as a funnel step. A month whose fingerprint changed since the funnel was built is
-- recomputed, with every later month (macros/incremental.sql, incremental_by_window_config).
{{ month_fingerprint([
    "select month, hash('window', month) as h from " ~ ref('int_window'),
    "select month, hash('in_view', pseudo_id, arbeidsmarktregio, gemeentecode) from "
        ~ ref('youth_month') ~ " where not excluded",
    "select " ~ month_of('datum') ~ ", hash('event', pseudo_id, datum, gebeurtenis) from "
        ~ ref('int_events') ~ " where " ~ funnel_step('gebeurtenis') ~ " > 0",
]) }}
