{# The code lists (file types, outflow reasons, case events) are spelled once, in the
   seeds dbt_project/seeds/*.csv with their order and Dutch label; Python reads the same
   files (orchestration/vocabulary.py). A model that needs a list as SQL text (a column
   per code, a CASE per code) reads it from the loaded seed when it compiles. The ref()
   makes dbt load the seed first; the query goes to the seed's own table, so it works in
   unit tests and `--empty` runs too (both need the seeds loaded: `dbt seed`). While dbt
   only parses, the list is empty. #}
{% macro code_rows(seed, columns, order_by, where='true') -%}
    {%- if this is defined and this is not none -%}
        {#- a model: record the dependency (a unit test has no `this` and no ref to a
            seed it was not given; it reads the loaded seed like any compile does) -#}
        {%- do ref(seed) -%}
    {%- endif -%}
    {%- if not execute -%}
        {{- return([]) -}}
    {%- endif -%}
    {%- set node = (graph.get('nodes') or {}).get('seed.' ~ project_name ~ '.' ~ seed) -%}
    {%- if node -%}
        {%- set relation = api.Relation.create(
            database=node.database, schema=node.schema, identifier=node.alias) -%}
    {%- else -%}
        {#- a unit test compiles without the graph: the seeds' schema (dbt_project.yml) -#}
        {%- set relation = api.Relation.create(
            database=target.database, schema=generate_schema_name('reference', none),
            identifier=seed) -%}
    {%- endif -%}
    {%- set query -%}
        select {{ columns | join(', ') }} from {{ relation }} where {{ where }} order by {{ order_by }}
    {%- endset -%}
    {{- return(run_query(query).rows | list) -}}
{%- endmacro %}

{% macro codes(seed, column, order_by, where='true') -%}
    {{- return(code_rows(seed, [column], order_by, where) | map(attribute=0) | list) -}}
{%- endmacro %}

{# Registrations that take a youth off the list, alphabetical (the marts' column order). #}
{% macro exclusion_sources() -%}
    {{- return(codes('file_types', 'source', 'source', 'excludes')) -}}
{%- endmacro %}

{# Outflow reasons in the order the outflow rule tries them (the marts' column order). #}
{% macro outflow_reasons() -%}
    {{- return(codes('outflow_reasons', 'reason', 'reason_order')) -}}
{%- endmacro %}

{# The outreach channels: events by which a youth is approached (funnel step 1). #}
{% macro channel_events() -%}
    {{- return(codes('case_events', 'gebeurtenis', 'event_rank', 'channel')) -}}
{%- endmacro %}

{# 'a', 'b', 'c' for an IN list. #}
{% macro quoted(values) -%}
    {%- for v in values %}'{{ v }}'{{ ", " if not loop.last }}{% endfor -%}
{%- endmacro %}
