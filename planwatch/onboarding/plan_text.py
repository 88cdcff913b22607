"""A plan's text, from plain text (UTF-8 or GB 18030), Word (.docx) or a PDF with a text layer.

Every quote the extractor proposes is a slice of this text, so it is kept exactly as read (only line
ends normalised); a file that yields no text says why (empty, a scanned PDF without a text layer).
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path


class PlanTextError(ValueError):
    """The file gives no usable plan text; the message says why and what to do."""


@dataclass(frozen=True)
class PlanText:
    path: Path
    text: str
    kind: str  # text | docx | pdf
    encoding: str | None = None


def _decode(data: bytes, path: Path) -> tuple[str, str]:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise PlanTextError(f"{path}: the text is neither UTF-8 nor GB 18030 (GBK); save it as UTF-8 and try again")


def _docx_text(path: Path) -> str:
    from docx import Document

    document = Document(str(path))
    lines = [paragraph.text for paragraph in document.paragraphs]
    for table in document.tables:  # a 任务清单 or a per-county table: one line per row, cells apart
        for row in table.rows:
            lines.append("\t".join(cell.text.strip() for cell in row.cells))
    return "\n".join(lines)


def _pdf_text(path: Path) -> str:
    if shutil.which("pdftotext") is None:
        raise PlanTextError("reading a PDF needs pdftotext (Debian package poppler-utils; `make setup` installs it)")
    done = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, timeout=120)
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip()
        raise PlanTextError(f"{path}: not a readable PDF ({message or 'pdftotext failed'})")
    return done.stdout.decode("utf-8", "replace")


def read_plan_text(path: Path) -> PlanText:
    """The plan's text; PlanTextError for a missing, empty or text-less file."""
    if not path.is_file():
        raise PlanTextError(f"{path}: no such file")
    suffix = path.suffix.lower()
    encoding = None
    if suffix == ".docx":
        text, kind = _docx_text(path), "docx"
    elif suffix == ".pdf":
        text, kind = _pdf_text(path), "pdf"
    else:
        data = path.read_bytes()
        if data[:4] == b"%PDF":
            text, kind = _pdf_text(path), "pdf"
        elif data[:2] == b"PK":
            text, kind = _docx_text(path), "docx"
        else:
            (text, encoding), kind = _decode(data, path), "text"
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    meaningful = sum(1 for character in text if "\u4e00" <= character <= "\u9fff")
    if not text.strip():
        if kind == "pdf":
            raise PlanTextError(
                f"{path}: the PDF has no text layer (a scan): run OCR on it first, or use the Word or text version"
            )
        raise PlanTextError(f"{path}: the file is empty")
    if meaningful < 20:
        raise PlanTextError(f"{path}: fewer than 20 Chinese characters: this is not a plan's text")
    return PlanText(path, text, kind, encoding)
