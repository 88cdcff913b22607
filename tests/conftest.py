"""Shared fixtures: copies of the real registry to break, and service discovery that fails in CI."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parent.parent
PLANS_DIR = PROJECT_ROOT / "plans"
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


@pytest.fixture
def plans_copy(tmp_path: Path) -> Path:
    """A private copy of plans/ that a test may break without touching the real registry."""
    target = tmp_path / "plans"
    shutil.copytree(PLANS_DIR, target)
    return target


def require_service(available: bool, what: str) -> None:
    """Fail in CI when a service is missing; elsewhere skip with the reason printed."""
    if available:
        return
    if IN_CI:
        pytest.fail(f"{what} is not reachable, and CI must have it")
    pytest.skip(f"{what} is not reachable on this machine (outside CI this test is skipped)")
