"""The data docs open offline: no page loads a stylesheet, script or image from the network, and every file
a page loads is in the site.

The site is built the way `planwatch check` builds it: the committed submissions checkpoints run on a
real DuckDB warehouse holding the real registry and a consistent month, and GX writes the data docs.
"""

from __future__ import annotations

import hashlib
import logging
import logging.handlers
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from planwatch.quality.data_docs_offline import ASSETS, BUNDLED, make_offline
from planwatch.quality.run import run_checks
from tests.test_quality_submissions import PERIOD, good_observations, registry_warehouse, write_warehouse

__all__ = ["registry_warehouse"]  # the session fixture, shared
# one worker builds the checked site for all of them, instead of each worker its own
pytestmark = pytest.mark.xdist_group("data_docs_offline")

NETWORK = re.compile(r"^(?:https?:)?//", re.IGNORECASE)
CSS_URL = re.compile(r"""url\(\s*["']?([^)"']+?)["']?\s*\)""")


class Loads(HTMLParser):
    """What a browser fetches for a page: stylesheets, icons, scripts, images, and urls in inline styles."""

    def __init__(self) -> None:
        super().__init__()
        self.loads: list[tuple[str, str]] = []  # (tag, location)
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        wanted = {"link": "href", "script": "src", "img": "src"}.get(tag)
        if wanted and values.get(wanted):
            self.loads.append((tag, str(values[wanted])))
        self._in_style = tag == "style"

    def handle_endtag(self, tag: str) -> None:
        self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.loads.extend(("style", url) for url in CSS_URL.findall(data) if not url.startswith("data:"))


def loads_of(page: Path) -> list[tuple[str, str]]:
    parser = Loads()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser.loads


@pytest.fixture(scope="module")
def site(registry_warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    """The data docs of one checked month, and the warnings the offline step logged while building them."""
    root = tmp_path_factory.mktemp("data_docs")
    warehouse = write_warehouse(registry_warehouse, root / "w.duckdb", good_observations())
    handler = logging.handlers.BufferingHandler(capacity=1000)
    handler.setLevel(logging.WARNING)
    logger = logging.getLogger("planwatch.quality.data_docs_offline")
    logger.addHandler(handler)
    try:
        record, _ = run_checks(warehouse, PERIOD, root / "output", ["submissions"], store=False, data_docs=True)
    finally:
        logger.removeHandler(handler)
    assert record.data_docs is not None
    return Path(record.data_docs).parent, [item.getMessage() for item in handler.buffer]


def pages_of(site: Path) -> list[Path]:
    pages = sorted(site.rglob("*.html"))
    # the index, one page per suite, one per validation result
    assert len(pages) >= 5 and any("validations" in page.parts for page in pages)
    return pages


def test_no_page_loads_a_stylesheet_script_or_image_from_the_network(site: tuple[Path, list[str]]):
    folder, _ = site
    from_network = [
        (page.relative_to(folder).as_posix(), tag, location)
        for page in pages_of(folder)
        for tag, location in loads_of(page)
        if NETWORK.match(location)
    ]
    assert from_network == []


def test_every_file_a_page_loads_is_in_the_site_with_the_fonts_its_stylesheets_load(site: tuple[Path, list[str]]):
    folder, _ = site
    missing = []
    stylesheets = set()
    for page in pages_of(folder):
        loads = loads_of(page)
        assert {tag for tag, _ in loads} >= {"link", "script"}, f"{page} loads no stylesheet or script"
        for tag, location in loads:
            target = (page.parent / location.split("?", 1)[0]).resolve()
            if not target.is_file():
                missing.append((page.relative_to(folder).as_posix(), tag, location))
            elif target.suffix == ".css":
                stylesheets.add(target)
    for stylesheet in stylesheets:
        for location in CSS_URL.findall(stylesheet.read_text(encoding="utf-8")):
            if location.startswith(("data:", "#")):
                continue
            assert not NETWORK.match(location), f"{stylesheet} loads {location}"
            if not (stylesheet.parent / location.split("?", 1)[0].split("#", 1)[0]).is_file():
                missing.append((stylesheet.relative_to(folder).as_posix(), "url", location))
    assert any(path.name == "all.min.css" for path in stylesheets)  # font-awesome, whose fonts are checked
    assert missing == []


def test_every_cdn_file_gx_links_is_bundled_so_nothing_is_dropped(site: tuple[Path, list[str]]):
    _, warnings = site
    assert warnings == []
    assert [url for url, asset in BUNDLED.items() if not (ASSETS / asset).is_file()] == []


def test_a_network_load_planwatch_does_not_bundle_is_removed_and_reported(tmp_path: Path):
    page = tmp_path / "index.html"
    page.write_text(
        '<html><head><script src="https://cdn.example.org/chart.js"></script>\n'
        '<link rel="stylesheet" href="https://maxcdn.bootstrapcdn.com/bootstrap/4.3.1/css/bootstrap.min.css">\n'
        '<script src="https://code.jquery.com/jquery-3.7.1.min.js" integrity="sha384-x" crossorigin="anonymous">'
        "</script></head>\n"
        '<body><a href="https://greatexpectations.io">links stay</a></body></html>',
        encoding="utf-8",
    )
    report = make_offline(tmp_path)
    html = page.read_text(encoding="utf-8")
    assert report.removed == [(page, "https://cdn.example.org/chart.js")]
    assert "cdn.example.org" not in html
    assert '<link rel="stylesheet" href="static/vendor/bootstrap@4.3.1/dist/css/bootstrap.min.css">' in html
    assert '<script src="static/vendor/jquery@3.7.1/dist/jquery.min.js"></script>' in html
    assert '<a href="https://greatexpectations.io">' in html


def test_making_a_site_offline_again_changes_nothing(site: tuple[Path, list[str]]):
    folder, _ = site

    def digest() -> dict[Path, str]:
        return {page: hashlib.sha256(page.read_bytes()).hexdigest() for page in pages_of(folder)}

    before = digest()
    report = make_offline(folder)
    assert (report.rewritten, report.removed) == (0, [])
    assert digest() == before
