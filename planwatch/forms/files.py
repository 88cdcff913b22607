"""Saving workbooks reproducibly: the same workbook gives the same bytes on every run and machine.

openpyxl stamps the save time into `docProps/core.xml` and its zip writer stamps the current time on
every member; both would make two runs of the sample generator differ. Here the document properties
carry a timestamp the caller chooses, and the archive is rewritten with its members sorted and a fixed
date, so a file's sha256 identifies its content.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

from openpyxl import Workbook
from openpyxl.writer.excel import ExcelWriter

ZIP_MEMBER_TIME = (1980, 1, 1, 0, 0, 0)  # the earliest date a zip archive can hold


def reproducible_zip(data: bytes) -> bytes:
    """The archive rewritten with sorted members, a fixed date and fixed attributes."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for name in sorted(source.namelist()):
            info = zipfile.ZipInfo(name, date_time=ZIP_MEMBER_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 0
            info.external_attr = 0o600 << 16
            target.writestr(info, source.read(name))
    return out.getvalue()


def workbook_bytes(workbook: Workbook, timestamp: dt.datetime) -> bytes:
    """The .xlsx bytes of `workbook`, with `timestamp` as its created and modified time."""
    workbook.properties.creator = "planwatch"
    workbook.properties.lastModifiedBy = "planwatch"
    workbook.properties.created = timestamp
    workbook.properties.modified = timestamp
    buffer = io.BytesIO()
    # stored, not compressed: reproducible_zip compresses each member once, as it rewrites the archive
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED, allowZip64=True) as archive:
        # ExcelWriter directly rather than Workbook.save: save() overwrites `modified` with now.
        ExcelWriter(workbook, archive).write_data()
    return reproducible_zip(buffer.getvalue())


def write_bytes(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def save_workbook(workbook: Workbook, path: Path, timestamp: dt.datetime) -> Path:
    return write_bytes(path, workbook_bytes(workbook, timestamp))
