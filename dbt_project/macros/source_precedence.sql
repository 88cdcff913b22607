{#- The rank of a figure's source (0 first) by the vars source_precedence (a list of source kinds) and
    source_precedence_by_indicator (indicator code → its own list); a source not listed ranks last. -#}
{% macro source_rank(indicator_column, source_column) -%}
    {%- set by_indicator = var('source_precedence_by_indicator') -%}
    {%- if by_indicator -%}
    case
    {%- for code, order in by_indicator.items() %}
        when {{ indicator_column }} = '{{ code }}' then {{ _rank_in(source_column, order) }}
    {%- endfor %}
        else {{ _rank_in(source_column, var('source_precedence')) }}
    end
    {%- else -%}
    {{ _rank_in(source_column, var('source_precedence')) }}
    {%- endif -%}
{%- endmacro %}

{% macro _rank_in(source_column, order) -%}
    {%- if order -%}
    case {{ source_column }}
    {%- for kind in order %} when '{{ kind }}' then {{ loop.index0 }}{% endfor %} else {{ order | length }} end
    {%- else -%}
    0
    {%- endif -%}
{%- endmacro %}
