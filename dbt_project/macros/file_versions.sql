{# Keep only rows of the file version in effect for their delivery slot (stg_file_versions). #}
{% macro join_version_in_effect(alias) -%}
inner join {{ ref('stg_file_versions') }} as v
    on v.path = {{ alias }}.path and v.sha256 = {{ alias }}.sha256 and v.is_effective
{%- endmacro %}
