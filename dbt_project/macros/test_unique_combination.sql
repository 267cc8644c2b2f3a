{# Our own unique-combination test: dbt packages (dbt_utils) cannot be installed offline.
   recomputed_only (the incremental person models): only the rows the model's last build
   recomputed. Exact for a key that contains pseudo_id and month (or the date of
   `recomputed_column`): recomputed_rows() is a condition on those two, so a duplicate's
   rows are both recomputed or both kept, and kept rows were tested by the build that
   wrote them. recomputed_only='months' (the models recomputed by month alone,
   incremental_by_window_config): only the months from its last build's first recomputed
   one; exact for a key that contains the month. #}
{% test unique_combination(model, columns, recomputed_only=false, recomputed_column='month') %}
select {{ columns | join(', ') }}, count(*) as n
from {{ model }}
{%- if recomputed_only == 'months' %}
where {{ recomputed_months_of_last_build(model, recomputed_column) }}
{%- elif recomputed_only %}
where {{ recomputed_by_last_build(model, recomputed_column) }}
{%- endif %}
group by {{ columns | join(', ') }}
having count(*) > 1
{% endtest %}
