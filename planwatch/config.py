"""The one configuration of planwatch: defaults that work on a fresh machine, a TOML file, environment.

Precedence, lowest first: the defaults below; `planwatch.toml` at the project root (or the file
`PLANWATCH_CONFIG` names); environment variables `PLANWATCH_<KEY>` (e.g. `PLANWATCH_WAREHOUSE`).
Relative paths are resolved against the project root, so the CLI, Airflow and tests agree.
"""

from __future__ import annotations

import os
import tomllib
from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    project_root: Path = PROJECT_ROOT
    plans_dir: Path = Field(default=Path("plans"), description="the target registry")
    warehouse: Path = Field(default=Path("warehouse/planwatch.duckdb"), description="the DuckDB warehouse")
    output_dir: Path = Field(default=Path("output"), description="everything the pipeline writes")
    landing_dir: Path = Field(default=Path("output/landing"), description="where department files arrive")
    archive_dir: Path = Field(default=Path("output/archive"), description="where loaded files move to")

    def resolve(self, path: Path) -> Path:
        return path if path.is_absolute() else (self.project_root / path)

    @property
    def plans_path(self) -> Path:
        return self.resolve(self.plans_dir)

    @property
    def warehouse_path(self) -> Path:
        return self.resolve(self.warehouse)

    @property
    def output_path(self) -> Path:
        return self.resolve(self.output_dir)

    def briefings_path(self, period: str) -> Path:
        """Briefings of one month: output/briefings/<YYYY-MM>/."""
        return self.output_path / "briefings" / period


def _config_file() -> Path:
    return Path(os.environ.get("PLANWATCH_CONFIG", PROJECT_ROOT / "planwatch.toml"))


def load_settings(environ: dict[str, str] | None = None) -> Settings:
    """Read the defaults, then the config file, then `PLANWATCH_*` environment variables."""
    environ = dict(os.environ if environ is None else environ)
    values: dict[str, object] = {}
    config_file = Path(environ.get("PLANWATCH_CONFIG", _config_file()))
    if config_file.exists():
        with config_file.open("rb") as handle:
            values.update(tomllib.load(handle).get("planwatch", {}))
    for name in Settings.model_fields:
        env_value = environ.get(f"PLANWATCH_{name.upper()}")
        if env_value:
            values[name] = env_value
    return Settings(**values)


@lru_cache(maxsize=1)
def settings() -> Settings:
    """The process-wide settings (read once)."""
    return load_settings()
