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

{#- The 0.975 quantile of Student's t with `dof` degrees of freedom: the factor of a two-sided 95 %
    interval from few points (12.71 for one degree of freedom); between tabulated degrees the value of
    the fewer, so the interval errs wide. -#}
{% macro t_quantile_975(dof) -%}
    case
        when {{ dof }} <= 1 then 12.706
        when {{ dof }} = 2 then 4.303
        when {{ dof }} = 3 then 3.182
        when {{ dof }} = 4 then 2.776
        when {{ dof }} = 5 then 2.571
        when {{ dof }} = 6 then 2.447
        when {{ dof }} = 7 then 2.365
        when {{ dof }} = 8 then 2.306
        when {{ dof }} = 9 then 2.262
        when {{ dof }} = 10 then 2.228
        when {{ dof }} <= 15 then 2.201
        when {{ dof }} <= 20 then 2.120
        when {{ dof }} <= 30 then 2.080
        else 2.042
    end
{%- endmacro %}

{#- How many months old a figure of an indicator with this cadence may be before it is stale (数据未更新):
    one reporting interval (dbt var max_data_age_months; docs/method.md, 4). -#}
{% macro max_data_age(frequency) -%}
    case {{ frequency }}
        when 'monthly' then {{ var('max_data_age_months')['monthly'] }}
        when 'quarterly' then {{ var('max_data_age_months')['quarterly'] }}
        else {{ var('max_data_age_months')['annual'] }}
    end
{%- endmacro %}

{#- `value` kept within [floor, ceiling] (either may be null: no bound); null stays null. -#}
{% macro within(value, floor, ceiling) -%}
    case when ({{ value }}) is not null then least(greatest({{ value }}, {{ floor }}), {{ ceiling }}) end
{%- endmacro %}
