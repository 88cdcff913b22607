"""Ingesting files: the one function the CLI and the Airflow DAG both call.

For each file: skip it if its sha256 was loaded before; read it (a file that cannot be read is
rejected with a reason, alone); recognise it as a fill-in template (by its hidden sheet) or as a
layout a source spec describes; parse every row to loaded, quarantined or ignored; append to the
warehouse in one transaction; write the department's receipt.
"""

from __future__ import annotations

import datetime as dt
import gc
import logging
import os
from collections.abc import Callable, Container, Iterable, Iterator
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import NamedTuple

import duckdb

from planwatch.atomic_files import remove_leftovers
from planwatch.config import settings
from planwatch.ingest.cells import account_cells
from planwatch.ingest.file_checks import check_file
from planwatch.ingest.layout_spec import LayoutSpec, load_layouts
from planwatch.ingest.parse_layout import matches, parse_layout
from planwatch.ingest.parse_reply import LAYOUT as REPLY_LAYOUT
from planwatch.ingest.parse_reply import is_reply_form, parse_reply_form
from planwatch.ingest.parse_template import (
    KnownMilestone,
    SenderMismatchError,
    is_template,
    parse_template,
    parse_template_without_meta,
)
from planwatch.ingest.periods import PlanSpan, is_month, name_disagrees, unusable_period
from planwatch.ingest.raw_schema import ensure_tables
from planwatch.ingest.raw_tables import AccountingError, PendingFile
from planwatch.ingest.read import (
    CSV_SUFFIXES,
    SPREADSHEET_SUFFIXES,
    SourceFile,
    UnreadableFileError,
    read_bytes_and_mtime,
    read_source_file,
    sha256_of,
)
from planwatch.ingest.receipt import (
    is_receipt_name,
    promote_receipt,
    receipt_path,
    recover_staged_receipts,
    staged_receipt_path,
    write_receipt,
)
from planwatch.ingest.records import ParsedFile, quarantine_reason
from planwatch.ingest.resolve import Resolver
from planwatch.ingest.store import FileResult, store_batch
from planwatch.ingest.values import normalise_text
from planwatch.periods import Period
from planwatch.plausibility import expectations
from planwatch.plausibility.review import Reviewer
from planwatch.processes import can_fork, forked_pool
from planwatch.registry.load import Registry
from planwatch.reporting import milestone_department
from planwatch.sample import records as sample_records
from planwatch.supervision.states import Locks, locked_departments, locked_refusal, submission_states
from planwatch.warehouse import connect

SUPPORTED_SUFFIXES = SPREADSHEET_SUFFIXES | CSV_SUFFIXES
# files per transaction: at most this many to read again after a crash. Each batch costs a plausibility
# review, its revisions query and a commit; the last batch is written after the reading ends. On the
# bench sample (4,933 new files) one batch of 5,000 saves the writing process 0.4 s of CPU over batches
# of 2,000, but not wall time (five runs each, alternating: best 3.27 vs 3.21 s, median 3.32 vs 3.29 s):
# the single batch's review is the run's tail, with one core idle
BATCH_SIZE = 2000
TAMPERED_TEMPLATE = "填报模板的隐藏表“_planwatch”已被修改，无法识别报送单位和报送期，请使用平台下发的原模板重新填报"
SHEETS_DESCRIBED = 3  # the sheets whose first rows an unrecognised file's reason quotes


def unknown_layout(source: SourceFile) -> str:
    """Why a file was not recognised, with what it holds: each sheet's name and its first rows as read (up
    to the header a template or a statistics table would have), so the clerk sees what was looked at."""
    seen = []
    for sheet in source.sheets[:SHEETS_DESCRIBED]:
        filled = [
            (index, " | ".join(normalise_text(cell) for cell in row if normalise_text(cell)))
            for index, row in enumerate(sheet.rows[:8])
        ]
        lines = [f"第{index + 1}行“{text[:40]}”" for index, text in filled if text][:2]
        seen.append(f"工作表“{sheet.name}”" + ("：" + "，".join(lines) if lines else "为空"))
    more = f"等{len(source.sheets)}个工作表" if len(source.sheets) > SHEETS_DESCRIBED else ""
    held = f"（本文件{'；'.join(seen)}{more}）" if seen else "（本文件没有工作表）"
    return (
        f"文件格式无法识别：既不是平台下发的填报模板，也不符合已登记的统计报表格式{held}。平台模板的数据表须有"
        "“地区”“地区编码”列和“本月数”“本年累计”等口径列；统计报表须有已登记格式的表头（如“指标”“计量单位”）。"
        "请使用平台下发的填报模板报送，不要合并或改动表头"
    )


