"""Province scale: a province's plans, 100+ counties and five years, rebuilt whole and then one month at a time.

The sample is `planwatch sample --scale province` (a synthetic province: 14 cities, 100+ counties, plans
at three levels, five years of monthly submissions and statistics tables with the usual mess), its
registry in the sample's `registry/` folder. Every step is a `planwatch` command in its own process,
timed, with its peak memory:

- full rebuild: registry load, ingest of every month, transform, the gate and the last month's
  briefings in HTML, into a fresh warehouse; then the whole history as after loading five years: every
  month checked (`check --period FIRST..LAST`) and briefed in HTML (`brief --period FIRST..LAST`), the
  reading of the issue's "all briefings" as every month's (both readings are judged);
- one new month: a second warehouse holds every month but the last (not timed); then the last month
  is ingested, transformed, checked and briefed as a month arrives; its marts are compared with the
  full rebuild's, table by table, row for row;
- dbt run and build against the hand-written floor (`benchmarks.dbt_marts`), on the ingested warehouse;
- briefings: seconds per file in HTML and PDF (one plan with its counties), and one process against two;
- publish: the marts to a snapshot (and to PostgreSQL when `PLANWATCH_BENCH_POSTGRES` names a server).

Goals (issue 17): full rebuild under 10 minutes and 4 GB; the new month at most 20 % of it, its marts
identical; dbt run at most 3× the floor; PDF per file no worse than at the default scale; two processes
faster than one.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import tempfile
import uuid
from pathlib import Path

from benchmarks import dbt_marts, ingest_throughput
from benchmarks.measured import Measured, measure

UNTIL = "2025-12"
SEED = 1
FULL_REBUILD_GOAL_SECONDS = 600
MEMORY_GOAL_MB = 4096
NEW_MONTH_GOAL_SHARE = 0.20
# columns that say when or in which order something was loaded, not what (they differ between warehouses)
_WHEN = re.compile(r"(^load_id$|_load_id$|_at$|^run_id$|^loaded|^snapshot)")


def _marts_hashes(warehouse: Path) -> dict[str, str]:
    import duckdb

    hashes = {}
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        tables = [
            name
            for (name,) in connection.execute(
                "select table_name from information_schema.tables where table_schema = 'marts' order by 1"
            ).fetchall()
        ]
        for table in tables:
            columns = [
                name
                for (name,) in connection.execute(
                    "select column_name from information_schema.columns where table_schema = 'marts' "
                    "and table_name = ? order by ordinal_position",
                    [table],
                ).fetchall()
                if not _WHEN.search(name)
            ]
            listed = ", ".join(f'"{name}"' for name in columns)
            rows = connection.execute(f'select {listed} from marts."{table}" order by all').fetchall()
            hashes[table] = hashlib.sha256(repr(rows).encode()).hexdigest()
    return hashes


def _months_checked(warehouse: Path) -> int:
    import duckdb

    with duckdb.connect(str(warehouse), read_only=True) as connection:
        return connection.execute("select count(distinct period) from quality.runs").fetchone()[0]


def _line(label: str, step: Measured) -> str:
    return f"  {label:<34} {step.seconds:7.1f} s   peak {step.peak_mb:6.0f} MB"


def _briefing_seconds(step: Measured) -> tuple[int, dict[str, float]]:
    summary = re.search(r"(\d+) briefings? rendered in [\d.]+ s \((.*?)\)", step.stdout)
    if summary is None:
        raise RuntimeError(f"unexpected output of planwatch brief:\n{step.stdout[-2000:]}")
    seconds = {fmt: float(value) for fmt, value in re.findall(r"(\w+) ([\d.]+) s", summary.group(2))}
    return int(summary.group(1)), seconds


def main(default_pdf_seconds_per_file: float | None = None) -> None:
    with tempfile.TemporaryDirectory() as scratch_dir:
        scratch = Path(scratch_dir)
        sample = scratch / "sample"
        made = measure(
            ["sample", "--scale", "province", "--until", UNTIL, "--seed", str(SEED), "--out", str(sample)], {}
        )
        registry = sample / "registry"
        months = sorted(path for path in sample.iterdir() if path.is_dir() and re.fullmatch(r"\d{4}-\d{2}", path.name))
        files = [path for month in months for path in month.iterdir() if path.is_file()]
        last, earlier = months[-1], months[:-1]
        print(
            f"province sample: {len(files)} files, {sum(p.stat().st_size for p in files) / 1e6:.0f} MB, "
            f"{len(months)} months, written in {made.seconds:.0f} s (planwatch sample --scale province --until {UNTIL})"
        )

        os.environ["PLANWATCH_PLANS_DIR"] = str(registry)  # for the benchmarks run in this process's children
        print("ingest at province scale:")
        ingest_throughput.main(sample, described=f"planwatch sample --scale province --until {UNTIL}")

        def env(name: str) -> dict[str, str]:
            return {
                "PLANWATCH_PLANS_DIR": str(registry),
                "PLANWATCH_WAREHOUSE": str(scratch / f"{name}.duckdb"),
                "PLANWATCH_OUTPUT_DIR": str(scratch / f"output-{name}"),
                "PLANWATCH_POSTGRES_URI": "",
                "DBT_TARGET_PATH": str(scratch / f"dbt-{name}"),
                "DBT_LOG_PATH": str(scratch / f"dbt-logs-{name}"),
            }

        full = env("full")
        period = last.name
        steps = {
            "registry load": measure(["plans", "load"], full),
            "ingest (every month)": measure(["ingest", *map(str, months), "--batch-size", "5000"], full),
        }
        ingested = scratch / "ingested.duckdb"
        shutil.copyfile(full["PLANWATCH_WAREHOUSE"], ingested)  # for dbt against its floor, below
        steps["transform (dbt build)"] = measure(["transform"], full)
        steps["gate (planwatch check)"] = measure(["check", "--period", period], full)
        steps["briefings (html)"] = measure(["brief", "--period", period, "--format", "html"], full)
        rebuild = sum(step.seconds for step in steps.values())
        peak = max(step.peak_mb for step in steps.values())
        print(f"full rebuild at province scale, the last month briefed: {rebuild:.0f} s, peak {peak:.0f} MB")
        for label, step in steps.items():
            print(_line(label, step))
        briefings, _ = _briefing_seconds(steps["briefings (html)"])

        # the whole history: every month checked and briefed, as after loading five years (one process each)
        span = f"{months[0].name}..{period}"
        history = {
            "gate, every month": measure(["check", "--period", span], full, allowed_exit_codes=(0, 1)),
            "briefings (html), every month": measure(
                ["brief", "--period", span, "--format", "html", "--out", str(scratch / "history")],
                full,
                allowed_exit_codes=(0, 1),
            ),
        }
        history_files = sum(1 for _ in (scratch / "history").rglob("*.html"))
        said = history["briefings (html), every month"].stdout
        briefed = re.search(r"(\d+) of (\d+) months briefed", said)
        if briefed is None or int(briefed.group(2)) != len(months):
            raise RuntimeError(f"brief --period {span} did not brief the range:\n{said[-2000:]}")
        checked = _months_checked(Path(full["PLANWATCH_WAREHOUSE"]))
        if checked != len(months):
            raise RuntimeError(f"check --period {span} checked {checked} of {len(months)} months")
        loading = ("registry load", "ingest (every month)", "transform (dbt build)")
        whole = sum(steps[label].seconds for label in loading) + sum(step.seconds for step in history.values())
        whole_peak = max(peak, *(step.peak_mb for step in history.values()))
        print(
            f"full rebuild with every month's gate and briefings ({len(months)} months checked, {briefed.group(1)} "
            f"briefed (the others have no progress rows yet), {history_files} HTML files): "
            f"{whole:.0f} s, peak {whole_peak:.0f} MB"
        )
        for label, step in history.items():
            print(_line(label, step))

        # one new month: the same warehouse without the last month, then the month as it arrives
        month_env = env("month")
        measure(["plans", "load"], month_env)
        measure(["ingest", *map(str, earlier), "--batch-size", "5000"], month_env)
        measure(["transform"], month_env)
        arriving = {
            "ingest (the month)": measure(["ingest", str(last)], month_env),
            "transform (dbt build)": measure(["transform"], month_env),
            "gate (planwatch check)": measure(["check", "--period", period], month_env),
            "briefings (html)": measure(["brief", "--period", period, "--format", "html"], month_env),
        }
        new_month = sum(step.seconds for step in arriving.values())
        same = _marts_hashes(Path(month_env["PLANWATCH_WAREHOUSE"])) == _marts_hashes(Path(full["PLANWATCH_WAREHOUSE"]))
        print(
            f"one new month: {new_month:.0f} s = {new_month / rebuild:.0%} of the full rebuild with the last month "
            f"briefed, {new_month / whole:.0%} of the full rebuild with every month's (goal ≤ "
            f"{NEW_MONTH_GOAL_SHARE:.0%}); marts {'identical to' if same else 'NOT identical to'} the full rebuild's"
        )
        for label, step in arriving.items():
            print(_line(label, step))

        # briefings: per file, and one process against two
        per_format, walls, with_gathering = {}, {}, {}
        for fmt in ("html", "pdf"):
            plan_files = measure(
                ["brief", "--period", period, "--format", fmt, "--jobs", "1", "--out", str(scratch / f"one-{fmt}")]
                + (["--plan", _first_plan(registry)] if fmt == "pdf" else []),
                full,
            )
            count, seconds = _briefing_seconds(plan_files)
            per_format[fmt], walls[fmt] = seconds.get(fmt, float("nan")) / count, plan_files.seconds
            with_gathering[fmt] = (seconds.get("gather", 0.0) + seconds.get(fmt, float("nan"))) / count
        two = measure(
            ["brief", "--period", period, "--format", "html", "--jobs", "2", "--out", str(scratch / "two")], full
        )
        print(
            f"briefings: {briefings} for {period}; per file, rendering the format: html {per_format['html']:.2f} s, "
            f"pdf {per_format['pdf']:.2f} s"
            + (f" (default scale {default_pdf_seconds_per_file:.2f} s)" if default_pdf_seconds_per_file else "")
            + f"; with gathering the marts and drawing the charts: html {with_gathering['html']:.2f} s, "
            f"pdf {with_gathering['pdf']:.2f} s"
            + f"; the month's html by one process {walls['html']:.1f} s, by two {two.seconds:.1f} s (wall)"
        )

        # publish
        snapshot = measure(["publish", "--to", "snapshot"], full)
        print(_line("publish (snapshot)", snapshot))
        admin = os.environ.get("PLANWATCH_BENCH_POSTGRES")
        if admin:
            _publish_postgres(admin, full)

        # dbt against its floor, on the warehouse as ingested
        print("dbt at province scale:")
        dbt_marts.compare_with_floor(ingested, scratch)
    # the "all briefings" read two ways: the month's (every plan, county and the summary), or
    # every month's; both are measured and judged
    verdicts = [
        ("full rebuild, the last month briefed, under 10 minutes", rebuild <= FULL_REBUILD_GOAL_SECONDS),
        ("full rebuild, every month briefed, under 10 minutes", whole <= FULL_REBUILD_GOAL_SECONDS),
        ("peak memory under 4 GB", max(peak, whole_peak) <= MEMORY_GOAL_MB),
        ("a new month ≤ 20 % of the full rebuild, the last month briefed", new_month <= NEW_MONTH_GOAL_SHARE * rebuild),
        ("a new month ≤ 20 % of the full rebuild, every month briefed", new_month <= NEW_MONTH_GOAL_SHARE * whole),
        ("new month's marts identical", same),
    ]
    for goal, met in verdicts:
        print(f"  {goal}: {'met' if met else 'NOT met'}")


def _first_plan(registry: Path) -> str:
    import yaml

    first = sorted(registry.glob("*.yml"))[0]
    return yaml.safe_load(first.read_text(encoding="utf-8"))["plan_id"]


def _publish_postgres(admin: str, env: dict[str, str]) -> None:
    import psycopg2

    database = f"planwatch_bench_{uuid.uuid4().hex[:8]}"
    connection = psycopg2.connect(admin)
    connection.autocommit = True
    connection.cursor().execute(f'create database "{database}"')
    try:
        uri = admin.rsplit("/", 1)[0] + f"/{database}"
        role = f"planwatch_bench_{uuid.uuid4().hex[:6]}"
        step = measure(
            ["publish", "--to", "postgres"], env | {"PLANWATCH_POSTGRES_URI": uri, "PLANWATCH_BI_ROLE": role}
        )
        print(_line("publish (PostgreSQL)", step))
        connection.cursor().execute(f'drop role if exists "{role}"')
    finally:
        connection.cursor().execute(f'drop database if exists "{database}" with (force)')
        connection.close()


if __name__ == "__main__":
    main()
