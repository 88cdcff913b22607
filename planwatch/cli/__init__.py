"""The `planwatch` command line: one typer app, one sub-app per stage of the data flow.

Every failure is said in one line, `planwatch <command>: <problem>`, with exit status 1: the
commands' own refusals through `planwatch.cli.arguments.fail`, and the usage errors typer finds
(a missing option, an unknown flag) through `PlanwatchApp.__call__` below.
"""

from __future__ import annotations

import sys
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as package_version
from typing import Annotated

import typer
from typer._click.exceptions import NoArgsIsHelpError  # typer 0.29 vendors click: its own exception classes

from planwatch.cli.brief import brief
from planwatch.cli.check import check
from planwatch.cli.docs import docs
from planwatch.cli.forms import templates
from planwatch.cli.ingest import ingest
from planwatch.cli.layouts import layouts_app
from planwatch.cli.pipeline import demo
from planwatch.cli.plans import plans_app
from planwatch.cli.publish import publish
from planwatch.cli.remind import remind
from planwatch.cli.sample import sample
from planwatch.cli.status import status
from planwatch.cli.supervise import approve, correct, followup_app, issue, reproduce, return_submission, states
from planwatch.cli.transform import transform
from planwatch.config import ConfigError
from planwatch.warehouse import WarehouseLockedError


class PlanwatchApp(typer.Typer):
    """The typer app, run so that a usage error is one line and exit status 1, like every other failure."""

    def __call__(self, args: list[str] | None = None, prog_name: str = "planwatch") -> None:
        command = typer.main.get_command(self)
        try:
            result = command.main(args=args, prog_name=prog_name, standalone_mode=False)
        except NoArgsIsHelpError as error:  # `planwatch` alone, or a group alone: its help
            print(error.format_message(), file=sys.stderr)
            sys.exit(0)
        except typer.TyperException as error:  # click's usage errors: missing option, unknown flag, bad value
            where = error.ctx.command_path if getattr(error, "ctx", None) is not None else prog_name
            print(f"{where}: {' '.join(error.format_message().split())}", file=sys.stderr)
            sys.exit(1)
        except WarehouseLockedError as error:  # another ingest or transform holds the warehouse
            print(f"{prog_name}: {error}", file=sys.stderr)
            sys.exit(1)
        except ConfigError as error:  # planwatch.toml or PLANWATCH_* unreadable or holding a bad value
            print(f"{prog_name}: configuration: {' '.join(str(error).split())}", file=sys.stderr)
            sys.exit(1)
        except typer.Abort:
            print(f"{prog_name}: interrupted", file=sys.stderr)
            sys.exit(1)
        sys.exit(result if isinstance(result, int) else 0)


def _version() -> str:
    try:
        return package_version("planwatch")
    except PackageNotFoundError:  # run from a checkout that was never installed
        from planwatch import __version__

        return __version__


app = PlanwatchApp(
    help="planwatch — 规划目标监测督导平台: plan targets → department data → marts → briefings.",
    no_args_is_help=True,
    add_completion=False,
)


def _print_version(asked: bool) -> None:
    if asked:
        print(f"planwatch {_version()}")
        raise typer.Exit(0)


@app.callback()
def _options(
    version: Annotated[
        bool, typer.Option("--version", callback=_print_version, is_eager=True, help="print the version and exit")
    ] = False,
) -> None:
    """planwatch — 规划目标监测督导平台: plan targets → department data → marts → briefings."""


app.add_typer(plans_app, name="plans")
app.add_typer(layouts_app, name="layouts")
app.command("demo")(demo)
app.command("status")(status)
app.command("ingest")(ingest)
app.command("templates")(templates)
app.command("sample")(sample)
app.command("transform")(transform)
app.command("brief")(brief)
app.command("check")(check)
app.command("docs")(docs)
app.command("publish")(publish)
app.command("remind")(remind)
app.command("states")(states)
app.command("approve")(approve)
app.command("return")(return_submission)
app.command("issue")(issue)
app.command("reproduce")(reproduce)
app.command("correct")(correct)
app.add_typer(followup_app, name="followup")
