"""How bad a failed expectation is: a critical failure stops publication, a warning is told to the reader."""

from __future__ import annotations

from enum import StrEnum


class Severity(StrEnum):
    # The same words as GX's own `FailureSeverity`, so the suites can carry them natively.
    CRITICAL = "critical"
    WARNING = "warning"
