{#- The status rule of docs/method.md, in one place. Thresholds are dbt vars (dbt_project.yml). -#}
{% macro progress_status(has_value, met_now, gap_pp) -%}
    case
        when not ({{ has_value }}) then 'no_data'
        when {{ met_now }} then 'achieved'
        when {{ gap_pp }} >= {{ var('ahead_margin_pp') }} then 'ahead'
        when {{ gap_pp }} >= -{{ var('lagging_threshold_pp') }} then 'on_track'
        when {{ gap_pp }} >= -{{ var('severe_threshold_pp') }} then 'lagging'
        else 'severely_lagging'
    end
{%- endmacro %}

{#- Whether a value satisfies the target's direction ('>=' or '<='; a '=' target gets its direction from its
    path in int_target_progress_evaluated, so it counts as reached once the value gets there). -#}
{% macro meets(comparator, value, target) -%}
    case
        when {{ value }} is null or {{ target }} is null then false
        when {{ comparator }} = '<=' then {{ value }} <= {{ target }}
        else {{ value }} >= {{ target }}
    end
{%- endmacro %}

{#- Open SDG / UN ESCAP progress category from the ratio of observed to required growth. -#}
{% macro escap_category(ratio) -%}
    case
        when {{ ratio }} is null then null
        when {{ ratio }} >= {{ var('escap_substantial') }} then 'substantial_progress'
        when {{ ratio }} >= {{ var('escap_moderate') }} then 'moderate_progress'
        when {{ ratio }} >= 0 then 'limited_progress'
        else 'deterioration'
    end
{%- endmacro %}

{#- The same with a relative tolerance of 1e-9, for computed values (a fitted line) that land on the
    target up to rounding, which differs in the last bits between databases. -#}
{% macro meets_within_rounding(comparator, value, target) -%}
    case
        when {{ value }} is null or {{ target }} is null then false
        when {{ comparator }} = '<=' then {{ value }} <= {{ target }} + 1e-9 * greatest(abs({{ target }}), 1)
        else {{ value }} >= {{ target }} - 1e-9 * greatest(abs({{ target }}), 1)
    end
{%- endmacro %}
