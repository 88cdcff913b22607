"""Cell access to a sample file before it is saved: an openpyxl workbook or the rows of a CSV file."""

from __future__ import annotations

from dataclasses import dataclass, field

from openpyxl import Workbook

from planwatch.forms.cells import csv_safe, set_text


@dataclass
class WorkbookGrid:
    workbook: Workbook

    def get(self, sheet: str, cell: str) -> object:
        return self.workbook[sheet][cell].value

    def set(self, sheet: str, cell: str, value: object) -> None:
        target = self.workbook[sheet][cell]
        if isinstance(value, str):
            set_text(target, value)
        else:
            target.value = value


def csv_cell(line: int, column: str) -> str:
    """The address of a CSV cell in the manifest: `<1-based line>:<column name>`."""
    return f"{line}:{column}"


@dataclass
class CsvGrid:
    """A long-layout CSV file: a header and rows of text; line 1 is the header."""

    header: list[str]
    rows: list[list[str]] = field(default_factory=list)

    def _locate(self, cell: str) -> tuple[int, int]:
        line, column = cell.split(":", 1)
        return int(line) - 2, self.header.index(column)

    def get(self, sheet: str, cell: str) -> object:
        row, column = self._locate(cell)
        text = self.rows[row][column]
        try:
            return float(text)
        except ValueError:
            return text

    def set(self, sheet: str, cell: str, value: object) -> None:
        row, column = self._locate(cell)
        if value is None:
            self.rows[row][column] = ""
        elif isinstance(value, float):
            self.rows[row][column] = repr(value) if not value.is_integer() else str(int(value))
        else:
            # Written as given: the mess kinds put "-" or "约三百" here on purpose.
            self.rows[row][column] = str(value)

    def append(self, values: dict[str, str]) -> int:
        """Add a row of data (made safe for spreadsheets); returns its line number."""
        self.rows.append([csv_safe(values.get(column, "")) for column in self.header])
        return len(self.rows) + 1
