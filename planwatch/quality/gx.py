"""The one module that imports Great Expectations: opening the file context quietly and running checkpoints.

GX is imported inside functions (about 2 s, far more on a busy machine), with its analytics and
progress bars off and its loggers turned down, because it is loud next to Airflow. The context is
the committed project in `expectations/`; what GX generates (validation results, data docs) goes to
the folder `PLANWATCH_QUALITY_OUTPUT` names, which `great_expectations.yml` reads, so one project
serves the CLI, Airflow and tests with different output folders.
"""

from __future__ import annotations

import logging
import os
import time
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from planwatch.config import PROJECT_ROOT
from planwatch.quality.data_docs_offline import make_offline

if TYPE_CHECKING:
    import pandas as pd
    from great_expectations.data_context import AbstractDataContext

GX_PROJECT = PROJECT_ROOT / "expectations"
OUTPUT_VARIABLE = "PLANWATCH_QUALITY_OUTPUT"  # read by expectations/great_expectations.yml
DATASOURCE = "planwatch_warehouse"
BATCH_DEFINITION = "whole_frame"
DATA_DOCS_SITE = "planwatch_quality"


def quiet() -> None:
    """No usage analytics, no progress bars, no INFO chatter from GX and its dependencies."""
    os.environ["GX_ANALYTICS_ENABLED"] = "False"
    for name in ("great_expectations", "great_expectations.core", "great_expectations.data_context"):
        logging.getLogger(name).setLevel(logging.ERROR)
    warnings.filterwarnings("ignore", module="great_expectations")
    warnings.filterwarnings("ignore", category=FutureWarning, module="pandas")


@dataclass
class OpenedContext:
    context: AbstractDataContext
    import_seconds: float
    context_seconds: float


# Contexts this process has opened, by (project, output) folder: checking many months in one process
# (a backfill, the sample tests) then pays for parsing the project once. A context holds no data
# between runs; each checkpoint run gets its dataframe as a batch parameter.
_OPENED: dict[tuple[Path, Path], AbstractDataContext] = {}
# by (the opened context, the checkpoint's name); each entry holds its context, so that id stays its own
_CHECKPOINTS: dict[tuple[int, str], tuple[AbstractDataContext, Any]] = {}


def open_context(output_dir: Path, project_dir: Path = GX_PROJECT) -> OpenedContext:
    """The committed GX file context, writing results and data docs under `output_dir`."""
    quiet()
    output_dir.mkdir(parents=True, exist_ok=True)
    key = (project_dir.resolve(), output_dir.resolve())
    if key in _OPENED:
        return OpenedContext(_OPENED[key], 0.0, 0.0)
    os.environ[OUTPUT_VARIABLE] = str(key[1])
    started = time.perf_counter()
    import great_expectations as gx

    imported = time.perf_counter()
    context = gx.get_context(mode="file", context_root_dir=str(project_dir))
    _OPENED[key] = context
    return OpenedContext(context, imported - started, time.perf_counter() - imported)


def run_checkpoint(
    context: AbstractDataContext,
    checkpoint: str,
    frame: pd.DataFrame,
    parameters: dict[str, Any],
    run_name: str,
) -> Any:
    """Run one committed checkpoint (one suite on one dataframe); its suite validation result."""
    from great_expectations.core.run_identifier import RunIdentifier

    key = (id(context), checkpoint)
    if key not in _CHECKPOINTS:  # read from the store once per context: a month's checks run every suite
        _CHECKPOINTS[key] = (context, context.checkpoints.get(checkpoint))
    result = _CHECKPOINTS[key][1].run(
        batch_parameters={"dataframe": frame},
        expectation_parameters=parameters,
        run_id=RunIdentifier(run_name=run_name),
    )
    (validation_result,) = result.run_results.values()
    return validation_result


def build_data_docs(context: AbstractDataContext) -> Path | None:
    """Rebuild the HTML data docs from the stored validation results, made to open offline; the index page."""
    context.build_data_docs(site_names=[DATA_DOCS_SITE])
    urls = context.get_docs_sites_urls(site_name=DATA_DOCS_SITE)
    if not urls or not urls[0].get("site_url"):
        return None
    index = Path(str(urls[0]["site_url"]).removeprefix("file://"))
    make_offline(index.parent)
    return index
