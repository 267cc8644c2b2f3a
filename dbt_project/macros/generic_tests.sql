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