UNKNOWN_SENDER = (
    "无法识别报送单位：文件“{file}”（{layout}）的文件名和表头都没有写明是哪个单位报送的，"
    "数据无法归属到报送单位，未入库；请在文件名或表头写明报送单位（如“平凉市统计局_2025年6月主要指标.xlsx”）后重新报送"
)
SENDERS_DISAGREE = (
    "文件名写明的报送单位“{named}”与表格标题中的“{titled}”不一致，无法确定是哪个单位的数据，未入库；"
    "请核实报送单位（文件名或标题）后重新报送"
)


def _heading_text(source: SourceFile, spec: LayoutSpec) -> str:
    """The first rows of every sheet (titles, 填报单位：…), where a table names its sender."""
    return " ".join(
        str(cell) for sheet in source.sheets for row in sheet.rows[: spec.detect.scan_rows] for cell in row if cell
    )


def _named_otherwise(path: Path, parsed: ParsedFile) -> str | None:
    """Why a template whose name states another month than its hidden sheet (or, the hidden sheet lost, its
    titles' 报送期) is refused (see `name_disagrees`)."""
    recorded_in = {"template": "模板隐藏表", "template_without_meta": "模板表头标题"}.get(parsed.layout)
    if recorded_in is None or len(parsed.periods) != 1:
        return None
    return name_disagrees(path.name, next(iter(parsed.periods)), recorded_in)


def _titles(source: SourceFile) -> list[tuple[str, str]]:
    """(sheet name, title) of each sheet: its first filled cell, where a table says what and whose it is."""
    titles = []
    for sheet in source.sheets:
        title = next((cell for row in sheet.rows for cell in row if cell not in (None, "")), None)
        if title is not None:
            titles.append((sheet.name, normalise_text(title)))
    return titles


def collect_files(paths: Iterable[Path]) -> list[Path]:
    """Files named, and spreadsheets and CSVs under folders named, in a stable order."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            # os.walk, not rglob, and strings sorted before they become paths: a large landing folder
            # is listed in a third of the time (its names are not folders; the reader says what else)
            found += map(
                Path,
                sorted(
                    (
                        os.path.join(folder, name)
                        for folder, _, names in _walk_submissions(path)
                        for name in names
                        if _is_submission(name)
                    ),
                    key=lambda name: name.split(os.sep),  # the order of paths: part by part
                ),
            )
        else:
            found.append(path)
    return found


def _walk_submissions(top: Path) -> Iterator[tuple[str, list[str], list[str]]]:
    """os.walk, leaving out what a `planwatch sample` folder holds besides the departments' files: its
    answer key (the truth files), its manifest and a province sample's registry, which are no submissions."""
    for folder, folders, names in os.walk(top):
        if sample_records.MANIFEST_FILE in names:
            answers = {sample_records.TRUTH_FILE, sample_records.MILESTONE_TRUTH_FILE}
            names = [name for name in names if name not in answers]
            folders[:] = [name for name in folders if name != sample_records.REGISTRY_FOLDER]
        yield folder, folders, names


def _is_submission(name: str) -> bool:
    stem, suffix = os.path.splitext(name)
    return suffix.lower() in SUPPORTED_SUFFIXES and not name.startswith(("~$", ".")) and not is_receipt_name(stem)


def submission_time(path: Path) -> dt.datetime | None:
    """When the file arrived, in UTC: its modification time in the landing folder (kept when archived)."""
    try:
        return _utc(path.stat().st_mtime)
    except OSError:
        return None


