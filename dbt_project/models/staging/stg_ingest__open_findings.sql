{#- The plausibility findings (raw.observation_findings) no later load of the same figure has answered (a
    correction, a resubmission): a warning's figure is still the one in use, and is shown as doubted (※)
    until the department confirms or corrects it; a critical finding's figure was set aside and nothing has
    replaced it yet. One row per finding. The one place this rule is written: fct_target_progress.is_doubted
    and fct_plausibility_finding (what the briefings list) read it. -#}
with

findings as (

    select * from {{ source('ingest', 'observation_findings') }}

),

observations as (

    select * from {{ source('ingest', 'observations') }}

),

final as (

    select
        findings.load_id,
        findings.file_name,
        findings.sheet,
        findings.cell,
        findings.department_id,
        findings.indicator_code,
        findings.region_code,
        findings.period,
        findings.measure,
        findings.value,
        findings.check_name,
        findings.severity,
        findings.message,
        findings.found_at
    from findings
    where
        not exists (
            select 1
            from observations as later
            where
                later.indicator_code = findings.indicator_code
                and later.region_code = findings.region_code
                and later.period = findings.period
                and later.measure = findings.measure
                and later.load_id > findings.load_id
        )

)

select * from final
