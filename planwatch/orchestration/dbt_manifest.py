"""The dbt manifest the transform DAG is rendered from, written by `dbt parse` outside any DAG parse.

astronomer-cosmos builds one Airflow task per model from a manifest.json; reading a file is the
fastest way to parse the DAG (no dbt process at parse time). `make setup` (and the Airflow image
build) writes it whenever the dbt project changes: `python -m planwatch.orchestration.dbt_manifest`.
It is written to a temporary target folder and moved into place, so a DAG parse never reads half a file.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

from planwatch.transform import DBT_PROJECT_DIR, run_dbt

MANIFEST_PATH = DBT_PROJECT_DIR / "manifest" / "manifest.json"


def write_manifest(destination: Path = MANIFEST_PATH) -> Path:
    destination.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="dbt_parse_") as target:
        result = run_dbt(["parse"], environment={"DBT_TARGET_PATH": target})
        if not result.success:
            raise RuntimeError(f"dbt parse failed: {result.error}")
        staged = destination.with_suffix(".json.tmp")
        shutil.copyfile(Path(target) / "manifest.json", staged)
        os.replace(staged, destination)
    return destination


if __name__ == "__main__":
    path = write_manifest(Path(sys.argv[1]) if len(sys.argv) > 1 else MANIFEST_PATH)
    print(f"dbt manifest written to {path}")
