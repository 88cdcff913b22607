"""Whole files: damaged, oversized or unknown ones are rejected alone; the same bytes load once;
a later submission of a figure is a revision that becomes current and keeps the old value."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import duckdb
import pytest
from openpyxl import Workbook, load_workbook

from planwatch.ingest.read import UnreadableFileError
from planwatch.ingest.run import collect_files

from .ingest_support import Formula, Percentage, ingest, ods_bytes, pingliang_table, query, statistics_workbook


def test_a_damaged_file_is_rejected_alone_with_a_reason_and_the_others_load(tmp_path: Path) -> None:
    good = statistics_workbook(tmp_path / "a_good.xlsx", pingliang_table([["苹果产量", "万吨", 1, 2]]))
    bad = tmp_path / "b_bad.xlsx"
    bad.write_bytes(b"PK\x03\x04 this is not a workbook")
    results = ingest([good, bad], tmp_path / "w.duckdb")
    assert [r.status for r in results] == ["loaded", "rejected"]
    assert "损坏" in results[1].reason
    assert query(tmp_path / "w.duckdb", "select reason_code, file_name from raw.quarantine") == [
        ("unreadable_file", "b_bad.xlsx")
    ]


def test_a_decompression_bomb_is_rejected_before_parsing(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * (300 * 1024 * 1024))
    bomb = tmp_path / "bomb.xlsx"
    bomb.write_bytes(buffer.getvalue())
    [result] = ingest([bomb], tmp_path / "w.duckdb")
    assert result.status == "rejected" and "压缩比" in result.reason


def test_unknown_layout_and_unsupported_type_and_empty_file_are_rejected(tmp_path: Path) -> None:
    unknown = statistics_workbook(tmp_path / "a.xlsx", {"Sheet": [["随便"], ["一", "二"]]})
    pdf = tmp_path / "b.pdf"
    pdf.write_bytes(b"%PDF-1.4")
    empty = tmp_path / "c.csv"
    empty.write_bytes(b"")
    results = ingest([unknown, pdf, empty], tmp_path / "w.duckdb")
    assert [r.status for r in results] == ["rejected"] * 3
    assert "无法识别" in results[0].reason and "不支持" in results[1].reason and "为空" in results[2].reason


def test_loading_the_same_file_again_adds_nothing(tmp_path: Path) -> None:
    path = statistics_workbook(tmp_path / "m.xlsx", pingliang_table([["苹果产量", "万吨", 1, 2]]))
    first = ingest([path], tmp_path / "w.duckdb")
    copy = tmp_path / "renamed_copy.xlsx"
    copy.write_bytes(path.read_bytes())
    second = ingest([path, copy], tmp_path / "w.duckdb")
    assert first[0].status == "loaded"
    assert [r.status for r in second] == ["duplicate", "duplicate"]
    assert query(tmp_path / "w.duckdb", "select count(*) from raw.observations") == [(2,)]
    assert query(tmp_path / "w.duckdb", "select count(*) from raw.file_loads") == [(1,)]


def test_a_refused_file_sent_again_is_refused_again_never_told_it_was_received(tmp_path: Path) -> None:
    """Bytes refused before are no duplicate: sent again (in a later run, or twice in one run) they are
    refused again, the receipt says 已拒收 with the reason, never 重复报送（此前已接收）."""
    unknown = statistics_workbook(tmp_path / "a.xlsx", {"Sheet": [["随便"], ["一", "二"]]})
    [first] = ingest([unknown], tmp_path / "w.duckdb")
    copy = tmp_path / "a_再报.xlsx"
    copy.write_bytes(unknown.read_bytes())
    again = ingest([unknown, copy], tmp_path / "w.duckdb", tmp_path / "receipts")
    assert first.status == "rejected"
    assert [r.status for r in again] == ["rejected", "rejected"]
    assert "无法识别" in again[0].reason and "无法识别" in again[1].reason and "a.xlsx" in again[1].reason
    for result in again:
        lines = dict(
            row[:2] for row in load_workbook(result.receipt).worksheets[0].iter_rows(values_only=True) if row[0]
        )
        assert lines["处理结果"] == "已拒收", lines
    # each refusal of a later run is recorded; a repeat within one run is refused with its first copy
    assert query(tmp_path / "w.duckdb", "select count(*), count(distinct status) from raw.file_loads") == [(2, 1)]


def test_a_file_refused_before_loads_when_what_refused_it_is_mended(tmp_path: Path) -> None:
    """A file refused for a layout no spec described is read again when sent again: the deployment's spec,
    added since, loads it."""
    path = statistics_workbook(tmp_path / "m.xlsx", pingliang_table([["苹果产量", "万吨", 1, 2]]))
    warehouse = tmp_path / "w.duckdb"
    [loaded] = ingest([path], warehouse)
    with duckdb.connect(str(warehouse)) as connection:  # as if it had been refused by an earlier version
        connection.execute("update raw.file_loads set status = 'rejected', rejection_reason = '文件格式无法识别'")
        connection.execute("delete from raw.observations")
    [again] = ingest([path], warehouse)
    assert loaded.status == "loaded" and again.status == "loaded"
    assert query(warehouse, "select count(*) from raw.observations") == [(2,)]


def test_a_duplicates_receipt_names_the_sender_and_period_of_the_copy_received_before(tmp_path: Path) -> None:
    path = statistics_workbook(tmp_path / "m.xlsx", pingliang_table([["苹果产量", "万吨", 1, 2]]))
    copy = tmp_path / "m_再报.xlsx"
    copy.write_bytes(path.read_bytes())
    ingest([path], tmp_path / "w.duckdb")
    # again in a later run, and twice within one run
    later = ingest([copy], tmp_path / "w.duckdb", tmp_path / "receipts")
    twice = tmp_path / "twice.duckdb"
    same_run = ingest([path, copy], twice, tmp_path / "receipts_same_run")
    for result in (*later, same_run[1]):
        assert result.status == "duplicate"
        assert (result.department_id, result.periods) == ("pingliang.statistics_bureau", ["2024-03"])
        lines = dict(
            row[:2] for row in load_workbook(result.receipt).worksheets[0].iter_rows(values_only=True) if row[0]
        )
        assert lines["报送单位"] == "平凉市统计局" and lines["报送期"] == "2024-03", lines


def test_a_resubmission_is_a_revision_and_the_old_value_stays_in_history(tmp_path: Path) -> None:
    original = statistics_workbook(tmp_path / "m1.xlsx", pingliang_table([["苹果产量", "万吨", 10, 20]]))
    corrected = statistics_workbook(tmp_path / "m1_更正.xlsx", pingliang_table([["苹果产量", "万吨", 11, 20]]))
    results = ingest([original, corrected], tmp_path / "w.duckdb")
    # 庄浪县's 10 → 11 corrects what was sent; 静宁县's 20 sent again unchanged corrects nothing
    assert [r.revisions for r in results] == [0, 1]
    history = query(
        tmp_path / "w.duckdb",
        """
        select region_code, value, load_id from raw.observations where region_code = '620825' order by load_id""",
    )
    assert [value for _, value, _ in history] == [10.0, 11.0]
    current = query(
        tmp_path / "w.duckdb",
        """
        select value from raw.observations where region_code = '620825'
        qualify row_number() over (partition by indicator_code, region_code, period, measure
                                   order by load_id desc) = 1""",
    )
    assert current == [(11.0,)]
    # the figures sent a third time, unchanged (typed otherwise): nothing is corrected
    again = statistics_workbook(tmp_path / "m1_再报.xlsx", pingliang_table([["苹果产量", "万吨", 11.0, "20"]]))
    [unchanged] = ingest([again], tmp_path / "w.duckdb")
    assert unchanged.status == "loaded" and unchanged.observations == 2 and unchanged.revisions == 0


def test_another_departments_figure_for_the_same_cell_is_not_a_correction_of_the_senders_own(tmp_path: Path) -> None:
    """The statistics bureau's table after the agriculture bureau's: the bureau corrects nothing it sent (its
    receipt says 0 更正), and both figures are kept; its own resubmission later is a correction."""
    title = "平凉市农业农村局 平凉市主要指标月报（2024年1-3月）"
    department = statistics_workbook(
        tmp_path / "平凉市农业农村局_m1.xlsx", pingliang_table([["苹果产量", "万吨", 10, 20]], title=title)
    )
    bureau = statistics_workbook(tmp_path / "m1.xlsx", pingliang_table([["苹果产量", "万吨", 11, 21]]))
    resent = statistics_workbook(tmp_path / "m1_更正.xlsx", pingliang_table([["苹果产量", "万吨", 12, 21]]))
    results = ingest([department, bureau, resent], tmp_path / "w.duckdb")
    assert [r.department_id for r in results] == [
        "pingliang.agriculture_rural_bureau",
        "pingliang.statistics_bureau",
        "pingliang.statistics_bureau",
    ]
    assert [r.revisions for r in results] == [0, 0, 1]
    assert query(tmp_path / "w.duckdb", "select count(*) from raw.observations where region_code = '620825'") == [(3,)]


def test_the_receipt_lists_rejected_rows_and_cannot_run_formulas(tmp_path: Path) -> None:
    # two rows none of whose figures reads (quarantined whole), and one bad cell beside a good figure (set
    # aside alone): both sheets of the receipt that quote them hold text, never a formula
    rows = [
        ["苹果产量", "万吨", "-约5", "=1+1"],
        ["肉牛饲养量", "万头", "@SUM(A1)", "+约2"],
        ["肉牛出栏量", "万头", "-约3", 2],
    ]
    path = statistics_workbook(tmp_path / "m.xlsx", pingliang_table(rows))
    [result] = ingest([path], tmp_path / "w.duckdb", receipts=tmp_path / "receipts")
    assert (result.rows_quarantined, result.rows_loaded, result.observations) == (2, 1, 1)
    workbook = load_workbook(tmp_path / "receipts" / "m_回执.xlsx")
    assert workbook.sheetnames == [
        *("回执", "未接收的行", "未采用的数据项"),
        *("已接收的数据", "更正明细", "数据合理性提示", "已忽略的行"),
    ]
    for sheet in ("未接收的行", "未采用的数据项"):
        cells = [cell for row in workbook[sheet].iter_rows(min_row=2) for cell in row]
        assert all(cell.data_type != "f" for cell in cells), sheet
        assert all(not str(cell.value).startswith(("=", "@", "+", "-")) for cell in cells if cell.value is not None)
        assert any("不是有效数字" in str(cell.value) for cell in cells), sheet


def test_the_zip_directory_read_before_calamine_agrees_with_zipfile(tmp_path: Path) -> None:
    from planwatch.ingest.read import _zip_members, _zip_members_fast

    workbook = statistics_workbook(tmp_path / "m.xlsx", pingliang_table([["苹果产量", "万吨", 1, 2]]))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.comment = b"an archive comment moves the end record"
        archive.writestr("xl/workbook.xml", b"<workbook/>" * 1000)
        archive.writestr("docProps/\u6838\u5fc3.xml", b"x")
    for data in (workbook.read_bytes(), buffer.getvalue()):
        expected = [(m.filename, m.compress_size, m.file_size) for m in zipfile.ZipFile(io.BytesIO(data)).infolist()]
        fast = _zip_members_fast(data)
        assert fast is not None and [(m.name, m.compressed, m.uncompressed) for m in fast] == expected
    # ZIP64 or a damaged directory: left to zipfile, which names the damage
    assert _zip_members_fast(b"PK\x03\x04 no directory") is None
    with pytest.raises(UnreadableFileError, match="损坏"):
        _zip_members(b"PK\x03\x04 no directory")


def test_calamine_reads_the_checked_members_stored_and_sees_the_same_workbook(tmp_path: Path) -> None:
    """The worksheets inflated for the checks are handed to calamine stored (inflated once, not twice):
    every sheet, value, merged range and visibility reads as from the original file."""
    import python_calamine

    from planwatch.ingest.read import _inspect_zip, _zip_members_fast

    path = tmp_path / "w.xlsx"
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "苹果产量（万吨）"
    sheet.append(["地区", "本月数", "本年累计"])
    sheet.append(["平凉市", 12.5, "=B2*2"])  # a formula with no cached value: a hidden cell
    sheet.merge_cells("A4:C4")
    sheet["A4"] = "合计行说明"
    hidden = workbook.create_sheet("隐藏")
    hidden.sheet_state = "hidden"
    hidden["B3"] = "隐藏的值"
    workbook.save(path)
    original = path.read_bytes()
    inspected = _inspect_zip(original)
    stored = inspected.data
    assert stored != original and len(stored) > len(original)
    members = _zip_members_fast(stored)
    assert members is not None
    assert {m.name for m in members if m.name.startswith("xl/worksheets/")} and all(
        m.method == 0 for m in members if m.name.startswith("xl/worksheets/")
    )
    assert zipfile.ZipFile(io.BytesIO(stored)).testzip() is None  # every CRC holds
    assert list(inspected.hidden) == ["苹果产量（万吨）"]

    def read(data: bytes) -> list:
        book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        return [
            (
                meta.name,
                meta.visible,
                book.get_sheet_by_name(meta.name).to_python(skip_empty_area=False),
                book.get_sheet_by_name(meta.name).merged_cell_ranges,
            )
            for meta in book.sheets_metadata
        ]

    assert read(stored) == read(original)


def _bomb_workbook(tmp_path: Path) -> bytes:
    """A real workbook whose sheet XML inflates about 1000:1 (5 MB of spaces in 5 KB)."""
    source = statistics_workbook(tmp_path / "plain.xlsx", pingliang_table([["苹果产量", "万吨", 1, 2]]))
    buffer = io.BytesIO()
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as bomb:
        for info in original.infolist():
            body = original.read(info.filename)
            if info.filename.startswith("xl/worksheets/"):
                body = body.replace(b"<sheetData>", b"<sheetData>" + b" " * (5 * 1024 * 1024))
            bomb.writestr(info.filename, body)
    return buffer.getvalue()


def test_a_bomb_behind_prepended_bytes_or_a_fake_directory_is_still_rejected(tmp_path: Path) -> None:
    import struct

    bomb = _bomb_workbook(tmp_path)
    end = bomb.rfind(b"PK\x05\x06")
    entries, _, offset = struct.unpack_from("<HII", bomb, end + 10)
    # where the end record points, a harmless-looking directory; the real one is shifted by the prefix
    fake = b"".join(
        b"PK\x01\x02" + b"\0" * 16 + struct.pack("<IIHHH", 100, 100, 1, 0, 0) + b"\0" * 12 + b"x"
        for _ in range(entries)
    )
    prefix = bytearray(b"PK" + b"\0" * (offset + len(fake) + 16))
    prefix[offset : offset + len(fake)] = fake
    crafted = [tmp_path / "crafted.xlsx", tmp_path / "no_pk_first.xlsx"]
    crafted[0].write_bytes(bytes(prefix) + bomb)
    crafted[1].write_bytes(b"X" + bomb)
    results = ingest(crafted, tmp_path / "w.duckdb")
    assert [r.status for r in results] == ["rejected", "rejected"]
    assert all("压缩比过高" in r.reason for r in results)


def test_a_stray_cell_far_away_is_refused_before_the_reader_allocates_the_range(tmp_path: Path) -> None:
    workbook = Workbook()
    workbook.active["A1"] = "平凉市主要指标月报（2024年1-3月）"
    workbook.active["XFD1048576"] = 1
    path = tmp_path / "far.xlsx"
    workbook.save(path)
    [result] = ingest([path], tmp_path / "w.duckdb")
    assert result.status == "rejected" and "A1:XFD1048576" in result.reason and "已用范围异常" in result.reason


def _rewritten_sheet(path: Path, rewrite) -> None:
    """The workbook at `path` with its first worksheet's XML passed through `rewrite` (a writer's other habits)."""
    with zipfile.ZipFile(path) as archive:
        members = {info.filename: archive.read(info) for info in archive.infolist()}
    members["xl/worksheets/sheet1.xml"] = rewrite(members["xl/worksheets/sheet1.xml"])
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)


@pytest.mark.parametrize(
    ("far_cell", "rewrite", "used"),
    [
        # the reference after another attribute (the reader takes it wherever it stands)
        ("XFD1048576", lambda xml: xml.replace(b'<c r="XFD1048576"', b'<c s="0" r="XFD1048576"'), "A1:XFD1048576"),
        # near in columns, far in rows; and a namespace-prefixed cell
        ("AB1000000", lambda xml: xml, "A1:AB1000000"),
        (
            "XFD1048576",
            lambda xml: (
                xml.replace(b"<worksheet ", b'<x:worksheet xmlns:x="urn:x" ')
                .replace(b'<c r="XFD1048576"', b'<x:c r="XFD1048576"')
                .replace(b"</c>", b"</x:c>", 1)
            ),
            "A1:XFD1048576",
        ),
    ],
)
def test_a_far_cell_is_found_however_the_writer_spells_it(tmp_path: Path, far_cell: str, rewrite, used: str) -> None:
    workbook = Workbook()
    workbook.active["A1"] = "平凉市主要指标月报（2024年1-3月）"
    workbook.active[far_cell] = 1
    path = tmp_path / "far.xlsx"
    workbook.save(path)
    _rewritten_sheet(path, rewrite)
    [result] = ingest([path], tmp_path / "w.duckdb")
    assert result.status == "rejected" and used in result.reason and "已用范围异常" in result.reason


def test_a_far_cell_placed_by_its_order_without_a_reference_is_found(tmp_path: Path) -> None:
    """A cell's r="A1048576" is optional: without it, the cell stands in its row's row (calamine places it so)."""
    workbook = Workbook()
    workbook.active["A1"] = "平凉市主要指标月报（2024年1-3月）"
    workbook.active["XFD1"] = workbook.active["A1048576"] = 1
    path = tmp_path / "far.xlsx"
    workbook.save(path)
    _rewritten_sheet(path, lambda xml: xml.replace(b'<c r="A1048576"', b"<c"))
    [result] = ingest([path], tmp_path / "w.duckdb")
    assert result.status == "rejected" and "A1:XFD1048576" in result.reason and "已用范围异常" in result.reason


_SHEET_DATA = [
    '<row><c><v>1</v></c><c s="0"><v>2</v></c></row><row><c><v>3</v></c></row>',  # no r= at all
    "<row><c><v>1</v></c></row><row/><row><c/><c><v>3</v></c></row>",  # empty rows and cells count too
    '<row r="3"><c r="C3"><v>1</v></c><c><v>2</v></c></row><row><c><v>4</v></c></row>',  # after a reference
    # a reference to another row, and an error after a cell
    '<row r="2"><c r="C5"><v>1</v></c><c><v>2</v></c></row><row><c><v>4</v></c><c t="e"><v>#N/A</v></c></row>',
]


@pytest.mark.parametrize("prefix", ["", "x:"])
@pytest.mark.parametrize("sheet_data", _SHEET_DATA)
def test_cells_without_references_are_placed_where_calamine_reads_them(prefix: str, sheet_data: str) -> None:
    import re

    import python_calamine

    from planwatch.ingest.formula_cells import cells_in_order

    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    data = re.sub(r"<(/?)([a-z]+)(?=[\s>/])", rf"<\1{prefix}\2", f"<sheetData>{sheet_data}</sheetData>")
    xml = f'<{prefix}worksheet xmlns{":" + prefix[:-1] if prefix else ""}="{main}">{data}</{prefix}worksheet>'
    buffer = io.BytesIO()
    Workbook().save(buffer)
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as source, zipfile.ZipFile(buffer := io.BytesIO(), "w") as copy:
        for info in source.infolist():
            copy.writestr(info, xml.encode() if info.filename == "xl/worksheets/sheet1.xml" else source.read(info))
    rows = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(buffer.getvalue())).get_sheet_by_index(0)
    read = {(r, c) for r, row in enumerate(rows.to_python(skip_empty_area=False)) for c, v in enumerate(row) if v != ""}
    cells = list(cells_in_order(xml.encode()))
    values = [cell for cell in cells if b"v>" in cell.body and b"t=" not in cell.attributes]
    placed = {(cell.row_index, cell.column_index) for cell in values}
    assert placed == read and len(placed) == sheet_data.count("<v>") - sheet_data.count("#N/A")
    # an error (calamine: blank) stands where the cells before it put it
    assert [(cell.row_index, cell.column_index) for cell in cells if b't="e"' in cell.attributes] == (
        [(2, 1)] if "#N/A" in sheet_data else []
    )


def _dies_on_crash_file(path: Path, locks: dict):  # runs in a forked worker
    import os

    from planwatch.ingest import run

    if path.name == "crash.xlsx":
        os._exit(134)  # what an abort inside the spreadsheet reader does to the process
    return run._WORKER_INGESTOR.prepare(path, run._WORKER_KEEPS_PARSED, locks)


def test_a_worker_that_dies_stops_the_run_with_an_error_instead_of_hanging(tmp_path: Path, monkeypatch) -> None:
    from planwatch.ingest import run

    files = [
        statistics_workbook(tmp_path / f"f{i:03}.xlsx", pingliang_table([["苹果产量", "万吨", i, 1]]))
        for i in range(70)
    ]
    # bytes of its own: a file whose bytes were met before is not parsed (nor sent to a worker) at all
    statistics_workbook(tmp_path / "crash.xlsx", pingliang_table([["苹果产量", "万吨", 999, 1]]))
    monkeypatch.setattr(run, "_prepare_in_worker", _dies_on_crash_file)
    with pytest.raises(run.WorkerDiedError, match="worker process died"):
        ingest([*files, tmp_path / "crash.xlsx"], tmp_path / "w.duckdb")
    assert run._WORKER_INGESTOR is None


_PARSED_LOG = "PLANWATCH_TEST_PARSED_LOG"


def _logs_what_it_parses(path: Path, locks: dict):  # runs in a forked worker, or here for a few files
    import os

    from planwatch.ingest import run

    with open(os.environ[_PARSED_LOG], "a", encoding="utf-8") as log:
        log.write(f"{path.name}\n")
    return run._WORKER_INGESTOR.prepare(path, run._WORKER_KEEPS_PARSED, locks)


@pytest.mark.parametrize("files", [3, 70], ids=["in this process", "in workers"])
def test_bytes_met_before_are_hashed_not_parsed_and_reported_as_duplicates(
    tmp_path: Path, monkeypatch, files: int
) -> None:
    """A landing folder scanned again, and the same file twice in one run: only new bytes are parsed."""
    from planwatch.ingest import run

    (tmp_path / "first").mkdir()
    first = [
        statistics_workbook(tmp_path / "first" / f"f{i:03}.xlsx", pingliang_table([["苹果产量", "万吨", i, 1]]))
        for i in range(files)
    ]
    assert [r.status for r in ingest(first, tmp_path / "w.duckdb")] == ["loaded"] * files
    again = tmp_path / "again"
    again.mkdir()
    for path in first:
        (again / path.name).write_bytes(path.read_bytes())
    new = statistics_workbook(again / "new.xlsx", pingliang_table([["苹果产量", "万吨", 999, 1]]))
    (again / "new_copy.xlsx").write_bytes(new.read_bytes())
    log = tmp_path / "parsed.log"
    monkeypatch.setenv(_PARSED_LOG, str(log))
    monkeypatch.setattr(run, "_prepare_in_worker", _logs_what_it_parses)
    if files < run.PARALLEL_MIN_FILES:  # the serial path calls prepare directly
        monkeypatch.setattr(run.Ingestor, "prepare", _counting_prepare(log, run.Ingestor.prepare))
    results = ingest([again], tmp_path / "w.duckdb")
    assert log.read_text(encoding="utf-8").split() == ["new.xlsx"]
    by_name = {r.file: r for r in results}
    assert by_name["new.xlsx"].status == "loaded"
    assert (
        by_name["new_copy.xlsx"].status == "duplicate"
        and by_name["new_copy.xlsx"].load_id == by_name["new.xlsx"].load_id
    )
    assert all(by_name[p.name].status == "duplicate" and "此前已接收" in by_name[p.name].reason for p in first)
    assert query(tmp_path / "w.duckdb", "select count(*) from raw.file_loads") == [(files + 1,)]


def _counting_prepare(log: Path, prepare):
    def counting(self, path: Path, keep_parsed: bool = True, locks: dict | None = None):
        with open(log, "a", encoding="utf-8") as handle:
            handle.write(f"{path.name}\n")
        return prepare(self, path, keep_parsed, locks)

    return counting


def test_a_parser_that_loses_a_row_stops_the_load_before_anything_is_committed(tmp_path: Path, monkeypatch) -> None:
    from planwatch.ingest import parse_layout, run
    from planwatch.ingest.raw_tables import AccountingError

    real = parse_layout.parse_layout

    def losing_one_row(*args, **kwargs):
        parsed = real(*args, **kwargs)
        parsed.rows.pop()  # a bug that forgets the note under the table
        return parsed

    monkeypatch.setattr(run, "parse_layout", losing_one_row)
    path = statistics_workbook(tmp_path / "m.xlsx", pingliang_table([["苹果产量", "万吨", 1, 2], ["注：快报"]]))
    with pytest.raises(AccountingError, match="4 non-empty rows"):
        ingest([path], tmp_path / "w.duckdb")
    assert query(tmp_path / "w.duckdb", "select count(*) from raw.file_loads") == [(0,)]


def test_a_sample_folder_gives_only_its_months_files_and_a_folder_without_its_manifest_everything(tmp_path: Path):
    """`planwatch ingest SAMPLE`: the answer key, the manifest and a province sample's registry beside the
    months are no submissions; the same names in a landing folder (no sample manifest) are."""
    sample = tmp_path / "sample"
    for name in ("2025-01/a.xlsx", "2025-02/b.csv", "sample_truth.csv", "sample_milestone_truth.csv"):
        (sample / name).parent.mkdir(parents=True, exist_ok=True)
        (sample / name).write_bytes(b"x")
    (sample / "registry" / "reference").mkdir(parents=True)
    (sample / "registry" / "reference" / "regions.csv").write_bytes(b"x")
    landing = tmp_path / "landing"
    landing.mkdir()
    (landing / "registry").mkdir()
    for name in ("sample_truth.csv", "registry/reference.csv"):
        (landing / name).write_bytes(b"x")
    (sample / "sample_manifest.json").write_text("{}", encoding="utf-8")
    assert [path.relative_to(sample).as_posix() for path in collect_files([sample])] == [
        "2025-01/a.xlsx",
        "2025-02/b.csv",
    ]
    assert [path.relative_to(landing).as_posix() for path in collect_files([landing])] == [
        "registry/reference.csv",
        "sample_truth.csv",
    ]


def test_an_ods_with_a_number_shown_as_a_percentage_is_refused_not_read_as_its_fraction(tmp_path: Path) -> None:
    """80% in an .ods is stored as 0.8, as in Excel, but its cell formats are not read here: the file is
    refused, telling the clerk to save it as xlsx, instead of a 0.8 loaded where 80 was shown."""
    shown = tmp_path / "平凉市统计局_分县区.ods"
    shown.write_bytes(ods_bytes([["县区", "完成百分比"], ["庄浪县", Percentage(0.8)]]))
    [result] = ingest([shown], tmp_path / "w.duckdb")
    assert result.status == "rejected" and "百分比格式" in result.reason and "另存为xlsx" in result.reason
    plain = tmp_path / "平凉市统计局_分县区2.ods"
    plain.write_bytes(ods_bytes([["县区", "完成百分比"], ["庄浪县", 80]]))
    [read] = ingest([plain], tmp_path / "w2.duckdb")
    assert read.reason is None or "百分比格式" not in read.reason


def test_an_ods_formula_saved_without_its_result_is_refused_naming_its_cell(tmp_path: Path) -> None:
    """A formula an .ods holds without its computed result reads as blank, as if not reported: the file is
    refused naming the sheet and cell; with its result saved it loads."""
    title = ["平凉市统计局 平凉市主要指标月报（2024年1-3月）"]
    header = ["指标", "计量单位", "庄浪县", "静宁县"]
    uncomputed = tmp_path / "平凉市统计局_月报.ods"
    uncomputed.write_bytes(ods_bytes([title, header, ["苹果产量", "万吨", Formula("2.75*1", None), 30.25]]))
    [result] = ingest([uncomputed], tmp_path / "w.duckdb")
    assert result.status == "rejected" and "工作表“2024年3月”C3" in result.reason and "重新计算" in result.reason
    computed = tmp_path / "平凉市统计局_月报2.ods"
    computed.write_bytes(ods_bytes([title, header, ["苹果产量", "万吨", Formula("2.75*1", 2.75), 30.25]]))
    [loaded] = ingest([computed], tmp_path / "w2.duckdb")
    assert loaded.status == "loaded" and loaded.observations == 2, loaded
    assert query(tmp_path / "w2.duckdb", "select cell, value from raw.observations order by cell") == [
        ("C3", 2.75),
        ("D3", 30.25),
    ]


def test_a_table_whose_file_name_and_title_name_two_senders_is_refused_naming_both(tmp_path: Path) -> None:
    """A 中卫 table saved under 虎林's name: whose figures they are is not guessed."""
    path = statistics_workbook(
        tmp_path / "虎林市统计局_统计月报_2025-10.xlsx",
        {
            "2025年10月": [
                ["中卫市统计局主要指标统计月报（2025年1-10月）"],
                ["指标", "计量单位", "全市"],
                ["农产品加工业产值", "亿元", 96.03],
            ]
        },
    )
    [result] = ingest([path], tmp_path / "w.duckdb")
    assert result.status == "rejected"
    assert "文件名写明的报送单位“虎林市统计局”与表格标题中的“中卫市统计局”不一致" in result.reason
    assert query(tmp_path / "w.duckdb", "select count(*) from raw.observations") == [(0,)]


