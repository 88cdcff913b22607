"""The `planwatch` command line: one typer app, one sub-app per stage of the data flow."""

from __future__ import annotations

import typer

from planwatch.cli.brief import brief
from planwatch.cli.check import check
from planwatch.cli.forms import templates
from planwatch.cli.ingest import ingest
from planwatch.cli.layouts import layouts_app
from planwatch.cli.pipeline import demo
from planwatch.cli.plans import plans_app
from planwatch.cli.publish import publish
from planwatch.cli.remind import remind
from planwatch.cli.sample import sample
from planwatch.cli.supervise import approve, correct, followup_app, issue, return_submission, states
from planwatch.cli.transform import transform

app = typer.Typer(
    help="planwatch — 规划目标监测督导平台: plan targets → department data → marts → briefings.",
    no_args_is_help=True,
    add_completion=False,
)
app.add_typer(plans_app, name="plans")
app.add_typer(layouts_app, name="layouts")
app.command("demo")(demo)
app.command("ingest")(ingest)
app.command("templates")(templates)
app.command("sample")(sample)
app.command("transform")(transform)
app.command("brief")(brief)
app.command("check")(check)
app.command("publish")(publish)
app.command("remind")(remind)
app.command("states")(states)
app.command("approve")(approve)
app.command("return")(return_submission)
app.command("issue")(issue)
app.command("correct")(correct)
app.add_typer(followup_app, name="followup")
