"""The briefings' Jinja environment (reports/templates/) and their font stacks: one source for the HTML
and PDF (planwatch.briefing.render), the Word prose (planwatch.briefing.word) and the letters."""

from __future__ import annotations

import os
import re
from functools import cache
from pathlib import Path

import jinja2
from markupsafe import Markup

from planwatch.briefing.formatting import FILTERS
from planwatch.config import PROJECT_ROOT

TEMPLATES_DIR = PROJECT_ROOT / "reports" / "templates"

_FONT_STACK = re.compile(r'^[\w\s",\-]+$')


def _stack(env_name: str, default: str) -> Markup:
    """A CSS font stack from configuration, checked to hold only names, quotes and commas (it is not escaped)."""
    value = os.environ.get(env_name, default)
    if not _FONT_STACK.match(value):
        raise ValueError(f"{env_name} must be a CSS font list such as '\"FangSong_GB2312\", serif', got {value!r}")
    return Markup(value)


def fonts() -> dict[str, Markup]:
    """CSS font stacks by role; `PLANWATCH_BRIEFING_FONT_<ROLE>` overrides each.

    The defaults name only fonts Debian installs: fontconfig substitutes an unknown family instead of
    moving on to the next one, so an office with licensed 仿宋_GB2312 / 小标宋 / 黑体 / 楷体 fonts puts
    them first through these variables on machines where they are installed.
    """
    return {
        "body": _stack("PLANWATCH_BRIEFING_FONT_BODY", '"Noto Serif CJK SC", serif'),
        "title": _stack("PLANWATCH_BRIEFING_FONT_TITLE", '"Noto Serif CJK SC", serif'),
        "heading": _stack("PLANWATCH_BRIEFING_FONT_HEADING", '"Noto Sans CJK SC", sans-serif'),
        "kai": _stack("PLANWATCH_BRIEFING_FONT_KAI", '"Noto Serif CJK SC", serif'),
    }


@cache
def environment(templates_dir: Path = TEMPLATES_DIR) -> jinja2.Environment:
    """The one environment of a templates folder per process: each template is compiled once, not once per
    briefing (compiling was a tenth of rendering a month's HTML briefings); an edited template file is
    compiled again (jinja2's auto_reload)."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates_dir),
        undefined=jinja2.StrictUndefined,
        autoescape=True,
        trim_blocks=False,
        lstrip_blocks=False,
        keep_trailing_newline=True,
    )
    env.filters.update(FILTERS)
    return env
