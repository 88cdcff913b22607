{#- The figures in use that carry a plausibility warning (raw.observation_findings, severity warning): the
    department was asked to confirm or correct them, and until a later load of the same figure (a
    correction, a resubmission) they are shown as doubted. One row per figure's file, sheet and cell. -#}
with

findings as (

    select * from {{ source('ingest', 'observation_findings') }}

),

observations as (

    select * from {{ source('ingest', 'observations') }}

),

warnings_in_use as (

    select
        findings.file_name,
        findings.sheet,
        findings.cell,
        findings.indicator_code,
        findings.region_code,
        findings.period,
        findings.measure,
        findings.check_name
    from findings
    where
        findings.severity = 'warning'
        and not exists (
            select 1
            from observations as later
            where
                later.indicator_code = findings.indicator_code
                and later.region_code = findings.region_code
                and later.period = findings.period
                and later.measure = findings.measure
                and later.load_id > findings.load_id
        )

),

final as (

    select
        file_name,
        sheet,
        cell,
        min(indicator_code) as indicator_code,
        min(region_code) as region_code,
        min(period) as period,
        min(measure) as measure,
        string_agg(distinct check_name, ';' order by check_name) as check_names
    from warnings_in_use
    group by file_name, sheet, cell

)

select * from final
