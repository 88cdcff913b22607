"""Writing the committed GX project in `expectations/` from the declarations in `suites.py`.

Run `python -m planwatch.quality.project` after changing a suite and commit what changes. A suite
whose committed JSON already says what `suites.py` declares is left alone (GX gives every object it
stores a new id, so rewriting it would churn the diff).
"""

from __future__ import annotations

import contextlib
import json
import uuid
from pathlib import Path
from typing import Any

from planwatch.quality import gx as gx_module
from planwatch.quality.suites import SUITES, Suite

_NAMESPACE = uuid.UUID("6f6c1a52-4a7e-4e0b-9f55-1b6f3f0c9a11")

# Every frame carries `row_id`; results name the unexpected rows by it, and the runner looks up their
# file, sheet and cell in the frame.
ROW_ID = "row_id"


def _id(*parts: str) -> str:
    return str(uuid.uuid5(_NAMESPACE, "/".join(parts)))


def _suite(suite: Suite) -> Any:  # a GX ExpectationSuite; GX is imported lazily
    import great_expectations as gx
    from great_expectations.expectations.expectation_configuration import ExpectationConfiguration

    gx_suite = gx.ExpectationSuite(
        name=suite.name, id=_id("suite", suite.name), meta={"description": suite.description}
    )
    for check in suite.checks:
        gx_suite.add_expectation_configuration(
            ExpectationConfiguration(
                type=check.expectation_type,
                kwargs=dict(check.kwargs),
                meta={"check": check.name, "message": check.message},
                description=f"{check.name}: {check.message}",
                severity=check.severity.value,
                id=_id("expectation", suite.name, check.name),
            )
        )
    return gx_suite


def _committed_checks(project_dir: Path, suite: Suite) -> list[tuple] | None:
    path = project_dir / "expectations" / f"{suite.name}.json"
    if not path.exists():
        return None
    committed = json.loads(path.read_text(encoding="utf-8"))
    return [
        (
            item.get("meta", {}).get("check"),
            item.get("meta", {}).get("message"),
            item.get("severity"),
            item["type"],
            item["kwargs"],
        )
        for item in committed.get("expectations", [])
    ]


def is_current(project_dir: Path, suite: Suite) -> bool:
    """The committed suite, its validation definition and checkpoint say what `suites.py` declares."""
    declared = [
        (check.name, check.message, check.severity.value, check.expectation_type, check.kwargs)
        for check in suite.checks
    ]
    return (
        _committed_checks(project_dir, suite) == declared
        and (project_dir / "validation_definitions" / f"{suite.name}.json").exists()
        and (project_dir / "checkpoints" / f"{suite.name}.json").exists()
    )


def write_project(project_dir: Path = gx_module.GX_PROJECT, scratch_output: Path | None = None) -> None:
    """(Re)write the datasource, one dataframe asset per frame, the suites, validation definitions and checkpoints."""
    import tempfile

    import great_expectations as gx

    output = scratch_output or Path(tempfile.mkdtemp(prefix="planwatch_gx_"))
    context = gx_module.open_context(output, project_dir).context
    try:
        datasource = context.data_sources.get(gx_module.DATASOURCE)
    except (KeyError, ValueError):
        datasource = context.data_sources.add_pandas(gx_module.DATASOURCE)
    for suite in SUITES.values():
        try:
            asset = datasource.get_asset(suite.frame)
        except LookupError:
            asset = datasource.add_dataframe_asset(suite.frame)
        try:
            batch_definition = asset.get_batch_definition(gx_module.BATCH_DEFINITION)
        except KeyError:
            batch_definition = asset.add_batch_definition_whole_dataframe(gx_module.BATCH_DEFINITION)
        if is_current(project_dir, suite):
            continue
        for store, name in (
            (context.checkpoints, suite.name),
            (context.validation_definitions, suite.name),
            (context.suites, suite.name),
        ):
            with contextlib.suppress(Exception):  # absent on a first write
                store.delete(name)
        gx_suite = context.suites.add(_suite(suite))
        definition = context.validation_definitions.add(
            gx.ValidationDefinition(
                name=suite.name, data=batch_definition, suite=gx_suite, id=_id("validation_definition", suite.name)
            )
        )
        context.checkpoints.add(
            gx.Checkpoint(
                name=suite.name,
                id=_id("checkpoint", suite.name),
                validation_definitions=[definition],
                actions=[],
                result_format={"result_format": "COMPLETE", "unexpected_index_column_names": [ROW_ID]},
            )
        )


if __name__ == "__main__":
    write_project()
    print(f"wrote the GX project in {gx_module.GX_PROJECT}")
