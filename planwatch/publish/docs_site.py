"""The documentation site for readers of the warehouse: dbt docs and the GX data docs under `<output>/docs/`.

`build_docs_site` runs `dbt docs generate --static` on the warehouse (one HTML file with the manifest
and the catalog inside it), rebuilds the Great Expectations data docs from the validation results
`planwatch check` stored under `<output>/quality/`, and writes a small index page linking both.
Everything opens from the file system without a network: dbt's static page loads nothing remote, but
two of its own loads are broken (an icon `<use>` whose address is an Angular template, requested
before Angular fills it in, and a favicon whose address is an unbuilt webpack `require`), so they are
repaired here; the data docs are made offline by `planwatch.quality.data_docs_offline`. The site is
built beside the old one and swapped in, so a reader never sees half of it.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import logging
import os
import re
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from planwatch.quality.data_docs_offline import OfflineReport
from planwatch.warehouse import connect

log = logging.getLogger(__name__)

DOCS_FOLDER = "docs"  # under the output folder
DBT_DOCS = "dbt/index.html"  # in the docs folder
DATA_DOCS = "quality"  # the GX site's folder in the docs folder

# dbt-docs (bundled with dbt-core 1.11) writes its sidebar icons as `<use xlink:href="{{ getIcon(...) }}">`
# in an Angular template: the browser fetches the literal `{{ ... }}` before Angular replaces it with
# `#icn-...`, a failed load per icon. `ng-attr-href` sets the (SVG 2) href only once it is filled in.
_TEMPLATE_ICON = re.compile(r'xlink:href="(\{\{[^"]*\}\})"')
# its favicon link is left as the webpack expression that should have become a file: no favicon at all
# (`data:,` also keeps a browser from asking a server for /favicon.ico)
_UNBUILT_REQUIRE = re.compile(r"""(href|src)=(["'])\$\{require\([^)]*\)\}\2""")
_NETWORK = re.compile(r"^(?:https?:)?//", re.IGNORECASE)
_LOADING_RELS = {"stylesheet", "icon", "preload", "modulepreload", "prefetch", "manifest", "apple-touch-icon"}


class DocsSiteError(ValueError):
    """The docs cannot be built: the warehouse holds no data, no checks have run, or dbt failed."""


@dataclass
class DocsSite:
    """What `build_docs_site` wrote, and how long each part took."""

    index: Path  # <output>/docs/index.html
    dbt_docs: Path
    data_docs: Path  # the GX site's index page
    models: int
    validation_results: int
    dbt_offline: OfflineReport
    seconds: dict[str, float] = field(default_factory=dict)


class _NetworkLoads(HTMLParser):
    """The tags of a page that load a stylesheet, script, icon or image from the network.

    A parser, not a regular expression, because dbt's page is mostly JavaScript whose strings hold
    tag-like text; the parser reads a script's body as text, never as tags.
    """

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, str, str]] = []  # (tag name, start tag as written, url)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        url = values.get({"link": "href", "script": "src", "img": "src"}.get(tag, ""))
        if tag == "link" and not _LOADING_RELS & set((values.get("rel") or "").lower().split()):
            return  # a canonical or alternate link names a page, it loads nothing
        if url and _NETWORK.match(url):
            self.tags.append((tag, self.get_starttag_text() or "", url))


def make_dbt_docs_offline(page: str, where: Path) -> tuple[str, OfflineReport]:
    """dbt's static docs page with its broken loads repaired and any load from the network removed."""
    report = OfflineReport(pages=1)
    page, icons = _TEMPLATE_ICON.subn(r'ng-attr-href="\1"', page)
    page, favicons = _UNBUILT_REQUIRE.subn(r"\1=\2data:,\2", page)
    report.rewritten = icons + favicons
    parser = _NetworkLoads()
    parser.feed(page)
    parser.close()
    for tag, start, url in parser.tags:
        page = page.replace(start + "</script>" if tag == "script" else start, "")
        report.removed.append((where, url))
        log.warning(
            "%s: removed %s, which dbt docs load from the network; planwatch serves the docs offline "
            "(bundle it from npm beside %s, or leave it out)",
            where,
            url,
            __name__,
        )
    return page, report


def _require_data(warehouse: Path, quality_dir: Path) -> int:
    """Refuse a warehouse without figures or marts, or an output folder without GX results; how many results."""
    if not warehouse.exists():
        raise DocsSiteError(f"no warehouse at {warehouse}; run `make demo` first")
    with connect(warehouse, read_only=True) as con:
        tables = set(con.execute("select table_schema, table_name from information_schema.tables").fetchall())
        has_figures = ("raw", "observations") in tables and con.execute(
            "select exists (select 1 from raw.observations)"
        ).fetchone()[0]
    if not has_figures:
        raise DocsSiteError(
            f"the warehouse {warehouse} is empty (no reported figures in raw.observations); "
            "run `make demo`, or `planwatch ingest` and `planwatch transform`, first"
        )
    if not any(schema == "marts" for schema, _ in tables):
        raise DocsSiteError(f"the warehouse {warehouse} has no marts yet; run `planwatch transform` first")
    validations = quality_dir / "validations"
    results = sum(1 for _ in validations.rglob("*.json")) if validations.is_dir() else 0
    if not results:
        raise DocsSiteError(f"no Great Expectations results in {validations}; run `planwatch check` first")
    return results


