"""The one configuration of planwatch: defaults that work on a fresh machine, a TOML file, environment.

Precedence, lowest first: the defaults below; `planwatch.toml` at the project root (or the file
`PLANWATCH_CONFIG` names); environment variables `PLANWATCH_<KEY>` (e.g. `PLANWATCH_WAREHOUSE`).
Relative paths are resolved against the project root, so the CLI, Airflow and tests agree.
"""

from __future__ import annotations

import os
import tomllib
from enum import StrEnum
from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class SourceKind(StrEnum):
    """Who a figure comes from: a statistics bureau (its tables, or its own templates: a department
    whose name holds 统计局) or a line department's template."""

    statistics = "statistics"
    department = "department"


class Settings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    project_root: Path = PROJECT_ROOT
    plans_dir: Path = Field(default=Path("plans"), description="the target registry")
    warehouse: Path = Field(default=Path("warehouse/planwatch.duckdb"), description="the DuckDB warehouse")
    output_dir: Path = Field(default=Path("output"), description="everything the pipeline writes")
    layouts_dir: Path | None = Field(
        default=None, description="a folder of this deployment's own source specs (YAML), after the built-in ones"
    )
    # the folders below default to one under output_dir (so moving output_dir moves them all)
    landing_dir: Path | None = Field(default=None, description="where department files arrive (<output>/landing)")
    archive_dir: Path | None = Field(default=None, description="where loaded files move to (<output>/archive)")
    outbox_dir: Path | None = Field(default=None, description="the month's templates for departments (<output>/outbox)")
    published_dir: Path | None = Field(
        default=None, description="read-only snapshots of the marts for BI readers (<output>/published)"
    )
    postgres_uri: str = Field(default="", description="PostgreSQL to publish the marts to; empty: do not publish there")
    bi_role: str = Field(
        default="planwatch_bi",
        pattern=r"^[a-z_][a-z0-9_]{0,62}$",
        description="read-only PostgreSQL role granted the published marts (cluster-wide: one per deployment)",
    )
    keep_snapshots: int = Field(default=3, ge=1, description="newest published snapshots kept (and always `current`)")
    briefing_issuer: str = Field(
        default="", description="office issuing plan and county briefings; empty: the plan region's 人民政府督查室"
    )
    briefing_summary_issuer: str = Field(
        default="规划实施监测督导办公室", description="office issuing the leadership summary across the plans"
    )
    briefing_first_issue: str = Field(
        default="",
        pattern=r"^(\d{4}-(0[1-9]|1[0-2]))?$",
        description="YYYY-MM whose briefing is 第1期, numbered on by month; empty: 期号 is the month of the year",
    )
    briefing_issue_day: int = Field(default=10, ge=1, le=28, description="day of the next month a briefing is dated")
    report_due_working_days: int = Field(
        default=5,
        ge=1,
        le=20,
        description="a month's report is due on this working day of the next month (holidays and 调休 counted)",
    )
    resubmission_working_days: int = Field(
        default=3,
        ge=1,
        le=20,
        description="a returned month (退回) is to be sent again within this many working days of its return",
    )
    # -- supervision: 督办 opened when a briefing is issued (planwatch/supervision/follow_up.py) --
    follow_up_reply_working_days: int = Field(
        default=10, ge=1, le=60, description="a 督办事项's 整改反馈 is due this many working days after the issue date"
    )
    follow_up_lagging: bool = Field(
        default=False,
        description="open 督办 for 滞后 targets too, not only 严重滞后 / 未完成 ones and overdue milestones",
    )
    issued_dir: Path | None = Field(
        default=None, description="issued briefings, frozen (planwatch issue); never rewritten (<output>/issued)"
    )
    # -- status thresholds (passed to dbt as vars; see docs/method.md) --
    lagging_threshold_pp: float = Field(
        default=10, gt=0, description="completion this many points behind time progress is 滞后 (yellow)"
    )
    severe_threshold_pp: float = Field(
        default=30, gt=0, description="completion this many points behind time progress is 严重滞后 (red)"
    )
    ahead_margin_pp: float = Field(default=10, gt=0, description="completion this many points ahead is 超前")
    final_assessment_months: int = Field(
        default=12,
        ge=0,
        description="an ended plan's targets are followed for this many months after its period and its last "
        "target year (its final assessment, as the last year's annual figures arrive), then leave the marts "
        "and the month's briefings",
    )
    # -- plausibility of reported figures (planwatch/plausibility; see docs/plausibility.md) --
    plausible_range_factor: float = Field(
        default=10,
        gt=1,
        description="a figure more than this factor above or below its plan's baseline and targets (scaled to "
        "its region level and reporting measure) is implausible; an indicator may set its own (`plausibility`)",
    )
    unit_slip_tolerance: float = Field(
        default=3,
        gt=1,
        description="a figure within this factor of 10⁴ or 10⁸ times (or 1/10⁴, 1/10⁸ of) its history or "
        "its plan's scale is read as a unit slip (元/万元/亿元, 头/万头)",
    )
    stock_jump_share: float = Field(
        default=0.5, gt=0, description="a stock moving more than this share against its last report is a jump"
    )
    flow_jump_share: float = Field(
        default=1.0, gt=0, description="a flow moving more than this share against its last report is a jump"
    )
    year_on_year_jump_share: float = Field(
        default=1.0, gt=0, description="a figure moving more than this share against the same period last year"
    )
    revision_jump_share: float = Field(
        default=0.05, gt=0, description="a correction moving a figure more than this share is told to the reader"
    )
    county_total_tolerance: float = Field(
        default=0.01, ge=0, description="counties may add up to the city total plus this share before it fails"
    )
    department_disagreement_tolerance: float = Field(
        default=0.005, ge=0, description="two departments' figures for the same cell may differ by this share"
    )
    baseline_disagreement_tolerance: float = Field(
        default=0.05,
        ge=0,
        description="a plan's baseline and the figure reported for its base period may differ by this share "
        "before the briefing says so",
    )
    prior_year_disagreement_tolerance: float = Field(
        default=0.05,
        ge=0,
        description="a figure reported for a month and the same figure restated a year later as 上年同期 may "
        "differ by this share before the briefing says so",
    )
    unchanged_months: int = Field(
        default=3, ge=2, description="a figure that always moves, reported unchanged this many months running"
    )

    source_precedence: list[SourceKind] = Field(
        default_factory=lambda: [SourceKind.statistics, SourceKind.department],
        description="which source's figure is current when several report one (the newest within a source); "
        "a source not listed comes last",
    )
    source_precedence_by_indicator: dict[str, list[SourceKind]] = Field(
        default_factory=dict, description="indicator code → its own order of sources, over source_precedence"
    )

    def dbt_vars(self) -> dict[str, object]:
        """The settings dbt reads as vars: passed on every dbt run so that this file is their one source."""
        return {
            "lagging_threshold_pp": self.lagging_threshold_pp,
            "severe_threshold_pp": self.severe_threshold_pp,
            "ahead_margin_pp": self.ahead_margin_pp,
            "final_assessment_months": self.final_assessment_months,
            "source_precedence": [kind.value for kind in self.source_precedence],
            "source_precedence_by_indicator": {
                code: [kind.value for kind in kinds] for code, kinds in self.source_precedence_by_indicator.items()
            },
        }

    def resolve(self, path: Path) -> Path:
        return path if path.is_absolute() else (self.project_root / path)

    @property
    def layouts_path(self) -> Path | None:
        return self.resolve(self.layouts_dir) if self.layouts_dir else None

    @property
    def plans_path(self) -> Path:
        return self.resolve(self.plans_dir)

    @property
    def warehouse_path(self) -> Path:
        return self.resolve(self.warehouse)

    @property
    def output_path(self) -> Path:
        return self.resolve(self.output_dir)

    def _under_output(self, path: Path | None, name: str) -> Path:
        return self.resolve(path) if path is not None else self.output_path / name

    @property
    def landing_path(self) -> Path:
        return self._under_output(self.landing_dir, "landing")

    @property
    def archive_path(self) -> Path:
        return self._under_output(self.archive_dir, "archive")

    @property
    def outbox_path(self) -> Path:
        return self._under_output(self.outbox_dir, "outbox")

    @property
    def published_path(self) -> Path:
        return self._under_output(self.published_dir, "published")

    @property
    def issued_path(self) -> Path:
        return self._under_output(self.issued_dir, "issued")

    def briefings_path(self, period: str) -> Path:
        """Briefings of one month: output/briefings/<YYYY-MM>/."""
        return self.output_path / "briefings" / period


