"""Briefings whose inputs did not change are not written again.

A briefing's file in a format is written again only when what it would show changed: the briefing's
context (every figure and sentence, as gathered), what its charts are drawn from (`ChartPlan`: drawing
reads nothing else), or the code, templates, matplotlib and chart font that render it. It is decided
before any chart is drawn, so a month briefed again costs the reading of its briefings, not their
drawing (three fifths of a province month's time). Each rendered file is recorded in a hidden sidecar beside it
(`.<stem>.rendered.json`: per format, the fingerprint of its inputs and the sha256 of the file). A
file whose fingerprint matches and whose bytes are still the recorded ones is kept as it is; a file
deleted or edited by hand is written again.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from planwatch import __version__
from planwatch.atomic_files import write_atomically
from planwatch.briefing.context import Briefing
from planwatch.briefing.render import ChartPlan

_PACKAGE = Path(__file__).resolve().parent
_REPORTS = _PACKAGE.parent.parent / "reports"


@cache
def renderer_fingerprint() -> str:
    """The code and templates that turn a context into files: the briefing package and reports/, with
    matplotlib's version and the font file the charts are measured and drawn with."""
    import matplotlib
    from matplotlib import font_manager

    from planwatch.briefing.charts import FONT_FAMILY

    chart_font = font_manager.findfont(font_manager.FontProperties(family=FONT_FAMILY))
    digest = hashlib.sha256(f"{__version__}|{matplotlib.__version__}|{chart_font}".encode())
    for folder in (_PACKAGE, _REPORTS):
        for path in sorted(folder.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(str(path.relative_to(folder)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()


@dataclass(frozen=True)
class RenderInputs:
    """What a briefing's files depend on, digested once: its context (every figure and sentence, and the
    charts it carries), what its charts are to be drawn from, and the renderer."""

    stem: str
    digest: str

    @classmethod
    def of(cls, briefing: Briefing, charts_from: ChartPlan | None = None) -> RenderInputs:
        """`charts_from`: the plan the briefing's charts will be drawn from (`draw_charts`), for a briefing
        gathered but not yet drawn. Its repr is exact (floats as they round-trip, dates, tuples)."""
        digest = hashlib.sha256(renderer_fingerprint().encode())
        digest.update(briefing.model_dump_json().encode())
        digest.update(repr(charts_from).encode())
        return cls(briefing.file_stem, digest.hexdigest())

    def fingerprint(self, fmt: str) -> str:
        """What the file in `fmt` depends on."""
        return hashlib.sha256(f"{self.digest}|{fmt}".encode()).hexdigest()


def _sidecar(out_dir: Path, stem: str) -> Path:
    return out_dir / f".{stem}.rendered.json"


def _recorded(out_dir: Path, stem: str) -> dict[str, dict[str, str]]:
    try:
        recorded = json.loads(_sidecar(out_dir, stem).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return recorded if isinstance(recorded, dict) else {}


def _sha256(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def unchanged_file(out_dir: Path, inputs: RenderInputs, fmt: str) -> Path | None:
    """The briefing's file in `fmt` when it is already what rendering would write; else None."""
    entry = _recorded(out_dir, inputs.stem).get(fmt)
    path = out_dir / f"{inputs.stem}.{fmt}"
    if not entry or entry.get("fingerprint") != inputs.fingerprint(fmt):
        return None
    return path if _sha256(path) == entry.get("sha256") else None


def record(out_dir: Path, inputs: RenderInputs, written: dict[str, Path]) -> None:
    """Record the files just written (format → path) in the briefing's sidecar."""
    recorded = _recorded(out_dir, inputs.stem)
    for fmt, path in written.items():
        recorded[fmt] = {"fingerprint": inputs.fingerprint(fmt), "sha256": _sha256(path) or ""}
    text = json.dumps(recorded, ensure_ascii=False, indent=1, sort_keys=True)
    write_atomically(_sidecar(out_dir, inputs.stem), lambda temp: temp.write_text(text, encoding="utf-8"))
