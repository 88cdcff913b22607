"""Making the GX data docs open without a network: bundled stylesheets and scripts instead of CDN links.

GX 1.x writes every data docs page with about 19 `<link>`/`<script>` tags pointing at CDNs (bootstrap,
jquery, font-awesome, bootstrap-table, vega…) and a logo from its S3 bucket, so on a machine without
internet the pages show unstyled. `make_offline` copies the files planwatch bundles in
`data_docs_assets/` (one folder per npm package and version, see its README) into the site's
`static/vendor/`, and points each page's tags at them by relative paths, so the site also works when
the folder is moved or opened as `file://`. A load from the network that is not bundled (a newer GX
may add one) is removed from the page and named in the report and the log, never left to fail quietly.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

log = logging.getLogger(__name__)

ASSETS = Path(__file__).with_name("data_docs_assets")
VENDOR = "static/vendor"  # in the data docs site, next to GX's own static/images and static/styles

# Each URL GX 1.x's templates (great_expectations/render/view/templates) load, and the bundled file
# that replaces it: the same package and version, except the @5 / @6 ranges, which name the newest
# release of that major version as the CDN resolves it.
BUNDLED = {
    "https://cdn.jsdelivr.net/npm/vega@5": "vega@5.33.1/build/vega.min.js",
    "https://cdn.jsdelivr.net/npm/vega-lite@5": "vega-lite@5.23.0/build/vega-lite.min.js",
    "https://cdn.jsdelivr.net/npm/vega-embed@6": "vega-embed@6.29.0/build/vega-embed.min.js",
    "https://cdnjs.cloudflare.com/ajax/libs/font-awesome/6.6.0/css/all.min.css": (
        "fontawesome-free@6.6.0/css/all.min.css"
    ),
    "https://code.jquery.com/jquery-3.7.1.min.js": "jquery@3.7.1/dist/jquery.min.js",
    "https://cdnjs.cloudflare.com/ajax/libs/popper.js/1.12.9/umd/popper.min.js": (
        "popper.js@1.12.9/dist/umd/popper.min.js"
    ),
    "https://maxcdn.bootstrapcdn.com/bootstrap/4.3.1/css/bootstrap.min.css": (
        "bootstrap@4.3.1/dist/css/bootstrap.min.css"
    ),
    "https://stackpath.bootstrapcdn.com/bootstrap/4.3.1/js/bootstrap.min.js": (
        "bootstrap@4.3.1/dist/js/bootstrap.min.js"
    ),
    "https://unpkg.com/bootstrap-table@1.19.1/dist/bootstrap-table.min.css": (
        "bootstrap-table@1.19.1/dist/bootstrap-table.min.css"
    ),
    "https://unpkg.com/bootstrap-table@1.19.1/dist/bootstrap-table.min.js": (
        "bootstrap-table@1.19.1/dist/bootstrap-table.min.js"
    ),
    "https://unpkg.com/bootstrap-table@1.19.1/dist/extensions/filter-control/bootstrap-table-filter-control.min.js": (
        "bootstrap-table@1.19.1/dist/extensions/filter-control/bootstrap-table-filter-control.min.js"
    ),
    "https://unpkg.com/bootstrap-table@1.19.0/dist/extensions/filter-control/bootstrap-table-filter-control.css": (
        "bootstrap-table@1.19.0/dist/extensions/filter-control/bootstrap-table-filter-control.css"
    ),
    "https://unpkg.com/bootstrap-table@1.19.0/dist/extensions/filter-control/bootstrap-table-filter-control.min.css": (
        "bootstrap-table@1.19.0/dist/extensions/filter-control/bootstrap-table-filter-control.min.css"
    ),
    "https://cdnjs.cloudflare.com/ajax/libs/bootstrap-datepicker/1.9.0/css/bootstrap-datepicker.min.css": (
        "bootstrap-datepicker@1.9.0/dist/css/bootstrap-datepicker.min.css"
    ),
    "https://cdnjs.cloudflare.com/ajax/libs/bootstrap-datepicker/1.9.0/js/bootstrap-datepicker.min.js": (
        "bootstrap-datepicker@1.9.0/dist/js/bootstrap-datepicker.min.js"
    ),
    # the minified build of the same file, a sixth of the size
    "https://cdn.jsdelivr.net/npm/@forevolve/bootstrap-dark@1.1.0/dist/css/bootstrap-prefers-dark.css": (
        "bootstrap-dark@1.1.0/dist/css/bootstrap-prefers-dark.min.css"
    ),
}

# GX's navbar logo (with a tracking query) and its dark-mode background come from GX's S3 bucket; the
# site's own static/images has the logo (there is no dark variant, so dark mode shows the same one).
GX_WEB_ASSETS = "https://great-expectations-web-assets.s3.us-east-2.amazonaws.com/"
GX_IMAGES = {"logo-long.png": "static/images/logo-long.png", "full_logo_dark.png": "static/images/logo-long.png"}

_TAG = re.compile(r"<script\b[^>]*>\s*</script>|<(?:link|img)\b[^>]*>", re.IGNORECASE)
_LOCATION = re.compile(r"""(?<![\w-])(src|href)\s*=\s*(["'])(.*?)\2""", re.IGNORECASE | re.DOTALL)
# subresource integrity needs a CORS response, which a page opened as file:// never gets
_CROSS_ORIGIN = re.compile(r"""\s+(?:integrity|crossorigin)\s*=\s*(["']).*?\1""", re.IGNORECASE | re.DOTALL)
_CSS_URL = re.compile(r"""url\(\s*(["']?)((?:https?:)?//[^)"']*)\1\s*\)""", re.IGNORECASE)
_SITE_STATIC = re.compile(r"^(?:\./|(?:\.\./)+)static/(.+)$")
_NETWORK = re.compile(r"^(?:https?:)?//", re.IGNORECASE)


@dataclass
class OfflineReport:
    """What `make_offline` did to a data docs site."""

    pages: int = 0
    rewritten: int = 0  # links, scripts, images and stylesheet urls now pointing at local files
    removed: list[tuple[Path, str]] = field(default_factory=list)  # (page, URL) loads that were not bundled


def _relative(target: Path, page: Path) -> str:
    return Path(os.path.relpath(target, page.parent)).as_posix()


def _local_for(url: str, site: Path) -> Path | None:
    """The file in the site that replaces a network URL, or None when planwatch does not bundle it."""
    if url in BUNDLED:
        return site / VENDOR / BUNDLED[url]
    if url.startswith(GX_WEB_ASSETS):
        name = url.removeprefix(GX_WEB_ASSETS).split("?", 1)[0]
        if name in GX_IMAGES:
            return site / GX_IMAGES[name]
    return None


def _offline_page(html: str, page: Path, site: Path, report: OfflineReport) -> str:
    def tag(match: re.Match[str]) -> str:
        text = match.group(0)
        location = _LOCATION.search(text)
        if location is None:
            return text
        url = location.group(3).strip()
        if _NETWORK.match(url):
            local = _local_for(url, site)
            if local is None:
                report.removed.append((page, url))
                return ""
        else:
            # GX's favicon on a validation page climbs one folder too few; re-aim any site-static path
            # that misses at the site's static folder
            wanted = _SITE_STATIC.match(url)
            if wanted is None or (page.parent / url).exists() or not (site / "static" / wanted.group(1)).exists():
                return text
            local = site / "static" / wanted.group(1)
        report.rewritten += 1
        quote = location.group(2)
        text = (
            text[: location.start()]
            + f"{location.group(1)}={quote}{_relative(local, page)}{quote}"
            + text[location.end() :]
        )
        return _CROSS_ORIGIN.sub("", text)

    def css_url(match: re.Match[str]) -> str:
        local = _local_for(match.group(2), site)
        if local is None:
            report.removed.append((page, match.group(2)))
            return "none"
        report.rewritten += 1
        return f"url('{_relative(local, page)}')"

    return _CSS_URL.sub(css_url, _TAG.sub(tag, html))


def make_offline(site: Path) -> OfflineReport:
    """Copy the bundled assets into the data docs `site` and point every page at them instead of the network.

    Safe to run again: a page already made offline is left as it is.
    """
    shutil.copytree(ASSETS, site / VENDOR, dirs_exist_ok=True)
    report = OfflineReport()
    for page in sorted(site.rglob("*.html")):
        html = page.read_text(encoding="utf-8")
        offline = _offline_page(html, page, site, report)
        report.pages += 1
        if offline != html:
            page.write_text(offline, encoding="utf-8")
    for page, url in report.removed:
        log.warning(
            "%s: removed %s, which planwatch does not bundle; add it to planwatch/quality/data_docs_assets "
            "and BUNDLED in %s so the data docs open offline",
            page,
            url,
            __name__,
        )
    return report
