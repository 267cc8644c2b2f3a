{# Incremental by file version (#14), for a model that only gathers rows of every version
   in effect of one file type (int_events: the cumulative case exports). While the
   versions in effect only grow (new months, new municipalities), a build merges in the
   rows of the versions added since the last one; when a version in effect was replaced
   (a corrected export) or withdrawn, rows of a version were deleted (retention purges a
   youth's rows, the version stays), or the project version changed, the model is rebuilt
   in full. Which versions a build used, and how many raw rows there were, is kept in
   <schema>.incremental_versions. #}

{% macro incremental_versions() -%}
    {{ this.schema }}.incremental_versions
{%- endmacro %}

{# The versions in effect of a file type, as (path, sha256) rows. #}
{% macro versions_in_effect(file_type) -%}
    select path, sha256 from {{ ref('stg_file_versions') }}
    where source = '{{ file_type }}' and is_effective
{%- endmacro %}

{# SQL: whether this build only adds: it has a state of this project version, every
   version it was built from is still in effect, and the raw table grew by exactly the
   rows of the versions added (so no row of an earlier version went). #}
{% macro only_versions_added(file_type) -%}
    {%- if is_incremental() -%}
    (exists (
        select 1 from {{ incremental_versions() }}
        where model = '{{ this.name }}' and build_key = '{{ build_key() }}'
            and invocation_id <> '{{ invocation_id }}'
    ) and not exists (
        select path, sha256 from {{ incremental_versions() }}
        where model = '{{ this.name }}' and invocation_id <> '{{ invocation_id }}'
        except
        {{ versions_in_effect(file_type) }}
    ) and (select count(*) from {{ source('raw', file_type) }}) = (
        (select max(raw_rows) from {{ incremental_versions() }}
         where model = '{{ this.name }}' and invocation_id <> '{{ invocation_id }}')
        + (select count(*) from {{ source('raw', file_type) }}
           where (path, sha256) in ({{ versions_added(file_type) }}))
    ))
    {%- else -%}
    false
    {%- endif -%}
{%- endmacro %}

{# The versions in effect that this model has not gathered yet. #}
{% macro versions_added(file_type) -%}
    {{ versions_in_effect(file_type) }}
    except
    select path, sha256 from {{ incremental_versions() }}
    where model = '{{ this.name }}' and invocation_id <> '{{ invocation_id }}'
{%- endmacro %}

{# pre_hook (outside the transaction): the state table exists before it is read. #}
{% macro create_incremental_versions() -%}
    create table if not exists {{ incremental_versions() }} (
        model varchar, build_key varchar, invocation_id varchar, added_only boolean,
        versions_added bigint, raw_rows bigint, path varchar, sha256 varchar
    )
{%- endmacro %}

{# pre_hook (in the transaction): a build that does not only add starts from no rows. #}
{% macro forget_rows_unless_only_added(file_type) -%}
    {%- if is_incremental() -%}
    delete from {{ this }} where not {{ only_versions_added(file_type) }}
    {%- else -%}
    select 1
    {%- endif -%}
{%- endmacro %}

{# post_hook: the versions this build used, with what it did (the run's log says it); the
   select reads the state as it was before this insert. #}
{% macro save_incremental_versions(file_type) -%}
    insert into {{ incremental_versions() }}
    select
        '{{ this.name }}', '{{ build_key() }}', '{{ invocation_id }}',
        {{ only_versions_added(file_type) }},
        {%- if is_incremental() %}
        (select count(*) from ({{ versions_added(file_type) }})),
        {%- else %}
        null,
        {%- endif %}
        (select count(*) from {{ source('raw', file_type) }}),
        path, sha256
    from ({{ versions_in_effect(file_type) }});
    delete from {{ incremental_versions() }}
    where model = '{{ this.name }}' and invocation_id <> '{{ invocation_id }}'
{%- endmacro %}

{# The config: merged on the model's key (`unique_key`, plus `match` for columns that may
   be null), `merge` the update of a row already there, made only where `update_when`
   holds (a cumulative export repeats its history: most rows merged in are there already,
   and an update that changes nothing still rewrites the row); hooks as above. #}
{% macro incremental_by_version_config(file_type, unique_key, match, merge, update_when=none) %}
    {{ return({
        'materialized': 'incremental',
        'incremental_strategy': 'merge',
        'unique_key': unique_key,
        'incremental_predicates': match,
        'merge_update_set_expressions': merge,
        'merge_update_condition': update_when,
        'on_schema_change': 'sync_all_columns',
        'pre_hook': [
            {'sql': "{{ create_incremental_versions() }}", 'transaction': false},
            "{{ forget_rows_unless_only_added('" ~ file_type ~ "') }}",
        ],
        'post_hook': ["{{ save_incremental_versions('" ~ file_type ~ "') }}"],
    }) }}
{% endmacro %}