def test_a_long_tables_rows_of_a_locked_month_are_set_aside_and_its_other_months_load(tmp_path: Path) -> None:
    """January's briefing is issued and locked: a long table of January and February loses only its January
    rows (each with how to ask for a correction), not February's seven figures; a file of locked months only is
    refused whole, as a template for a locked month is."""
    import duckdb

    from planwatch.ingest.raw_schema import ensure_tables

    warehouse = tmp_path / "w.duckdb"
    with duckdb.connect(str(warehouse)) as connection:
        ensure_tables(connection)
        connection.execute(
            "insert into supervision.issued_briefings (plan_id, period, issue_number, state) "
            "values ('hulin_agri_processing_2023', '2025-01', 1, '签发')"
        )
        connection.execute(
            "insert into supervision.locked_months values "
            "('hulin_agri_processing_2023', '2025-01', 'hulin.statistics_bureau', now())"
        )
    header = ["指标名称", "地区", "时期", "数值", "单位", "口径"]
    rows = [
        ["农产品加工业营业收入", "虎林市", "2025-01", 4.1, "亿元", "累计"],
        ["农产品加工业营业收入", "虎林市", "2025-02", 8.3, "亿元", "累计"],
        ["农产品加工业营业收入", "虎林市", "2025-02", 4.2, "亿元", "本月"],
    ]
    mixed = statistics_workbook(tmp_path / "虎林市统计局_导出_2025-02.xlsx", {"导出数据": [header, *rows]})
    locked_only = statistics_workbook(tmp_path / "虎林市统计局_导出_2025-01.xlsx", {"导出数据": [header, rows[0]]})
    [taken, refused] = ingest([mixed, locked_only], warehouse)
    assert (taken.status, taken.rows_loaded, taken.rows_quarantined, taken.periods) == ("loaded", 2, 1, ["2025-02"])
    [(row_number, code, reason)] = query(
        warehouse, "select row_number, reason_code, reason from raw.quarantine where file_name like '%2025-02%'"
    )
    assert (row_number, code) == (2, "locked_month")
    assert "2025年1月" in reason and "签发并锁定" in reason and "更正申请" in reason
    assert query(warehouse, "select period, measure, value from raw.observations order by measure") == [
        ("2025-02", "month_value", 4.2),
        ("2025-02", "ytd_value", 8.3),
    ]
    assert refused.status == "rejected" and "签发并锁定" in (refused.reason or "")


