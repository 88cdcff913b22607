"""dbt build on a scratch warehouse with real sample data: marts complete, three statuses computed by
hand, the same on PostgreSQL, and the incremental observations equal to a full refresh. (That no_data
appears only where the raw data has none is tests/test_marts_coverage.py.)

One warehouse is built per module (sample → ingest in two batches → dbt build), so the incremental
model really runs incrementally on the second batch.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import shutil
import subprocess
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest
import yaml

from planwatch.transform import TransformResult, run_dbt, transform

from .conftest import PROJECT_ROOT, require_service

BIN = Path(sys.executable).parent
MARTS = [
    "dim_plan",
    "dim_target",
    "dim_indicator",
    "dim_region",
    "dim_department",
    "fct_observation",
    "fct_target_progress",
    "fct_milestone_status",
    "fct_plausibility_finding",
    "mart_region_ranking",
    "mart_department_scorecard",
    "mart_submission_completeness",
]
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("dbt_warehouse")]


@dataclass
class Built:
    warehouse: Path
    result: TransformResult
    dbt_environment: dict[str, str]


def _planwatch(*args: str) -> None:
    completed = subprocess.run([str(BIN / "planwatch"), *args], capture_output=True, text=True, check=False)
    assert completed.returncode == 0, (
        f"planwatch {' '.join(args)} failed:\n{completed.stdout[-2000:]}{completed.stderr[-2000:]}"
    )


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    root = tmp_path_factory.mktemp("dbt")
    warehouse, sample = root / "w.duckdb", root / "sample"
    _planwatch("plans", "load", "--warehouse", str(warehouse))
    _planwatch("sample", "--until", "2025-12", "--out", str(sample), "--mess", "0.1", "--seed", "7")
    early, late = root / "early", root / "late"
    early.mkdir()
    late.mkdir()
    for month in sorted(p for p in sample.iterdir() if p.is_dir()):
        shutil.move(str(month), early if month.name < "2024-01" else late)
    _planwatch("ingest", str(early), "--warehouse", str(warehouse), "--receipts", str(root / "receipts"))
    # dbt's artefacts and logs apart from a developer's dbt_project/target
    dbt_environment = {"DBT_TARGET_PATH": str(root / "dbt_target"), "DBT_LOG_PATH": str(root / "dbt_logs")}
    first = run_dbt(["run", "--select", "+fct_observation"], warehouse=warehouse, environment=dbt_environment)
    assert first.success, first.failures or first.error
    _planwatch("ingest", str(late), "--warehouse", str(warehouse), "--receipts", str(root / "receipts"))
    return Built(
        warehouse=warehouse,
        result=transform(warehouse=warehouse, environment=dbt_environment, unit_tests=True),
        dbt_environment=dbt_environment,
    )


def _rows(warehouse: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        return connection.execute(sql).fetchall()


def test_dbt_build_runs_every_model_unit_test_and_data_test(built: Built) -> None:
    assert built.result.success, built.result.failures or built.result.error
    unit_tests = [node for node in built.result.statuses if node.startswith("unit_test.")]
    data_tests = [node for node in built.result.statuses if node.startswith("test.")]
    # the data tests check what no constraint can (relationships between marts); not null, the keys and the
    # accepted values are the marts' enforced constraints, which the next test finds in the warehouse
    assert len(unit_tests) >= 50 and len(data_tests) >= 15
    print(f"dbt build on the sample: {built.result.seconds:.1f}s")


def _declared_constraints() -> set[tuple[str, str, tuple[str, ...]]]:
    """Every not_null, primary_key and check constraint models/marts/_marts.yml declares: (mart, kind, columns)."""
    declared = yaml.safe_load((PROJECT_ROOT / "dbt_project" / "models" / "marts" / "_marts.yml").read_text())
    found = set()
    for model in declared["models"]:
        for constraint in model.get("constraints", []):
            found.add((model["name"], constraint["type"], tuple(constraint["columns"])))
        for column in model["columns"]:
            for constraint in column.get("constraints", []):
                found.add((model["name"], constraint["type"], (column["name"],)))
    return found


def test_every_declared_not_null_and_key_is_a_constraint_of_the_built_marts(built: Built, tmp_path: Path) -> None:
    """The marts' not-null columns, keys and accepted values are enforced by the warehouse as each table is
    built, not tested after it: every one _marts.yml declares is a constraint of the built table."""
    kinds = {"NOT NULL": "not_null", "PRIMARY KEY": "primary_key", "CHECK": "check"}
    enforced = {
        (table, kinds[kind], tuple(columns))
        for table, kind, columns in _rows(
            built.warehouse,
            "select table_name, constraint_type, constraint_column_names from duckdb_constraints() "
            "where schema_name = 'marts' and constraint_type in ('NOT NULL', 'PRIMARY KEY', 'CHECK')",
        )
    }
    declared = _declared_constraints()
    assert len(declared) > 150 and {mart for mart, _, _ in declared} >= set(MARTS)
    assert sum(kind == "check" for _, kind, _ in declared) >= 12
    assert declared - enforced == set()
    copy = tmp_path / "copy.duckdb"  # and a table refuses a row that breaks them
    shutil.copyfile(built.warehouse, copy)
    with duckdb.connect(str(copy)) as connection:
        with pytest.raises(duckdb.ConstraintException, match="primary key"):
            connection.execute("insert into marts.dim_target select * from marts.dim_target limit 1")
        with pytest.raises(duckdb.ConstraintException, match="NOT NULL"):
            connection.execute("update marts.fct_target_progress set status = null")
        with pytest.raises(duckdb.ConstraintException, match="CHECK"):
            connection.execute("update marts.fct_target_progress set status = 'unknown'")


def test_a_production_build_skips_the_unit_tests_and_runs_every_model_and_data_test(built: Built) -> None:
    """`planwatch transform` without --unit-tests: the unit tests test the SQL, in CI; the data is still tested."""
    production = transform(warehouse=built.warehouse, environment=built.dbt_environment)
    assert production.success, production.failures or production.error
    kinds = [node.split(".", 1)[0] for node in production.statuses]
    assert kinds.count("unit_test") == 0
    assert kinds.count("model") == sum(1 for n in built.result.statuses if n.startswith("model."))
    assert kinds.count("test") == sum(1 for n in built.result.statuses if n.startswith("test."))


def test_a_new_warehouse_of_the_same_name_starts_from_the_saved_parse(built: Built, tmp_path: Path) -> None:
    """Another deployment's warehouse (another folder, its own dbt target) is not parsed in full: dbt
    finds the parse the built warehouse's run left, and checks it holds, instead of 4–5 s of parsing. Here
    it is named through a symbolic link, as a deployment may: dbt opens the file the link points to."""
    other = tmp_path / "elsewhere" / built.warehouse.name
    other.parent.mkdir()
    link = tmp_path / "current.duckdb"
    link.symlink_to(other)
    logs = tmp_path / "dbt_logs"
    parsed = run_dbt(
        ["parse"], warehouse=link, environment={"DBT_TARGET_PATH": str(tmp_path / "target"), "DBT_LOG_PATH": str(logs)}
    )
    assert parsed.success, parsed.error
    log = (logs / "dbt.log").read_text()
    assert "Unable to do partial parsing" not in log, log[-3000:]
    assert (tmp_path / "target" / "partial_parse.msgpack").is_file()


def test_every_target_has_a_row_for_each_month_from_plan_start_to_the_last_month_with_data(built: Built) -> None:
    missing = _rows(
        built.warehouse,
        """
        with followed as (  -- a plan's months: to a year after the later of its end and its last target year
            select p.plan_id, cast(p.period_start as date) as first_day,
                last_day(greatest(cast(p.period_end as date), make_date(max(t.target_year), 12, 1))
                    + interval 12 month) as last_day
            from raw.registry_plans p join raw.registry_targets t using (plan_id)
            group by p.plan_id, p.period_start, p.period_end
        ),
        expected as (
            select t.target_id, m.period
            from raw.registry_targets t
            join followed p using (plan_id)
            cross join (select distinct last_day(cast(period || '-01' as date)) as period from raw.observations) m
            where m.period between p.first_day and p.last_day
        )
        select count(*) from expected
        anti join marts.fct_target_progress f using (target_id, period)
    """,
    )
    extra = _rows(
        built.warehouse,
        """
        select count(*) from marts.fct_target_progress f
        where f.period > (select max(last_day(cast(period || '-01' as date))) from raw.observations)
            or f.period > (
                select last_day(greatest(cast(p.period_end as date), make_date(max(t.target_year), 12, 1))
                    + interval 12 month)
                from raw.registry_plans p join raw.registry_targets t using (plan_id)
                where p.plan_id = f.plan_id group by p.period_end
            )
    """,
    )
    targets = _rows(built.warehouse, "select count(distinct target_id) from marts.fct_target_progress")
    registry = _rows(built.warehouse, "select count(*) from raw.registry_targets")
    assert missing == [(0,)] and extra == [(0,)]
    assert targets == registry
    # that no_data appears only where the raw data has none: tests/test_marts_coverage.py
    statuses = {status for (status,) in _rows(built.warehouse, "select distinct status from marts.fct_target_progress")}
    assert {"achieved", "on_track", "lagging", "missed", "no_data"} <= statuses


def _month_end(period: str) -> dt.date:
    year, month = (int(part) for part in period.split("-"))
    return (dt.date(year + month // 12, month % 12 + 1, 1)) - dt.timedelta(days=1)


def _progress(warehouse: Path, target_id: str, period: dt.date) -> dict:
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        cursor = connection.execute(
            "select * from marts.fct_target_progress where target_id = ? and period = ?", [target_id, period]
        )
        names = [column[0] for column in cursor.description]
        return dict(zip(names, cursor.fetchone(), strict=True))


def _raw_value(warehouse: Path, indicator: str, region: str, period: str, measure: str) -> float:
    rows = _rows(
        warehouse,
        f"""
        select value from raw.observations
        where indicator_code = '{indicator}' and region_code = '{region}'
          and period = '{period}' and measure = '{measure}'
        order by load_id desc limit 1
    """,
    )
    return rows[0][0]


def test_three_targets_computed_by_hand_from_raw_values_equal_the_mart(built: Built) -> None:
    w = built.warehouse
    # 1. An annual flow target in its target year (coarse grain and oilseed revenue, Hohhot, 8 亿元 in
    #    2023), June 2023: completion = year-to-date / target, time progress = 6 / 12.
    row = _progress(w, "hohhot.coarse_grain_oilseed_revenue.150100.2023", _month_end("2023-06"))
    ytd = _raw_value(w, "coarse_grain_oilseed_revenue", "150100", "2023-06", "ytd_value")
    assert row["actual_value"] == pytest.approx(ytd)
    assert row["completion_rate"] == pytest.approx(100 * ytd / 8.0)
    assert row["time_progress"] == pytest.approx(50.0)
    assert row["gap_pp"] == pytest.approx(100 * ytd / 8.0 - 50.0)

    # 2. A stock level over several years whose baseline comes from the data: the level at the end of
    #    the year before the plan, read from December's 上年同期末数 column; the linear path.
    ((target_id, indicator, region, target_value, start, target_year),) = _rows(
        w,
        """
        select t.target_id, t.indicator_code, t.region_code, t.target_value, p.period_start, t.target_year
        from marts.dim_target t join raw.registry_plans p using (plan_id)
        join marts.dim_indicator i using (indicator_code)
        where t.target_kind = 'level' and t.baseline_source = 'prior_year_column' and i.nature = 'stock'
          and i.frequency = 'monthly' and t.target_year > cast(substr(p.period_start, 1, 4) as integer)
        order by t.target_id limit 1
    """,
    )
    start_year = int(start[:4])
    baseline = _raw_value(w, indicator, region, f"{start_year}-12", "prior_year_period_end_value")
    month = f"{start_year}-06"
    level = _raw_value(w, indicator, region, month, "period_end_value")
    elapsed = 6 / ((target_year - start_year + 1) * 12)
    row = _progress(w, target_id, _month_end(month))
    assert row["baseline_value"] == pytest.approx(baseline)
    assert row["completion_rate"] == pytest.approx(100 * (level - baseline) / (target_value - baseline))
    assert row["time_progress"] == pytest.approx(100 * elapsed)
    assert row["expected_value_now"] == pytest.approx(baseline + (target_value - baseline) * elapsed)

    # 3. New additions of a flow, summed from the plan start: earlier plan years' December
    #    year-to-date plus this year's; the path runs linearly from zero at the plan start.
    ((target_id, indicator, region, target_value, start, target_year),) = _rows(
        w,
        """
        select t.target_id, t.indicator_code, t.region_code, t.target_value, p.period_start, t.target_year
        from marts.dim_target t join raw.registry_plans p using (plan_id)
        where t.measure_space = 'sum_since_plan_start'
          and t.target_year >= cast(substr(p.period_start, 1, 4) as integer) + 2
        order by t.target_id limit 1
    """,
    )
    start_year = int(start[:4])
    as_of = _rows(
        w,
        f"""
        select max(period) from raw.observations where indicator_code = '{indicator}' and region_code = '{region}'
          and measure = 'ytd_value' and period like '{start_year + 1}-%'
    """,
    )[0][0]
    total = _raw_value(w, indicator, region, f"{start_year}-12", "ytd_value") + _raw_value(
        w, indicator, region, as_of, "ytd_value"
    )
    months_elapsed = 12 + int(as_of[5:])
    row = _progress(w, target_id, _month_end(as_of))
    assert row["actual_value"] == pytest.approx(total)
    assert row["completion_rate"] == pytest.approx(100 * total / target_value)
    assert row["time_progress"] == pytest.approx(100 * months_elapsed / ((target_year - start_year + 1) * 12))


def test_the_incremental_observations_equal_a_full_refresh(built: Built) -> None:
    query = "select * from marts.fct_observation order by observation_key"
    incremental = _rows(built.warehouse, query)
    revised = _rows(built.warehouse, "select count(*) from marts.fct_observation where superseded_revisions > 0")
    refreshed = transform(
        warehouse=built.warehouse, select="fct_observation", full_refresh=True, environment=built.dbt_environment
    )
    assert refreshed.success, refreshed.failures or refreshed.error
    assert _rows(built.warehouse, query) == incremental
    assert revised[0][0] > 0, "the messy sample should carry corrections (revisions)"


# ---- PostgreSQL ----------------------------------------------------------------------------------

_PG_TYPES = {
    "VARCHAR": "text",
    "BIGINT": "bigint",
    "INTEGER": "integer",
    "DOUBLE": "double precision",
    "TIMESTAMP": "timestamp",
    "BOOLEAN": "boolean",
    "DATE": "date",
}


def _postgres(dbname: str = "postgres"):
    import psycopg2

    return psycopg2.connect(host="127.0.0.1", port=5432, user="postgres", dbname=dbname, connect_timeout=3)


def _postgres_reachable() -> bool:
    try:
        _postgres().close()
    except Exception:
        return False
    return True


def _copy_source_tables(warehouse: Path, dbname: str) -> None:
    """dbt's sources as a PostgreSQL deployment holds them: departments' data (raw), the office's (supervision)."""
    with duckdb.connect(str(warehouse), read_only=True) as source, _postgres(dbname) as target:
        cursor = target.cursor()
        for schema in ("raw", "supervision"):
            cursor.execute(f"create schema {schema}")
            tables = source.execute(
                "select table_name from information_schema.tables where table_schema = ?", [schema]
            ).fetchall()
            assert tables, schema
            for (table,) in tables:
                columns = source.execute(f"describe {schema}.{table}").fetchall()
                typed = ", ".join(f"{c[0]} {_PG_TYPES[c[1]]}" for c in columns)
                cursor.execute(f"create table {schema}.{table} ({typed})")
                buffer = io.StringIO()
                frame = source.execute(f"select * from {schema}.{table}").df()
                frame.to_csv(buffer, index=False, header=False, na_rep="\\N")
                buffer.seek(0)
                cursor.copy_expert(f"copy {schema}.{table} from stdin with (format csv, null '\\N')", buffer)


