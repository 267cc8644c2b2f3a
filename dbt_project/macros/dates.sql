{# Date arithmetic on month starts. DuckDB-specific syntax lives here only, so another
   engine's adapter needs new versions of these few macros, not of every model. #}

{% macro add_months(month_expr, n) -%}
    cast(({{ month_expr }}) + to_months(cast({{ n }} as integer)) as date)
{%- endmacro %}

{% macro month_of(date_expr) -%}
    cast(date_trunc('month', {{ date_expr }}) as date)
{%- endmacro %}

{% macro end_of_month(month_expr) -%}
    last_day({{ month_expr }})
{%- endmacro %}

{% macro months_between(from_month, to_month) -%}
    date_diff('month', {{ from_month }}, {{ to_month }})
{%- endmacro %}

{# Age in completed years on a date (a birthday on 29 February counts from 28 February
   in non-leap years, as adding years does). #}
{% macro age_on(birth_expr, on_expr) -%}
    (date_diff('year', {{ birth_expr }}, {{ on_expr }})
     - case when {{ birth_expr }} + to_years(date_diff('year', {{ birth_expr }}, {{ on_expr }}))
                 > {{ on_expr }} then 1 else 0 end)
{%- endmacro %}

{# Distinct values joined by ',' in alphabetical order (exclusion_reasons, priority_reason). #}
{% macro sorted_csv(expr) -%}
    string_agg(distinct {{ expr }}, ',' order by {{ expr }})
{%- endmacro %}

{% macro quarter_of(date_expr) -%}
    cast(date_trunc('quarter', {{ date_expr }}) as date)
{%- endmacro %}
