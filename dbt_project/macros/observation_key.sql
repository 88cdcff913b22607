{#- fct_observation's key: indicator|region|month index|measure (the model's columns and its delete hook). -#}
{% macro observation_key(indicator_code, region_code, month_index, measure) -%}
    cast({{ indicator_code }} || '|' || {{ region_code }} || '|' || cast({{ month_index }} as varchar) || '|' || {{ measure }} as varchar)
{%- endmacro %}
