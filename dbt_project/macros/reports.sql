{# How far an event takes a youth along the outreach funnel (0 = not a funnel step):
   1 benaderd, 2 bereikt, 3 intake, 4 traject, 5 uitgestroomd (started work or school);
   seed case_events, column funnel_step. #}
{% macro funnel_step(gebeurtenis) -%}
    case {{ gebeurtenis }}
    {%- for name, step in code_rows('case_events', ['gebeurtenis', 'funnel_step'], 'event_rank', 'funnel_step > 0') %}
        when '{{ name }}' then {{ step }}
    {%- endfor %}
        else 0
    end
{%- endmacro %}

{# Window months M with the 12-month period M-11..M they look back over. #}
{% macro rolling_year_months() -%}
    select month, {{ add_months('month', -11) }} as period_start, month_end
    from {{ ref('int_window') }}
{%- endmacro %}

{# Quarters touching the window, with how many of their months are in it (3: complete;
   fewer: a partial quarter, published as not known). #}
{% macro window_quarters() -%}
    select {{ quarter_of('month') }} as quarter_start, count(*) as months_in_window
    from {{ ref('int_window') }}
    group by 1
{%- endmacro %}

{# Published aggregates are stored and never recomputed once the retention job has
   frozen their months (SPEC §2): it copies the rows of the months up to
   frozen.horizon.frozen_through into frozen.<this model> before purging person-level
   data. A model ends with `{{ with_frozen('computed') }}` over its own result. #}
{% macro with_frozen(cte, month_column='month') -%}
{#- source() at parse time too: dbt records the dependency on the declared frozen table. -#}
{%- if this is not defined or this is none -%}
{#- a unit test: no table of its own, nothing frozen -#}
select * from {{ cte }}
{%- else -%}
{%- set declared = source('frozen', this.identifier) -%}
{%- set horizon = source('frozen', 'horizon') -%}
{%- set frozen = adapter.get_relation(database=declared.database, schema=declared.schema, identifier=declared.identifier) if execute else none -%}
{%- if frozen is not none -%}
select * from {{ cte }}
where {{ month_column }} > (select coalesce(max(frozen_through), date '1900-01-01') from {{ horizon }})
union all by name
select * from {{ frozen }}
{%- else -%}
select * from {{ cte }}
{%- endif -%}
{%- endif -%}
{%- endmacro %}