def _comparable(value: object) -> object:
    # Floating point differs in the last bits between the two databases' arithmetic (a slope of
    # 4e-17 on one is 0 on the other): compare to 9 significant digits, and to 1e-9 near zero.
    if isinstance(value, float):
        return None if math.isnan(value) else (0.0 if abs(value) < 1e-9 else float(f"{value:.9g}"))
    return value


def _sorted_rows(rows: list[tuple]) -> list[tuple]:
    normalised = [tuple(_comparable(value) for value in row) for row in rows]
    return sorted(normalised, key=lambda row: tuple((value is None, str(value)) for value in row))


def test_postgres_marts_equal_duckdb_marts_row_for_row(built: Built) -> None:
    require_service(_postgres_reachable(), "PostgreSQL on 127.0.0.1:5432")
    dbname = f"planwatch_test_{uuid.uuid4().hex[:12]}"
    admin = _postgres()
    admin.autocommit = True
    admin.cursor().execute(f"create database {dbname}")
    try:
        _copy_source_tables(built.warehouse, dbname)
        result = run_dbt(
            ["build"],
            warehouse=built.warehouse,
            target="postgres",
            environment={**built.dbt_environment, "PLANWATCH_PG_DBNAME": dbname},
        )
        assert result.success, result.failures or result.error
        with duckdb.connect(str(built.warehouse), read_only=True) as duck, _postgres(dbname) as pg:
            for mart in MARTS:
                duck_rows = duck.execute(f"select * from marts.{mart}").fetchall()
                cursor = pg.cursor()
                cursor.execute(f"select * from marts.{mart}")
                pg_rows = cursor.fetchall()
                assert len(duck_rows) == len(pg_rows) > 0, mart
                assert _sorted_rows(duck_rows) == _sorted_rows(pg_rows), mart
    finally:
        admin.cursor().execute(f"drop database if exists {dbname} with (force)")
        admin.close()
