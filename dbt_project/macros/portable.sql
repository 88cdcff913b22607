{#- SQL that reads the same on DuckDB and PostgreSQL. Periods are carried as a month index
    (year * 12 + month - 1) so that month arithmetic is integer arithmetic on both. -#}

{% macro double() -%}double precision{%- endmacro %}

{% macro month_index_from_text(period_text) -%}
    (cast(substr({{ period_text }}, 1, 4) as integer) * 12 + cast(substr({{ period_text }}, 6, 2) as integer) - 1)
{%- endmacro %}

{% macro year_of_index(month_index) -%}
    cast(floor({{ month_index }} / 12.0) as integer)
{%- endmacro %}

{% macro month_of_index(month_index) -%}
    ({{ month_index }} % 12 + 1)
{%- endmacro %}

{% macro month_end_of_index(month_index) -%}
    cast(
        make_date({{ year_of_index(month_index) }}, {{ month_of_index(month_index) }}, 1)
        + interval '1 month' - interval '1 day'
        as date
    )
{%- endmacro %}

{#- Today in China (the departments' and the leaders' calendar), whatever the server's time zone. -#}
{% macro china_today() -%}
    cast(now() at time zone 'Asia/Shanghai' as date)
{%- endmacro %}

{% macro text_to_date(text) -%}
    cast(nullif(trim({{ text }}), '') as date)
{%- endmacro %}

{#- A column the raw table may not have yet (written by a newer registry loader): null when absent. -#}
{% macro column_or_null(relation, column_name, data_type) -%}
    {%- set present = [] -%}
    {%- if execute -%}
        {%- for column in adapter.get_columns_in_relation(relation) -%}
            {%- if column.name | lower == column_name | lower -%}{%- do present.append(column) -%}{%- endif -%}
        {%- endfor -%}
    {%- endif -%}
    {%- if present -%}cast({{ column_name }} as {{ data_type }}){%- else -%}cast(null as {{ data_type }}){%- endif -%}
{%- endmacro %}
