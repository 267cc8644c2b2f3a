-- Case events de-duplicated across cumulative exports and municipalities (SPEC §1): an
-- event is (pseudo_id, datum, gebeurtenis, and waarde for trede and verwijzing only); it
-- belongs to the lowest gemeentecode that delivered it.
-- Incremental by file version (macros/incremental_versions.sql): while exports are only
-- added, a build groups the rows of the added ones and merges them in (an event already
-- there keeps the lower gemeentecode); a replaced or withdrawn export rebuilds it in full.
-- depends_on: {{ ref('stg_file_versions') }}
-- depends_on: {{ source('raw', 'begeleiding') }}
{{ config(**incremental_by_version_config(
    'begeleiding',
    unique_key=['pseudo_id', 'datum', 'gebeurtenis'],
    match=['DBT_INTERNAL_SOURCE.waarde is not distinct from DBT_INTERNAL_DEST.waarde'],
    merge={'gemeentecode': 'least(DBT_INTERNAL_DEST.gemeentecode, DBT_INTERNAL_SOURCE.gemeentecode)'},
    update_when='DBT_INTERNAL_SOURCE.gemeentecode < DBT_INTERNAL_DEST.gemeentecode'
        ~ ' or DBT_INTERNAL_DEST.gemeentecode is null',
)) }}

select
    b.pseudo_id,
    b.datum,
    b.gebeurtenis,
    case when b.gebeurtenis in ('trede', 'verwijzing') then b.waarde end as waarde,
    min(b.gemeentecode) as gemeentecode,
    {{ event_rank('b.gebeurtenis') }} as event_rank
from {{ ref('stg_begeleiding') }} as b
{%- if is_incremental() %}
where not {{ only_versions_added('begeleiding') }}
    or (b.path, b.sha256) in ({{ versions_added('begeleiding') }})
{%- endif %}
group by all
