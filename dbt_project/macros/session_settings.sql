{#- What the session a model is built in is set to, before the model's statement (the models' pre-hook).

    PostgreSQL: no JIT compilation. The planner's row estimates for the marts' chains of views are off by
    twenty orders of magnitude (10^25 rows for fct_target_progress's 13,000), which puts every query far
    past the JIT thresholds: it compiled 1,639 expressions with LLVM's full optimisation, 35 of the model's
    40 seconds, for a query that runs in 5. `set local` holds for the model's own transaction only. -#}
{% macro session_settings() -%}
    {%- if target.type == 'postgres' -%}set local jit = off{%- endif -%}
{%- endmacro %}
