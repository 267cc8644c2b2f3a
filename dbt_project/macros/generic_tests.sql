{# Generic tests written here because dbt packages cannot be installed offline. #}

{% test expression_is_true(model, expression, where=none) %}
select * from {{ model }}
where not coalesce(({{ expression }}), false)
{% if where %} and ({{ where }}){% endif %}
{% endtest %}

{# region_month: every count of a TOTAAL row is the sum of its region's municipality rows. #}
{% test totaal_is_sum_of_municipalities(model, columns) %}
with sums as (
    select arbeidsmarktregio, month,
        {% for c in columns %}sum({{ c }}) as {{ c }}{{ ',' if not loop.last }}{% endfor %}
    from {{ model }} where gemeentecode <> 'TOTAAL'
    group by arbeidsmarktregio, month
)
select t.arbeidsmarktregio, t.month
from {{ model }} as t
left join sums as s using (arbeidsmarktregio, month)
where t.gemeentecode = 'TOTAAL'
  and ({% for c in columns %}t.{{ c }} <> coalesce(s.{{ c }}, 0){{ ' or ' if not loop.last }}{% endfor %})
{% endtest %}

{# A distribution of a report adds up to a region total of region_month in every month. #}
{% test adds_up_to_region_total(model, count_column, measure) %}
with sums as (
    select arbeidsmarktregio, month, sum({{ count_column }}) as n
    from {{ model }}
    group by all
)
select r.arbeidsmarktregio, r.month, r.{{ measure }}, s.n
from {{ ref('region_month') }} as r
left join sums as s using (arbeidsmarktregio, month)
where r.gemeentecode = 'TOTAAL' and r.{{ measure }} <> coalesce(s.n, 0)
{% endtest %}

{# The column holds only codes of a code-list seed (dbt_project/seeds), optionally of the
   seed's rows that match `seed_filter`: the list itself is spelled once, in the seed. #}
{% test known_code(model, column_name, seed, code_column, seed_filter='true') %}
select {{ column_name }}
from {{ model }}
where {{ column_name }} is not null
    and {{ column_name }} not in (
        select {{ code_column }} from {{ ref(seed) }} where {{ seed_filter }}
    )
{% endtest %}