def test_an_unrecognised_file_is_told_what_was_read_of_each_sheet(tmp_path: Path) -> None:
    """A sheet copied with its header merged over two rows is no template and no registered table: the
    refusal quotes each sheet's name and first rows, so the clerk sees what was looked at and what is asked."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "全市肉牛饲养量（万头）"
    for row in (["地区", "地区编码", "肉牛饲养量（万头）", None], [None, None, "本年累计", "上年同期累计"]):
        sheet.append(row)
    sheet.append(["庄浪县", "620825", 12.5, 11])
    path = tmp_path / "平凉市农业农村局报表.xlsx"
    workbook.save(path)
    [result] = ingest([path], tmp_path / "w.duckdb")
    assert result.status == "rejected" and result.reason.startswith("文件格式无法识别")
    assert "工作表“全市肉牛饲养量（万头）”" in result.reason
    assert "第1行“地区 | 地区编码 | 肉牛饲养量(万头)”" in result.reason
    assert "第2行“本年累计 | 上年同期累计”" in result.reason
    assert "“地区”“地区编码”列" in result.reason


def test_an_ods_formulas_address_counts_repeated_rows_and_columns() -> None:
    """LibreOffice writes runs of blank cells and rows once, with a repeat count: the address counts them."""
    from planwatch.ingest.formula_cells import ods_formulas_without_value

    content = (
        b'<table:table table:name="Sheet1"><table:table-row table:number-rows-repeated="3"/>'
        b'<table:table-row><table:table-cell table:number-columns-repeated="2"/>'
        b'<table:table-cell office:value-type="float" office:value="1" table:formula="of:=1"/>'
        b'<table:table-cell table:formula="of:=[.C4]*2"/></table:table-row></table:table>'
        b'<table:table table:name="Sheet2"><table:table-row><table:table-cell table:formula="of:=1"/>'
        b"</table:table-row></table:table>"
    )
    assert ods_formulas_without_value(content) == [("Sheet1", "D4"), ("Sheet2", "A1")]