def _dbt_docs(warehouse: Path, target: Path) -> tuple[str, int]:
    """`dbt docs generate --static` on the warehouse: the static page, and how many models it documents."""
    from planwatch.transform import run_dbt

    result = run_dbt(
        ["docs", "generate", "--static", "--quiet", "--target-path", str(target)],
        warehouse=warehouse,
        environment={"DBT_LOG_PATH": str(target / "logs")},
    )
    page = target / "static_index.html"
    if not result.success or not page.is_file():
        raise DocsSiteError(f"`dbt docs generate` failed on {warehouse}: {result.error or 'no static_index.html'}")
    nodes = json.loads((target / "manifest.json").read_text(encoding="utf-8"))["nodes"]
    return page.read_text(encoding="utf-8"), sum(1 for node in nodes if node.startswith("model."))


INDEX_PAGE = """<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>planwatch 文档 — 数据模型与数据质量</title>
<style>
  body {{ margin: 0; background: #f4f6f8; color: #1f2d3d;
         font: 16px/1.6 system-ui, "Noto Sans CJK SC", "Microsoft YaHei", sans-serif; }}
  main {{ max-width: 52rem; margin: 3rem auto; padding: 0 1.5rem; }}
  h1 {{ font-size: 1.6rem; margin: 0 0 .25rem; color: #0b3d91; }}
  .built {{ color: #5b6b7b; margin: 0 0 2rem; font-size: .9rem; }}
  a.site {{ display: block; background: #fff; border: 1px solid #d8dee4; border-left: 6px solid #0b3d91;
           border-radius: 6px; padding: 1rem 1.25rem; margin: 0 0 1rem; color: inherit; text-decoration: none; }}
  a.site:hover {{ border-color: #0b3d91; }}
  a.site strong {{ display: block; font-size: 1.15rem; color: #0b3d91; }}
  code {{ font-size: .9em; }}
</style>
</head>
<body>
<main>
<h1>planwatch 文档</h1>
<p class="built">生成于 {built} · 数据仓库 <code>{warehouse}</code></p>
<a class="site" id="dbt-docs" href="{dbt_docs}">
  <strong>数据模型（dbt docs）</strong>
  {models} 个模型：staging → intermediate → marts，每个模型的字段、说明、测试与血缘。
</a>
<a class="site" id="data-docs" href="{data_docs}">
  <strong>数据质量（Great Expectations data docs）</strong>
  {results} 份校验结果，以及每个检查组的期望。
</a>
</main>
</body>
</html>
"""


def _swap_in(built: Path, target: Path) -> None:
    """Replace the folder `target` by `built`, renaming, so the docs are never half there."""
    old = target.with_name(f".{target.name}-old-{os.getpid()}")
    if target.exists():
        target.rename(old)
    built.rename(target)
    shutil.rmtree(old, ignore_errors=True)


def build_docs_site(warehouse: Path, output_dir: Path) -> DocsSite:
    """Build dbt docs of `warehouse` and the data docs of the GX results in `<output_dir>/quality` into
    `<output_dir>/docs/`, with an index page linking both; raises DocsSiteError when there is nothing to document.
    """
    from planwatch.quality.gx import build_data_docs, open_context

    quality_dir = output_dir / "quality"
    results = _require_data(warehouse, quality_dir)
    target = output_dir / DOCS_FOLDER
    output_dir.mkdir(parents=True, exist_ok=True)
    seconds: dict[str, float] = {}
    built = Path(tempfile.mkdtemp(prefix=f".{DOCS_FOLDER}-", dir=output_dir))
    try:
        clock = time.perf_counter()
        with tempfile.TemporaryDirectory(prefix="planwatch-dbt-docs-") as dbt_target:
            page, models = _dbt_docs(warehouse, Path(dbt_target))
        dbt_index = built / DBT_DOCS
        dbt_index.parent.mkdir(parents=True)
        page, dbt_report = make_dbt_docs_offline(page, dbt_index)
        dbt_index.write_text(page, encoding="utf-8")
        seconds["dbt_docs"] = time.perf_counter() - clock

        clock = time.perf_counter()
        gx_index = build_data_docs(open_context(quality_dir).context)
        if gx_index is None:
            raise DocsSiteError(f"Great Expectations built no data docs site under {quality_dir}")
        shutil.copytree(gx_index.parent, built / DATA_DOCS)
        seconds["data_docs"] = time.perf_counter() - clock

        index = built / "index.html"
        index.write_text(
            INDEX_PAGE.format(
                built=f"{dt.datetime.now():%Y-%m-%d %H:%M}",
                warehouse=html.escape(str(warehouse)),
                dbt_docs=DBT_DOCS,
                data_docs=f"{DATA_DOCS}/index.html",
                models=models,
                results=results,
            ),
            encoding="utf-8",
        )
        built.chmod(0o755)  # mkdtemp makes it private; the docs are for readers
        _swap_in(built, target)
    except BaseException:
        shutil.rmtree(built, ignore_errors=True)
        raise
    return DocsSite(
        index=target / "index.html",
        dbt_docs=target / DBT_DOCS,
        data_docs=target / DATA_DOCS / "index.html",
        models=models,
        validation_results=results,
        dbt_offline=dbt_report,
        seconds=seconds,
    )
