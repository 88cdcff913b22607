"""The folders planwatch writes follow output_dir unless one is set apart (environment or planwatch.toml)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from planwatch.config import PROJECT_ROOT, load_settings

FOLDERS = ("landing", "archive", "outbox", "published", "issued")


def test_every_folder_moves_with_output_dir(tmp_path: Path) -> None:
    config = load_settings({"PLANWATCH_OUTPUT_DIR": str(tmp_path / "out")})
    assert {name: getattr(config, f"{name}_path") for name in FOLDERS} == {
        name: tmp_path / "out" / name for name in FOLDERS
    }
    assert config.briefings_path("2026-11") == tmp_path / "out" / "briefings" / "2026-11"


def test_a_folder_set_apart_stays_where_it_is_set(tmp_path: Path) -> None:
    config = load_settings({"PLANWATCH_OUTPUT_DIR": str(tmp_path / "out"), "PLANWATCH_ISSUED_DIR": "archive/issued"})
    assert config.issued_path == PROJECT_ROOT / "archive" / "issued"  # relative: to the project root
    assert config.landing_path == tmp_path / "out" / "landing"


def test_the_shipped_configuration_keeps_the_defaults() -> None:
    config = load_settings({})
    assert config.published_path == PROJECT_ROOT / "output" / "published"
    assert config.landing_path == PROJECT_ROOT / "output" / "landing"


@pytest.mark.parametrize(
    ("config_text", "said"),
    [
        (None, "PLANWATCH_CONFIG names"),  # the file named is not there
        ("[planwatch\n", "is not valid TOML"),
        ("[planwatch]\ncounty_total_tolerance = -1\n", "county_total_tolerance: Input should be greater than"),
        ("[planwatch]\nlaging_threshold_pp = 5\n", "laging_threshold_pp: Extra inputs are not permitted"),
    ],
)
def test_a_bad_configuration_is_one_line_naming_the_file_and_setting(
    tmp_path: Path, config_text: str | None, said: str
) -> None:
    """A config file that is missing, no TOML, or holds a bad or misspelt setting stops every command with
    one line naming it (exit 1), never a traceback or a silent fall back to the checkout's defaults."""
    config = tmp_path / "planwatch.toml"
    if config_text is not None:
        config.write_text(config_text, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "planwatch", "status"],
        env={**os.environ, "PLANWATCH_CONFIG": str(config), "PLANWATCH_WAREHOUSE": str(tmp_path / "w.duckdb")},
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1, done.stdout + done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("planwatch: configuration:") and said in lines[0], done.stderr
    assert str(config) in lines[0] and "Traceback" not in done.stderr
    assert not (tmp_path / "w.duckdb").exists()