def _config_file() -> Path:
    return Path(os.environ.get("PLANWATCH_CONFIG", PROJECT_ROOT / "planwatch.toml"))


class ConfigError(ValueError):
    """The configuration cannot be read or holds a bad value; the message names the file and the setting."""


def load_settings(environ: dict[str, str] | None = None) -> Settings:
    """Read the defaults, then the config file, then `PLANWATCH_*` environment variables.

    A `PLANWATCH_CONFIG` naming no file, a file that is no TOML, an unknown setting or a bad value is a
    ConfigError naming the file (or variable) and the setting: never a silent fall back to the defaults."""
    environ = dict(os.environ if environ is None else environ)
    values: dict[str, object] = {}
    named = environ.get("PLANWATCH_CONFIG")
    config_file = Path(named) if named else _config_file()
    if named and not config_file.is_file():
        problem = "is a folder, not a file" if config_file.is_dir() else "does not exist"
        raise ConfigError(f"PLANWATCH_CONFIG names {config_file}, which {problem}")
    if config_file.is_file():
        try:
            with config_file.open("rb") as handle:
                values.update(tomllib.load(handle).get("planwatch", {}))
        except tomllib.TOMLDecodeError as error:
            raise ConfigError(f"{config_file} is not valid TOML: {error}") from error
    from_environment = set()
    for name in Settings.model_fields:
        env_value = environ.get(f"PLANWATCH_{name.upper()}")
        if env_value:
            values[name] = env_value
            from_environment.add(name)
    try:
        return Settings(**values)
    except ValidationError as error:
        problems = []
        for problem in error.errors():
            name = ".".join(str(part) for part in problem["loc"])
            where = f"PLANWATCH_{name.upper()}" if name in from_environment else f"{config_file} [planwatch] {name}"
            problems.append(f"{where}: {problem['msg']} (given {problem.get('input')!r})")
        raise ConfigError("; ".join(problems)) from error


@lru_cache(maxsize=1)
def settings() -> Settings:
    """The process-wide settings (read once)."""
    return load_settings()
