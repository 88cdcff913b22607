"""`planwatch docs` (`make docs`) writes dbt docs and the data docs into output/docs/, and both open offline:
in headless Chromium each page loads nothing but files of the site and data: URLs, every load succeeds,
no script fails, the pages are styled by their own stylesheets, and dbt's app renders its model list.

The docs are built by the command on a copy of the briefing sample warehouse (tests/conftest.py:
registry, sample, ingest, dbt) after the committed checkpoints checked its last month, as `make demo`
leaves things. Chromium is Debian's (`make setup` installs it), driven by Playwright, which downloads
no browser of its own here; any request to the network is recorded and refused, never sent.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
import pytest

from planwatch.ingest.raw_schema import ensure_tables as ensure_raw_tables
from planwatch.publish.docs_site import make_dbt_docs_offline
from tests.conftest import BRIEFING_SAMPLE_LATEST, PROJECT_ROOT, require_service, run_planwatch

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

CHROMIUM = Path("/usr/bin/chromium")
LOCAL = ("file:", "data:", "about:")
ON_THE_SAMPLE = pytest.mark.xdist_group("briefing_warehouse")  # shares the sample warehouse, built once
MARTS = ("fct_target_progress", "mart_region_ranking", "mart_department_scorecard", "mart_submission_completeness")


@pytest.fixture(scope="module")
def docs(briefing_sample_warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """output/docs/ as `planwatch docs` writes it for the checked sample warehouse."""
    from planwatch.quality.run import run_checks

    root = tmp_path_factory.mktemp("docs_site")
    warehouse, output = root / "w.duckdb", root / "output"
    shutil.copy(briefing_sample_warehouse, warehouse)  # dbt opens it for writing: keep the shared one apart
    run_checks(warehouse, BRIEFING_SAMPLE_LATEST, output, store=False, data_docs=False)
    printed = run_planwatch("docs", "--warehouse", str(warehouse), "--output", str(output))
    assert printed.strip() == str(output / "docs" / "index.html")
    return output / "docs"


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    require_service(CHROMIUM.is_file(), f"Chromium ({CHROMIUM}, Debian package chromium, `make setup` installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        yield launched
        launched.close()


@dataclass
class Visit:
    """What a page asked for while it loaded and ran."""

    page: Page
    requests: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # uncaught script exceptions

    def assert_offline(self) -> None:
        assert [url for url in self.requests if not url.startswith(LOCAL)] == []
        assert self.failed == []
        assert self.errors == []

    def style(self, selector: str, prop: str) -> str:
        return self.page.eval_on_selector(selector, f"e => getComputedStyle(e).getPropertyValue('{prop}')")


def _wait_until_quiet(page: Page, in_flight: dict[object, str], requests: list[str], timeout: float = 120) -> None:
    """Until nothing is loading and no request started for a second (Playwright's "networkidle" wants
    half a second of no connection at all, which a busy machine can miss for 30 s on a page that has long
    finished); a request that never ends fails the test, named."""
    deadline, quiet_since, seen = time.monotonic() + timeout, time.monotonic(), len(requests)
    while time.monotonic() < deadline:
        page.wait_for_timeout(200)  # lets Playwright deliver the page's events
        if in_flight or len(requests) != seen:
            quiet_since, seen = time.monotonic(), len(requests)
        elif time.monotonic() - quiet_since >= 1:
            return
    raise AssertionError(f"still loading after {timeout:.0f} s: {sorted(in_flight.values())}")


@pytest.fixture
def visit(browser: Browser) -> Iterator[Callable[..., Visit]]:
    contexts = []

    def open_page(path: Path, fragment: str = "", ready: str | None = None) -> Visit:
        context = browser.new_context()
        contexts.append(context)
        # a request to the network is refused, not sent: the test never depends on one
        context.route(re.compile(r"^(?!file:|data:|about:)"), lambda route: route.abort())
        page = context.new_page()
        found = Visit(page)
        in_flight: dict[object, str] = {}

        def started(request) -> None:
            found.requests.append(request.url)
            in_flight[request] = request.url

        def failed(request) -> None:
            found.failed.append((request.url, request.failure or ""))
            in_flight.pop(request, None)

        page.on("request", started)
        page.on("requestfinished", lambda request: in_flight.pop(request, None))
        page.on("requestfailed", failed)
        page.on("pageerror", lambda error: found.errors.append(str(error)))
        page.goto(path.as_uri() + fragment, wait_until="load")
        if ready:
            page.wait_for_selector(ready, state="attached", timeout=60_000)
        page.evaluate("document.fonts.ready.then(() => true)")
        _wait_until_quiet(page, in_flight, found.requests)
        return found

    yield open_page
    for context in contexts:
        context.close()


@pytest.mark.slow
@ON_THE_SAMPLE
def test_the_docs_index_links_both_sites_and_loads_nothing_else(docs: Path, visit):
    index = visit(docs / "index.html")
    index.assert_offline()
    links = index.page.eval_on_selector_all("a.site", "links => links.map(a => a.getAttribute('href'))")
    assert links == ["dbt/index.html", "quality/index.html"]
    assert all((docs / link).is_file() for link in links)
    assert index.style("body", "background-color") == "rgb(244, 246, 248)"  # its own stylesheet, inline
    index.page.click("#data-docs")
    index.page.wait_for_load_state("networkidle")
    assert index.page.url == (docs / "quality" / "index.html").as_uri()
    index.assert_offline()


@pytest.mark.slow
@ON_THE_SAMPLE
def test_dbt_docs_render_the_model_list_and_a_model_with_its_warehouse_columns_offline(docs: Path, visit):
    dbt = visit(docs / "dbt" / "index.html", ready="[data-nav-unique-id^='model.']")
    dbt.assert_offline()
    assert dbt.requests == [(docs / "dbt" / "index.html").as_uri()]  # one file: manifest and catalog inside
    listed = dbt.page.eval_on_selector_all(
        "[data-nav-unique-id^='model.']", "items => items.map(item => item.dataset.navUniqueId)"
    )
    assert {f"model.planwatch.{name}" for name in MARTS} <= set(listed)
    # dbt's stylesheet is applied (an unstyled body is transparent), and the sidebar icons point into the page
    assert dbt.style("body", "background-color") == "rgb(249, 250, 251)"
    icons = dbt.page.eval_on_selector_all(
        "svg.menu-icon-on use, svg.menu-icon-off use",
        "uses => uses.map(u => u.getAttribute('href') || u.getAttribute('xlink:href'))",
    )
    drawn = [icon for icon in icons if icon]  # a few items have no icon in dbt's own table either
    assert len(drawn) > len(icons) / 2 and all(re.fullmatch(r"#icn-[a-z-]+", icon) for icon in drawn)

    model = visit(
        docs / "dbt" / "index.html",
        "#!/model/model.planwatch.fct_target_progress",
        ready=".app-title h1:has-text('fct_target_progress')",
    )
    model.assert_offline()
    model.page.get_by_text("completion_rate", exact=True).first.wait_for(timeout=30_000)  # a column of the mart


@pytest.mark.slow
@ON_THE_SAMPLE
def test_the_data_docs_index_and_a_validation_page_open_offline_styled_by_the_bundled_assets(docs: Path, visit):
    validations = sorted((docs / "quality" / "validations").rglob("*.html"))
    assert {path.parts[-4] for path in validations} >= {"submissions_observations", "marts_target_progress"}
    for path in (docs / "quality" / "index.html", validations[0]):
        page = visit(path, ready=".navbar")
        page.assert_offline()
        vendored = [url for url in page.requests if "/static/vendor/" in url]
        assert any(url.endswith("/bootstrap@4.3.1/dist/css/bootstrap.min.css") for url in vendored), path
        # bootstrap's navbar and font stack (unstyled: a block in the browser's serif), font-awesome's icon font
        assert page.style(".navbar", "display") == "flex", path
        assert '"Noto Sans"' in page.style("body", "font-family"), path
        fonts = page.page.evaluate("[...document.fonts].filter(f => f.status === 'loaded').map(f => f.family)")
        assert any("Font Awesome" in family for family in fonts), path


def test_an_empty_warehouse_is_refused_in_one_line_and_no_docs_are_written(tmp_path: Path):
    warehouse, output = tmp_path / "w.duckdb", tmp_path / "output"
    with duckdb.connect(str(warehouse)) as con:
        ensure_raw_tables(con)  # what `planwatch ingest` creates, holding no figures
    done = subprocess.run(
        [sys.executable, "-m", "planwatch", "docs", "--warehouse", str(warehouse), "--output", str(output)],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 1
    assert done.stderr.splitlines() == [
        f"planwatch docs: the warehouse {warehouse} is empty (no reported figures in raw.observations); "
        "run `make demo`, or `planwatch ingest` and `planwatch transform`, first"
    ]
    assert not (output / "docs").exists()


def test_dbt_docs_broken_loads_are_repaired_and_a_load_from_the_network_is_removed(tmp_path: Path):
    page = (
        "<html><head>\n"
        '<link rel="canonical" href="/overview/"/>\n'
        '<link rel="shortcut icon" href="${require(\'./assets/favicons/favicon.ico\')}"/>\n'
        '<link rel="stylesheet" href="https://fonts.example.org/inter.css">\n'
        '<script src="//cdn.example.org/app.js"></script>\n'
        "<script>var t='<svg><use xlink:href=\"{{ getIcon(item.type, \\'on\\') }}\"></use></svg>';\n"
        "var s='<script src=\"https://cdn.example.org/in-a-string.js\">';</script>\n"
        '</head><body><a href="https://docs.getdbt.com">links stay</a></body></html>'
    )
    offline, report = make_dbt_docs_offline(page, tmp_path / "index.html")
    assert report.rewritten == 2
    assert [url for _, url in report.removed] == ["https://fonts.example.org/inter.css", "//cdn.example.org/app.js"]
    assert '<link rel="shortcut icon" href="data:,"/>' in offline
    assert "<use ng-attr-href=\"{{ getIcon(item.type, \\'on\\') }}\"></use>" in offline
    assert "fonts.example.org" not in offline and "app.js" not in offline
    assert "in-a-string.js" in offline  # text inside a script is not a tag: left alone
    assert '<link rel="canonical" href="/overview/"/>' in offline
    assert '<a href="https://docs.getdbt.com">' in offline