def _utc(timestamp: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(timestamp, dt.UTC).replace(tzinfo=None)


class Ingestor:
    """Holds what every file needs (reference look-ups, layouts) across a batch of files."""

    def __init__(self, registry: Registry, layouts: list[LayoutSpec] | None = None) -> None:
        self.registry = registry
        self.layouts = layouts if layouts is not None else load_layouts()
        reported = _reported_regions(registry, Resolver(registry.reference))
        self.resolver = Resolver(registry.reference, reported_regions=reported)
        self.layout_resolvers = {s.layout_id: Resolver(registry.reference, s.indicator_labels) for s in self.layouts}
        # every milestone of the registry, with its deadline (the plan's: a template's copy is not changed by a
        # clerk) and the department that reports it (the only one whose report on it is taken)
        self.known_milestones = {
            m.milestone_id: KnownMilestone(m.deadline, milestone_department(registry, plan, m), m.project)
            for plan in registry.plans.values()
            for m in plan.milestones
        }
        self.spans = _plan_spans(registry, self.resolver)
        self.plan_titles = {plan_id: plan.title for plan_id, plan in registry.plans.items()}  # a lock's message
        self.names = {code: r.name for code, r in registry.reference.regions.items()}
        self.names |= {code: i.name for code, i in registry.reference.indicators.items()}
        self.reviewer = Reviewer(
            expectations.Thresholds.of(settings()),
            self.names,
            {code: i.canonical_unit for code, i in registry.reference.indicators.items()},
            {code: d.name for code, d in registry.reference.departments.items()},
        )

    def start_review(self, connection: duckdb.DuckDBPyConnection) -> Reviewer:
        """The plausibility reviewer, its registry tables registered on the writing connection."""
        expectations.register(connection, self.registry, self.reviewer.thresholds)
        return self.reviewer

    def parse(self, path: Path, data: bytes) -> tuple[ParsedFile | None, str | None, str | None]:
        """(parsed file, rejection reason, encoding) for one file's bytes; no parsed file when it is rejected."""
        parsed, rejection, encoding = self._parse(path, data)
        return (None if rejection else parsed), rejection, encoding

    def _parse(
        self, path: Path, data: bytes, locks: Locks | None = None
    ) -> tuple[ParsedFile | None, str | None, str | None]:
        """As `parse`, but a file rejected for its period keeps what was read of it: who sent it, for when.
        `locks`: the months issued briefings locked, whose rows a file of several months sets aside."""
        try:
            source = read_source_file(path, data)
        except UnreadableFileError as error:
            return None, error.reason, None
        parsed, rejection = self._recognise(path, source)
        span = self._span_of(parsed.department_id) if parsed is not None else None
        if parsed is not None:
            check_file(parsed, source, span, self._locked_months(parsed.department_id, locks or {}))
        if parsed is not None and (
            bad_period := unusable_period(parsed.periods, span=span) or _named_otherwise(path, parsed)
        ):
            return parsed, bad_period, source.encoding
        if parsed is not None:
            account_cells(source, parsed)  # the rows and cells the outcomes must add up to
        return parsed, rejection, source.encoding

    def _locked_months(self, department_id: str | None, locks: Locks) -> dict[str, str]:
        """The sender's locked months → why a row of one is not taken."""
        return {
            period: locked_refusal(department_id, [period], locks, self.plan_titles) or ""
            for (department, period) in locks
            if department == department_id
        }

    def _span_of(self, department_id: str | None) -> PlanSpan | None:
        """The months the plans of the sender's city cover (every plan's, for a sender not known)."""
        department = self.registry.reference.departments.get(department_id or "")
        city = self.resolver.city_of(department.region) if department else None
        return self.spans.get(city) or self.spans.get(None)

    def _recognise(self, path: Path, source: SourceFile) -> tuple[ParsedFile | None, str | None]:
        """The file read as a template, a layout a spec describes, or a template without its hidden sheet."""
        if is_reply_form(source):
            try:
                return parse_reply_form(source), None
            except (KeyError, ValueError):
                return None, TAMPERED_TEMPLATE
        if is_template(source):
            try:
                return parse_template(source, self.resolver, self.known_milestones), None
            except SenderMismatchError as error:
                return None, error.reason
            except (KeyError, ValueError):
                return None, TAMPERED_TEMPLATE
        sender = self.resolver.department_named_in(path.name)
        for spec in self.layouts:
            if matches(spec, source):
                titled = self._titled_by(source)
                if sender and titled and sender != titled and not spec.department:
                    departments = self.registry.reference.departments
                    named, title = departments[sender].name, departments[titled].name
                    return None, SENDERS_DISAGREE.format(named=named, titled=title)
                department_id = sender or self.resolver.department_named_in(_heading_text(source, spec))
                if spec.department:
                    department_id = next(
                        (
                            d.department_id
                            for d in self.registry.reference.departments.values()
                            if spec.department in (d.name, *d.aliases)
                        ),
                        department_id,
                    )
                if department_id is None:  # figures nobody can be held to, not even counted as the bureau's
                    return None, UNKNOWN_SENDER.format(file=path.name, layout=spec.description)
                named_in = f"文件名“{path.name}”" if sender else "表头"
                if not spec.department and (other := self._titled_for_another_region(source, department_id, named_in)):
                    return None, other  # a spec's own department is the sender whatever the title says, as above
                return parse_layout(source, spec, self.layout_resolvers[spec.layout_id], department_id), None
        orphan = parse_template_without_meta(source, self.resolver, self.known_milestones, sender)
        if orphan is None:
            return None, unknown_layout(source)
        if sender is not None and (otherwise := self._template_titled_otherwise(path, source, sender)):
            return None, otherwise
        return orphan, None

    def _template_titled_otherwise(self, path: Path, source: SourceFile, sender: str) -> str | None:
        """Why a template that lost its hidden sheet is refused when its sheets' titles name another department
        or region than its file name (平凉市农业农村局's sheets saved as 张掖市农业农村局_…xlsx): its regions are
        not the named sender's, and its milestone reports would be filed under the wrong department."""
        departments = self.registry.reference.departments
        for _, title in _titles(source):
            titled = self._department_titled(title)
            if titled is not None and titled != sender:
                return SENDERS_DISAGREE.format(named=departments[sender].name, titled=departments[titled].name)
        return self._titled_for_another_region(source, sender, f"文件名“{path.name}”")

    def _titled_by(self, source: SourceFile) -> str | None:
        """The department a table's title names by its full name (中卫市统计局主要指标统计月报), if one does:
        a title naming only a city or its counties names no sender."""
        return self._department_titled(" ".join(title for _, title in _titles(source)))

    def _department_titled(self, titles: str) -> str | None:
        named = [d for d in self.registry.reference.departments.values() if d.name in titles]
        return max(named, key=lambda d: len(d.name)).department_id if named else None

    def _titled_for_another_region(self, source: SourceFile, department_id: str, named_in: str) -> str | None:
        """Why a table is refused whose title is about a region outside its sender's (平凉市主要指标统计月报 sent
        as 张掖市统计局's): its 全市 figures would be filed as the sender's city's, its counties' not found there.
        A title naming the sender's region, one within it, or none at all is the sender's table."""
        department = self.registry.reference.departments[department_id]
        city = self.resolver.city_of(department.region)
        for sheet_name, title in _titles(source):
            titled = self.resolver.region_titled_outside(title, department.region)
            if titled is None or titled in self.resolver.reported_regions.get(city or "", ()):
                continue
            regions = self.registry.reference.regions
            return quarantine_reason(
                "title_names_another_region",
                named_in=named_in,
                sender=department.name,
                sender_region=regions[department.region].name,
                sheet_name=sheet_name,
                value=title,
                titled_region=regions[titled].name,
            )
        return None

    def prepare(self, path: Path, keep_parsed: bool = True, locks: Locks | None = None) -> PendingFile:
        """Read and parse one file (or note why it cannot be read) into its raw-table rows: nothing is written yet.

        `keep_parsed=False` drops the parsed rows once tabulated: only a receipt needs them. `locks`: the
        locked months (supervision.states.locked_departments).
        """
        try:
            data, modified = read_bytes_and_mtime(path)  # when it arrived, from the file read
        except UnreadableFileError as error:
            submitted_at = submission_time(path)
            return PendingFile.of(path.name, str(path), "", 0, None, rejection=error.reason, submitted_at=submitted_at)
        submitted_at = _utc(modified)
        parsed, rejection, encoding = self._parse(path, data, locks)
        pending = PendingFile.of(
            path.name,
            str(path),
            sha256_of(data),
            len(data),
            None if rejection else parsed,
            keep_parsed=keep_parsed,
            encoding=encoding,
            rejection=rejection,
            submitted_at=submitted_at,
        )
        if rejection and parsed is not None:  # rejected for its period: the receipt still names its sender
            pending.department_id, pending.layout, pending.periods = (
                parsed.department_id,
                parsed.layout,
                sorted(parsed.periods),
            )
        return pending

    def locked_refusal(self, pending: PendingFile, locks: Locks) -> str | None:
        return locked_refusal(pending.department_id, pending.periods, locks, self.plan_titles)

    def write_receipt(self, target: Path, result: FileResult, parsed: ParsedFile | None) -> Path | None:
        """Write the file's receipt at `target`; a receipt that cannot be written is recorded on the
        result with the reason (the CLI and the DAG report it), and the other files' still are."""
        department = self.registry.reference.departments.get(result.department_id or "")
        try:
            return write_receipt(target, result, parsed, self.names, department.name if department else None)
        except Exception as error:  # any failure: the other files' receipts still get written
            log.exception("receipt for %s not written", result.file)
            result.receipt_problem = f"{type(error).__name__}: {error}"
            return None


def _reported_regions(registry: Registry, resolver: Resolver) -> dict[str, set[str]]:
    """City → the regions outside it that its plans set targets for: what its senders may report besides their own."""
    regions: dict[str, set[str]] = {}
    for plan in registry.plans.values():
        city = resolver.city_of(plan.region)
        if city is not None:
            regions.setdefault(city, set()).update(
                target.region for target in plan.targets if resolver.city_of(target.region) != city
            )
    return regions


def _plan_spans(registry: Registry, resolver: Resolver) -> dict[str | None, PlanSpan]:
    """City code → the span of its plans; None → the span of every plan in the registry."""
    spans: dict[str | None, PlanSpan] = {}
    for plan in registry.plans.values():
        base_years = [target.base_year for target in plan.targets if target.base_year]
        first = f"{min([plan.period_start.year - 1, *base_years]):04d}-01"
        last = f"{plan.period_end.year:04d}-{plan.period_end.month:02d}"
        for key in (resolver.city_of(plan.region), None):
            known = spans.get(key)
            spans[key] = PlanSpan(min(first, known.first), max(last, known.last)) if known else PlanSpan(first, last)
    return spans


class _PreviousLoad(NamedTuple):
    """The first load of some bytes: what a duplicate's receipt says was received, from whom, for when."""

    load_id: int
    status: str
    rejection: str | None
    department_id: str | None
    periods: str | None


def _previous_loads(connection: duckdb.DuckDBPyConnection) -> dict[str, _PreviousLoad]:
    """The bytes loaded before, by sha256: sent again, they are a duplicate. Bytes that were refused are not
    known: sent again they are read again, and refused again (with the reason as it stands now) or, when
    what refused them has changed (a layout spec added, a department registered), loaded."""
    rows = connection.execute(
        "select sha256, min_by(load_id, load_id), min_by(status, load_id), min_by(rejection_reason, load_id), "
        "min_by(department_id, load_id), min_by(periods, load_id) "
        "from raw.file_loads where sha256 <> '' and status = 'loaded' group by sha256"
    ).fetchall()
    return {sha: _PreviousLoad(*rest) for sha, *rest in rows}


def _committed_bytes(connection: duckdb.DuckDBPyConnection) -> set[str]:
    """Every file stored, whatever became of it: whose staged receipts a crash may have left to put in place."""
    return {sha for (sha,) in connection.execute("select distinct sha256 from raw.file_loads").fetchall()}


def _duplicate(
    connection: duckdb.DuckDBPyConnection, path: Path, sha256: str, previous: _PreviousLoad, ever_returned: set[str]
) -> FileResult:
    """The same bytes loaded before: not loaded again. When the office returned (退回) the month those bytes
    were, they answer nothing: refused, saying so, not 重复报送（此前已接收）. `ever_returned`: the departments
    the office ever returned a month of (_returned_departments), the only ones whose state is asked."""
    # the receipt names the sender and the period the first copy was read as, not 未识别
    periods = [period for period in (previous.periods or "").split(",") if period]
    returned = (
        _return_in_force(connection, previous.department_id, periods)
        if previous.department_id in ever_returned
        else None
    )
    if returned is not None:
        reason = (
            f"本单位{returned[0]}的报送已被退回（退回理由：{returned[1]}），此文件与退回前报送的文件内容完全相同，"
            "未重新入库；请按退回理由核实修改后重新报送，经核实确无差错的，请向督查室书面说明"
        )
        return FileResult(
            path.name, sha256, "rejected", reason=reason, department_id=previous.department_id, periods=periods
        )
    return FileResult(
        path.name,
        sha256,
        "duplicate",
        load_id=previous.load_id,
        reason=f"此文件此前已接收（批次 {previous.load_id}），本次未重复入库",
        department_id=previous.department_id,
        periods=periods,
    )


def _returned_departments(connection: duckdb.DuckDBPyConnection) -> set[str]:
    """The departments the office ever returned a month of (one query a run, not one a duplicate)."""
    try:
        found = connection.execute(
            "select distinct department_id from supervision.submission_reviews where decision = 'returned'"
        ).fetchall()
    except duckdb.CatalogException:  # no office decisions kept in this warehouse
        return set()
    return {department for (department,) in found}


def _return_in_force(
    connection: duckdb.DuckDBPyConnection, department_id: str | None, periods: list[str]
) -> tuple[str, str] | None:
    """(month label, reason) of a return (退回) in force for the department's month, if any."""
    if department_id is None:
        return None
    for period in periods:
        if not is_month(period):
            continue
        for state in submission_states(connection, [department_id], period):
            if state.state == "returned":
                return Period.parse(period).label, state.return_reason or "未注明"
    return None


def _refused_like(path: Path, first: FileResult) -> FileResult:
    """A file with the same bytes as one refused earlier in the same run: refused for the same reason."""
    return FileResult(
        path.name,
        first.sha256,
        "rejected",
        reason=f"与同批报送的文件“{first.file}”内容完全相同，该文件未接收：{first.reason}",
        department_id=first.department_id,
        periods=list(first.periods),
    )


class WorkerDiedError(RuntimeError):
    """A reading worker process was killed (by the reader's own abort or the operating system)."""


log = logging.getLogger(__name__)
PARALLEL_MIN_FILES = 64  # below this, starting worker processes costs more than it saves
_WORKER_INGESTOR: Ingestor | None = None
_WORKER_KEEPS_PARSED = True


def _prepare_in_worker(path: Path, locks: Locks) -> PendingFile:
    assert _WORKER_INGESTOR is not None
    return _WORKER_INGESTOR.prepare(path, _WORKER_KEEPS_PARSED, locks)


@contextmanager
def _collector_eased() -> Iterator[None]:
    """Fewer cyclic garbage collections while files are read, parsed and written (workers inherit this).

    A run allocates millions of objects that refcounting frees (cells, rows, the columns workers send
    back); with the default thresholds the collector's full passes over them took half the writing
    process's time and found nothing. The objects from before the run (registry, modules) are frozen
    and the young generation is collected every 100,000 allocations, not 700, so the cycles receipts
    make (openpyxl workbooks) are still freed.
    """
    thresholds = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(100_000, 50, 100)
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        gc.unfreeze()


class SameBytes(NamedTuple):
    """A file whose bytes were met before (loaded by an earlier run, or earlier in this one): not parsed again."""

    sha256: str


def _fingerprint(path: Path) -> str | None:
    """The sha256 of a file's bytes; None when it cannot be read (the reader then says why)."""
    try:
        return sha256_of(path.read_bytes())
    except OSError:
        return None


class _BytesMet:
    """Which files' bytes were met before: loaded by an earlier run (a landing folder scanned again), or
    earlier in this one (the same file twice). Those are only hashed, not parsed to be told a duplicate."""

    def __init__(self, known: Container[str]) -> None:
        self.known = known
        self.seen: set[str] = set()

    def before(self, path: Path) -> str | None:
        """The file's sha256 when its bytes were met before; None for new bytes (or a file not readable)."""
        sha256 = _fingerprint(path)
        if sha256 is None:
            return None
        if sha256 in self.known or sha256 in self.seen:
            return sha256
        self.seen.add(sha256)
        return None


@contextmanager
def _reading(
    ingestor: Ingestor, files: list[Path], keep_parsed: bool
) -> Iterator[Callable[[Container[str], Locks], Iterator[PendingFile | SameBytes]]]:
    """A function that reads, parses and tabulates the files in order, except those whose bytes are known;
    in forked worker processes when there are many files.

    Reading and parsing are CPU-bound and independent per file; writing stays in this process, one
    transaction per batch, so the warehouse still has a single writer. Workers send back flat
    columns, and the parsed rows only when a receipt is to be written. The workers are forked on
    entry, before the warehouse is opened; the files are handed to them once the known bytes are.
    """
    workers = min(os.cpu_count() or 1, 8)
    if workers < 2 or len(files) < PARALLEL_MIN_FILES or not can_fork():

        def read_here(known: Container[str], locks: Locks) -> Iterator[PendingFile | SameBytes]:
            met = _BytesMet(known)
            for path in files:
                sha256 = met.before(path)
                yield SameBytes(sha256) if sha256 else ingestor.prepare(path, keep_parsed, locks)

        yield read_here
        return
    global _WORKER_INGESTOR, _WORKER_KEEPS_PARSED
    _WORKER_INGESTOR, _WORKER_KEEPS_PARSED = ingestor, keep_parsed  # inherited by the forked workers
    pool = forked_pool(workers)
    pool.submit(int)  # forks the workers now, before this process opens the warehouse

    def read_in_workers(known: Container[str], locks: Locks) -> Iterator[PendingFile | SameBytes]:
        met = _BytesMet(known)
        same: dict[int, str] = {}

        def new_files() -> Iterator[Path]:
            for position, path in enumerate(files):
                if sha256 := met.before(path):
                    same[position] = sha256
                else:
                    yield path

        # map submits every file at once: `same` is complete when it returns
        parsed = _in_order(pool.map(partial(_prepare_in_worker, locks=locks), new_files(), chunksize=16))
        return (SameBytes(same[position]) if position in same else next(parsed) for position in range(len(files)))

    try:
        yield read_in_workers
    finally:
        pool.shutdown(wait=True, cancel_futures=True)  # on an error, files not yet started are dropped
        _WORKER_INGESTOR, _WORKER_KEEPS_PARSED = None, True


def _in_order(results: Iterator[PendingFile]) -> Iterator[PendingFile]:
    try:
        yield from results
    except BrokenProcessPool as error:
        raise WorkerDiedError(
            "a worker process died while reading files (a file the spreadsheet reader cannot survive); "
            "ingest the files in smaller groups, or one by one, to find it"
        ) from error


def ingest_files(
    paths: Iterable[Path],
    warehouse: Path,
    registry: Registry,
    receipts_dir: Path | None = None,
    on_file: Callable[[FileResult], None] | None = None,
    batch_size: int = BATCH_SIZE,
    layouts: list[LayoutSpec] | None = None,
) -> list[FileResult]:
    """Ingest files (and folders) into the warehouse; one result per file, in the order of `collect_files`.

    Files are written in batches, one transaction each: a crash loses at most the batch in hand, which
    loads again on the next run (the same bytes are recognised only once they are committed).
    """
    ingestor = Ingestor(registry, layouts)
    files = collect_files(paths)
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    results: dict[int, FileResult] = {}  # by position in `files`: duplicates finish before their batch
    keep_parsed = receipts_dir is not None
    if receipts_dir is not None:
        remove_leftovers(receipts_dir)  # part files of receipts an ingest killed midway was writing
    with (
        _collector_eased(),
        _reading(ingestor, files, keep_parsed) as read,
        connect(warehouse) as connection,  # waits while another process writes the warehouse
    ):
        ensure_tables(connection)
        previous = _previous_loads(connection)
        locks = locked_departments(connection)  # months whose briefing is issued take no more files
        ever_returned = _returned_departments(connection)  # whose duplicates may answer a return
        prepared = read(previous, locks)  # a file whose bytes are known is not parsed again
        if len(files) >= PARALLEL_MIN_FILES:
            # the reading workers hold every core: DuckDB's own threads would only contend with them
            connection.execute("set threads = 1")
        reviewer = ingestor.start_review(connection)
        if receipts_dir is not None:  # the receipts of a batch committed just before a crash
            recover_staged_receipts(receipts_dir, _committed_bytes(connection))
        batch: list[tuple[int, PendingFile]] = []
        in_batch: set[str] = set()
        repeated_in_batch: list[tuple[int, str]] = []  # the same bytes again: a duplicate once the first is stored
        refused_in_batch: dict[str, FileResult] = {}  # bytes the batch refused: their repeats are refused too

        def flush() -> None:
            staged: dict[int, Path] = {}

            def stage_receipts(stored: list[FileResult]) -> None:
                # written while the batch's transaction is open, hidden: a crash before the commit leaves
                # receipts the next run deletes, a crash after it receipts the next run puts in place
                if receipts_dir is None:
                    return
                for (position, pending), result in zip(batch, stored, strict=True):
                    target = staged_receipt_path(receipts_dir, files[position], result.sha256)
                    if ingestor.write_receipt(target, result, pending.parsed) is not None:
                        staged[position] = target

            stored = store_batch(connection, [pending for _, pending in batch], reviewer, stage_receipts)
            for (position, _), result in zip(batch, stored, strict=True):
                if result.sha256 and result.status != "loaded":
                    refused_in_batch.setdefault(result.sha256, result)
                if result.sha256 and result.status == "loaded":  # refused bytes are read again when sent again
                    previous.setdefault(
                        result.sha256,
                        _PreviousLoad(
                            result.load_id, result.status, result.reason, result.department_id, ",".join(result.periods)
                        ),
                    )
                if position in staged:
                    try:
                        result.receipt = str(promote_receipt(staged[position], receipts_dir))
                    except OSError as error:  # left staged: the next run puts it in place
                        result.receipt_problem = f"{type(error).__name__}: {error}"
                finish(position, result)
            for position, sha256 in repeated_in_batch:
                if sha256 in previous:
                    duplicate = _duplicate(connection, files[position], sha256, previous[sha256], ever_returned)
                    finish(position, duplicate, receipt=True)
                else:  # the same bytes as a file of the batch that was refused: refused for the same reason
                    first = refused_in_batch[sha256]
                    finish(position, _refused_like(files[position], first), receipt=True)
            batch.clear()
            in_batch.clear()
            repeated_in_batch.clear()
            refused_in_batch.clear()

        def finish(position: int, result: FileResult, receipt: bool = False) -> None:
            """Record a file's result; `receipt`: write its receipt now (a duplicate: the batch's files
            have theirs staged in the transaction)."""
            if receipt and receipts_dir is not None:
                written = ingestor.write_receipt(receipt_path(receipts_dir, files[position]), result, None)
                result.receipt = str(written) if written else None
            results[position] = result
            if on_file is not None:
                on_file(result)

        for position, pending in enumerate(prepared):
            if isinstance(pending, SameBytes) and pending.sha256 not in in_batch and pending.sha256 not in previous:
                pending = ingestor.prepare(files[position], keep_parsed, locks)  # changed since it was hashed
            # a SameBytes left is a duplicate: one of the next two checks takes it
            if pending.sha256 and pending.sha256 in in_batch:
                repeated_in_batch.append((position, pending.sha256))
                continue
            if pending.sha256 and pending.sha256 in previous:
                duplicate = _duplicate(
                    connection, files[position], pending.sha256, previous[pending.sha256], ever_returned
                )
                finish(position, duplicate, receipt=True)
                continue
            if (
                locks
                and not pending.rejection  # a file already refused keeps its own reason
                and pending.layout != REPLY_LAYOUT
                and (refusal := ingestor.locked_refusal(pending, locks))
            ):
                pending = pending.refused(refusal)
            batch.append((position, pending))
            in_batch.add(pending.sha256)
            if len(batch) >= batch_size:
                flush()
        if len(files) >= PARALLEL_MIN_FILES:
            connection.execute("reset threads")  # the readers are done: the last batch's queries take every core
        flush()
    if len(results) != len(files):
        raise AccountingError(f"{len(files)} files read but {len(results)} results")
    return [results[position] for position in range(len(files))]
