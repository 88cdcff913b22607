"""Ingesting files: the one function the CLI and the Airflow DAG both call.

For each file: skip it if its sha256 was loaded before; read it (a file that cannot be read is
rejected with a reason, alone); recognise it as a fill-in template (by its hidden sheet) or as a
layout a source spec describes; parse every row to loaded, quarantined or ignored; append to the
warehouse in one transaction; write the department's receipt.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

import duckdb

from planwatch.ingest.layout_spec import LayoutSpec, load_layouts
from planwatch.ingest.parse_layout import matches, parse_layout
from planwatch.ingest.parse_template import is_template, parse_template
from planwatch.ingest.read import CSV_SUFFIXES, SPREADSHEET_SUFFIXES, UnreadableFileError, read_source_file, sha256_of
from planwatch.ingest.receipt import write_receipt
from planwatch.ingest.records import ParsedFile
from planwatch.ingest.resolve import Resolver
from planwatch.ingest.store import FileResult, ensure_tables, loaded_before, store_parsed, store_rejected
from planwatch.registry.load import Registry

SUPPORTED_SUFFIXES = SPREADSHEET_SUFFIXES | CSV_SUFFIXES
RECEIPT_SUFFIX = "_回执"  # receipts we wrote are never read back as submissions
UNKNOWN_LAYOUT = "文件格式无法识别：既不是平台下发的填报模板，也不符合已登记的统计报表格式。请使用平台下发的填报模板报送"


def collect_files(paths: Iterable[Path]) -> list[Path]:
    """Files named, and spreadsheets and CSVs under folders named, in a stable order."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found += sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUPPORTED_SUFFIXES
                            and not p.name.startswith(("~$", ".")) and not p.stem.endswith(RECEIPT_SUFFIX))
        else:
            found.append(path)
    return found


def department_from_file_name(registry: Registry, file_name: str) -> str | None:
    """The department whose full name (or a distinctive alias) the file name carries, longest first."""
    candidates = []
    for department in registry.reference.departments.values():
        for spelling in (department.name, *department.aliases):
            if len(spelling) >= 4 and spelling in file_name:
                candidates.append((len(spelling), department.department_id))
    return max(candidates)[1] if candidates else None


class Ingestor:
    """Holds what every file needs (reference look-ups, layouts) across a batch of files."""

    def __init__(self, registry: Registry, layouts: list[LayoutSpec] | None = None) -> None:
        self.registry = registry
        self.layouts = layouts if layouts is not None else load_layouts()
        self.resolver = Resolver(registry.reference)
        self.layout_resolvers = {s.layout_id: Resolver(registry.reference, s.indicator_labels) for s in self.layouts}
        self.known_milestones = {m.milestone_id for plan in registry.plans.values() for m in plan.milestones}
        self.names = {code: r.name for code, r in registry.reference.regions.items()}
        self.names |= {code: i.name for code, i in registry.reference.indicators.items()}

    def parse(self, path: Path) -> tuple[ParsedFile | None, str | None, object]:
        """(parsed file, rejection reason, source) for one path."""
        try:
            source = read_source_file(path)
        except UnreadableFileError as error:
            return None, error.reason, None
        if is_template(source):
            try:
                return parse_template(source, self.resolver, self.known_milestones), None, source
            except (KeyError, ValueError):
                return None, "填报模板的隐藏表“_planwatch”已被修改，无法识别报送单位和报送期，请使用平台下发的原模板重新填报", source
        for spec in self.layouts:
            if matches(spec, source):
                department_id = department_from_file_name(self.registry, path.name)
                if spec.department:
                    department_id = next(
                        (d.department_id for d in self.registry.reference.departments.values()
                         if spec.department in (d.name, *d.aliases)),
                        department_id,
                    )
                return parse_layout(source, spec, self.layout_resolvers[spec.layout_id], department_id), None, source
        return None, UNKNOWN_LAYOUT, source

    def ingest_file(
        self, connection: duckdb.DuckDBPyConnection, path: Path, receipts_dir: Path | None = None
    ) -> FileResult:
        data_sha = sha256_of(path.read_bytes()) if path.is_file() else ""
        previous = loaded_before(connection, data_sha) if data_sha else None
        if previous is not None:
            load_id, status, rejection = previous
            reason = (f"此文件此前已接收（批次 {load_id}），本次未重复入库" if status == "loaded"
                      else f"此文件此前已被拒收（批次 {load_id}）：{rejection}")
            result = FileResult(path.name, data_sha, "duplicate", load_id=load_id, reason=reason)
            parsed = None
        else:
            parsed, reason, source = self.parse(path)
            size = path.stat().st_size if path.is_file() else 0
            if parsed is None:
                result = store_rejected(connection, path.name, str(path), data_sha, size, reason or UNKNOWN_LAYOUT)
            else:
                encoding = getattr(source, "encoding", None)
                result = store_parsed(connection, parsed, path.name, str(path), data_sha, size, encoding)
        if receipts_dir is not None:
            department = self.registry.reference.departments.get(result.department_id or "")
            write_receipt(receipts_dir / f"{path.stem}{RECEIPT_SUFFIX}.xlsx", result, parsed, self.names,
                          department.name if department else None)
        return result


def ingest_files(
    paths: Iterable[Path],
    warehouse: Path,
    registry: Registry,
    receipts_dir: Path | None = None,
    on_file: Callable[[FileResult], None] | None = None,
) -> list[FileResult]:
    """Ingest files (and folders) into the warehouse; one result per file, in the order read."""
    ingestor = Ingestor(registry)
    files = collect_files(paths)
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    results = []
    with duckdb.connect(str(warehouse)) as connection:
        ensure_tables(connection)
        for path in files:
            result = ingestor.ingest_file(connection, path, receipts_dir)
            results.append(result)
            if on_file is not None:
                on_file(result)
    return results
