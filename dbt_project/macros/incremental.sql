{# Incremental models (#14): a monthly run recomputes only the months from the first
   month whose inputs changed, with each youth's state carried in from the rows already
   there. Which month that is comes from content, not from which files a run loaded: a
   digest model fingerprints, per month, every row a chain reads (int_jib_month_digest
   the list chain, int_case_month_digest the case chain, youth_month_digest and
   funnel_month_digest their models); each incremental model keeps the fingerprint it was
   built from in <schema>.incremental_state and compares. Each chain is causal (a row of
   month M reads only inputs of months <= M), so rows before the first changed month stay
   as they are.
   A new project version (a model, seed, macro or var changed) rebuilds them in full. #}

{# Every var of dbt_project.yml: a threshold that changes rebuilds the incremental models
   in full (tests/test_dbt_incremental.py holds this list against the yml). #}
{% macro rule_vars() %}
    {{ return([
        'persistent_months', 'declined_quiet_months', 'disclosure_k', 'retention_months',
        'registration_stale_months', 'list_lag_months', 'sustained_months',
        'approach_wait_days', 'almost_27_months', 'reach_months',
    ]) }}
{% endmacro %}

{# The project version the rows were built by: every model and seed (dbt's checksums),
   the text of every macro file (the graph holds no macro code, so DuckDB reads the files)
   and the rule vars. Not the compiled SQL: that differs between a first and a later
   build by design. Macro files count by name, not by path: the same project checked out
   elsewhere (a moved clone, a worktree) is the same version. Read at run time. #}
{% macro build_key() %}
    {% if not execute %}{{ return('') }}{% endif %}
    {% set parts = [] %}
    {% for node in graph.nodes.values() | sort(attribute='unique_id') %}
        {% if node.resource_type in ('model', 'seed') %}
            {% do parts.append(node.unique_id ~ ':' ~ node.checksum.checksum) %}
        {% endif %}
    {% endfor %}
    {% set macros = invocation_args_dict.get('project_dir', '.') ~ '/macros/*.sql' %}
    {% set read %}
        select coalesce(md5(string_agg(
            parse_filename(filename) || ':' || md5(content), '|' order by parse_filename(filename)
        )), '')
        from read_text('{{ macros }}')
    {% endset %}
    {% do parts.append(run_query(read).columns[0].values()[0]) %}
    {% for v in rule_vars() %}
        {% do parts.append(v ~ '=' ~ var(v)) %}
    {% endfor %}
    {{ return(local_md5(parts | join('|'))) }}
{% endmacro %}

{% macro incremental_state() -%}
    {{ this.schema }}.incremental_state
{%- endmacro %}

{# The first month to recompute, as a SQL date: the earliest month whose fingerprint
   differs from the one this model was built from (a month new, gone or changed), and at
   the latest the month after the last one built (the window grew). No state for this
   model and project version: everything (date '0001-01-01'). #}
{% macro rebuild_from(digest) -%}
    {%- if is_incremental() -%}
    (
        with built as (
            select month, row_count, digest
            from {{ incremental_state() }}
            where model = '{{ this.name }}' and invocation_id <> '{{ invocation_id }}'
        ),

        changed as (
            select coalesce(d.month, b.month) as month
            from {{ digest }} as d
            full outer join built as b on b.month = d.month
            where d.digest is distinct from b.digest or d.row_count is distinct from b.row_count
        )

        select case
            when count(*) = 0 then date '0001-01-01'
            else cast(least((select min(month) from changed), {{ add_months('max(month)', 1) }}) as date)
        end
        from built
    )
    {%- else -%}
    date '0001-01-01'
    {%- endif -%}
{%- endmacro %}

{# pre_hook (outside the transaction): the state table exists before it is read. #}
{% macro create_incremental_state() -%}
    create table if not exists {{ incremental_state() }} (
        model varchar, build_key varchar, invocation_id varchar, rebuilt_from date,
        month date, row_count bigint, digest hugeint
    )
{%- endmacro %}

{# post_hook: this model is now built from the current fingerprint; rebuilt_from says
   what this build recomputed (read before the earlier state goes; the orchestration logs
   it). #}
{% macro save_incremental_state(digest) -%}
    insert into {{ incremental_state() }}
    select
        '{{ this.name }}', '{{ build_key() }}', '{{ invocation_id }}',
        {{ rebuild_from(digest) }}, month, row_count, digest
    from {{ digest }};
    delete from {{ incremental_state() }}
    where model = '{{ this.name }}' and invocation_id <> '{{ invocation_id }}'
{%- endmacro %}

{# pre_hook (in the transaction): state of another project version is forgotten, so the
   model rebuilds in full. #}
{% macro forget_state_of_other_versions() -%}
    delete from {{ incremental_state() }} where build_key <> '{{ build_key() }}'
{%- endmacro %}

{# The rows a build recomputes, as a condition: the rows of `column` (a month or a date)
   from `since` on (or from `from_month`, for a model that reads back further), and every
   row of a youth not listed before `since` (new, or gone). A full build: everything. #}
{% macro recomputed_rows(since, from_month=none, column='month') -%}
    ({{ column }} >= {{ from_month or since }}
    {%- if is_incremental() %}
        or pseudo_id not in (
            select pseudo_id from {{ ref('int_listings') }} where month < {{ since }}
        )
    {%- endif %})
{%- endmacro %}

{# The first month the last build of an incremental model recomputed (its rebuilt_from
   in the state); the first of all when there is no state. #}
{% macro last_rebuilt_from(relation) -%}
    (select coalesce(min(rebuilt_from), date '0001-01-01')
     from {{ relation.schema }}.incremental_state where model = '{{ relation.identifier }}')
{%- endmacro %}

{# The rows the last build of an incremental person model recomputed, for its data tests;
   every row when there is no state. #}
{% macro recomputed_by_last_build(relation, column='month') -%}
    {%- set since = last_rebuilt_from(relation) -%}
    ({{ column }} >= {{ since }}
        or pseudo_id not in (select pseudo_id from {{ ref('int_listings') }} where month < {{ since }}))
{%- endmacro %}

{# The same for a model recomputed by month alone (incremental_by_window_config). #}
{% macro recomputed_months_of_last_build(relation, column='month') -%}
    ({{ column }} >= {{ last_rebuilt_from(relation) }})
{%- endmacro %}

{# pre_hook (in the transaction): drop the rows this build recomputes. #}
{% macro forget_rows_from(digest, column='month') -%}
    {%- if is_incremental() -%}
    delete from {{ this }} where {{ recomputed_rows(rebuild_from(digest), column=column) }}
    {%- else -%}
    select 1
    {%- endif -%}
{%- endmacro %}

{# The config of an incremental person model: appended after its pre_hooks removed the
   rows it recomputes; a column added to the model is added to the table. `digest` is the
   fingerprint it compares (the list chain: int_jib_month_digest; the case chain:
   int_case_month_digest), `column` the month or date its rows are recomputed by. #}
{% macro incremental_by_month_config(digest='int_jib_month_digest', column='month') %}
    {{ return(incremental_config(
        digest, "{{ forget_rows_from(ref('" ~ digest ~ "'), '" ~ column ~ "') }}"
    )) }}
{% endmacro %}

{# The config both kinds share: appended after the pre_hook `forget` removed the rows a
   build recomputes; the state table exists first, state of another version is dropped,
   and the post_hook records the fingerprint the build used. #}
{% macro incremental_config(digest, forget, on_schema_change='sync_all_columns') %}
    {{ return({
        'materialized': 'incremental',
        'incremental_strategy': 'append',
        'on_schema_change': on_schema_change,
        'pre_hook': [
            {'sql': "{{ create_incremental_state() }}", 'transaction': false},
            "{{ forget_state_of_other_versions() }}",
            forget,
        ],
        'post_hook': ["{{ save_incremental_state(ref('" ~ digest ~ "')) }}"],
    }) }}
{% endmacro %}

{# A relation with these (name, type) columns and no rows: the carry-in of a full build. #}
{% macro no_rows(columns) -%}
    select
    {%- for name, type in columns %}
        cast(null as {{ type }}) as {{ name }}{{ ',' if not loop.last }}
    {%- endfor %}
    where false
{%- endmacro %}

{# Incremental aggregates by month (#14): a report whose month M reads only input months
   up to M (a rolling year reads M-11..M) keeps its months before the first month whose
   inputs changed and recomputes the rest. `digest` fingerprints those inputs per month
   (its window months included, so a grown or shrunk window counts); the model filters its
   own rows to months >= rebuild_from(digest). #}

{# pre_hook (in the transaction): drop the months this build recomputes. #}
{% macro forget_months_from(digest, month_column='month') -%}
    {%- if is_incremental() -%}
    delete from {{ this }} where {{ month_column }} >= {{ rebuild_from(digest) }}
    {%- else -%}
    select 1
    {%- endif -%}
{%- endmacro %}

{# A model with an enforced contract (youth_month) must take 'append_new_columns'. #}
{% macro incremental_by_window_config(digest, month_column='month', on_schema_change='sync_all_columns') %}
    {{ return(incremental_config(
        digest,
        "{{ forget_months_from(ref('" ~ digest ~ "'), '" ~ month_column ~ "') }}",
        on_schema_change,
    )) }}
{% endmacro %}

{# A fingerprint per month of `inputs`, each a SQL select of (month, h) with h a hash of
   the row (macro month_fingerprint's caller writes them, so each input hashes the
   columns the model reads). #}
{% macro month_fingerprint(inputs) -%}
with hashed as (
    {%- for input in inputs %}
    {{ input }}
    {{- '\n    union all' if not loop.last }}
    {%- endfor %}
)

select month, count(*) as row_count, sum(cast(h as hugeint)) as digest
from hashed
group by month
{%- endmacro %}
