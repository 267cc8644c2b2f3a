-- Delivery completeness per region (issue: missing deliveries must not read as real
-- change): one row for every month of the window x every municipality of the region
-- (the registry) x every file type of a municipality folder, with its status:
--   geleverd   a version of the file is in effect (stg_file_versions.is_effective);
--   afgekeurd  only rejected versions exist for the slot; `reason` is the reason code of
--              the latest of them. Also a header-only jib.csv after a list with rows
--              (SPEC: almost always an export fault; it counts as not delivered and
--              the municipality is asked to re-deliver), reason header_only_after_full;
--   ontbreekt  no version at all.
-- About files, not persons: no counts, so no disclosure control. Regions are those with
-- a page (a row in region_month). Not frozen by retention: audit.loads is never purged.
with window_months as (
    select month from {{ ref('int_window') }}
),

regions as (
    select distinct arbeidsmarktregio
    from {{ ref('region_month') }}
    where arbeidsmarktregio is not null
),

municipalities as (
    select g.gemeentecode, g.gemeentenaam, g.arbeidsmarktregio_nr, g.arbeidsmarktregio
    from {{ ref('stg_gemeenten') }} as g
    inner join regions as r on r.arbeidsmarktregio = g.arbeidsmarktregio
),

-- The file types of a municipality folder, in the order of the inbox documentation.
file_types as (
    select source_order, source
    from {{ ref('file_types') }}
    where folder = 'gemeente'
),

effective as (
    select distinct month, gemeentecode, source
    from {{ ref('stg_file_versions') }}
    where is_effective
),

empty_lists as (
    select month, gemeentecode, 'jib' as source
    from {{ ref('int_jib_deliveries') }}
    where not counts_as_delivery
),

rejected as (
    select month, gemeentecode, source, reason
    from {{ ref('stg_file_versions') }}
    where status = 'rejected'
        and month is not null and gemeentecode is not null and source is not null
    qualify row_number() over (
        partition by month, gemeentecode, source order by loaded_at desc, path desc) = 1
)

select
    g.arbeidsmarktregio,
    g.arbeidsmarktregio_nr,
    w.month,
    g.gemeentecode,
    g.gemeentenaam,
    f.source,
    f.source_order,
    case
        when x.source is not null then 'afgekeurd'
        when e.source is not null then 'geleverd'
        when r.source is not null then 'afgekeurd'
        else 'ontbreekt'
    end as status,
    case
        when x.source is not null then 'header_only_after_full'
        when e.source is null then r.reason
    end as reason
from window_months as w
cross join municipalities as g
cross join file_types as f
left join effective as e
    on e.month = w.month and e.gemeentecode = g.gemeentecode and e.source = f.source
left join rejected as r
    on r.month = w.month and r.gemeentecode = g.gemeentecode and r.source = f.source
left join empty_lists as x
    on x.month = w.month and x.gemeentecode = g.gemeentecode and x.source = f.source
