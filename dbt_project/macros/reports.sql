{# How far an event takes a youth along the outreach funnel (0 = not a funnel step):
   1 benaderd, 2 bereikt, 3 intake, 4 traject, 5 uitgestroomd (started work or school). #}
{% macro funnel_step(gebeurtenis) -%}
    case
        when {{ gebeurtenis }} in ('brief', 'tweede_brief', 'huisbezoek', 'whatsapp', 'verwijzing') then 1
        when {{ gebeurtenis }} = 'contact' then 2
        when {{ gebeurtenis }} = 'intake' then 3
        when {{ gebeurtenis }} = 'traject_start' then 4
        when {{ gebeurtenis }} in ('start_werk', 'start_opleiding') then 5
        else 0
    end
{%- endmacro %}

{# Window months M with the 12-month period M-11..M they look back over. #}
{% macro rolling_year_months() -%}
    select month, {{ add_months('month', -11) }} as period_start, month_end
    from {{ ref('int_window') }}
{%- endmacro %}
