"""The folders planwatch writes follow output_dir unless one is set apart (environment or planwatch.toml)."""

from __future__ import annotations

from pathlib import Path

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
