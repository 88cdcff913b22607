"""Data quality: Great Expectations checkpoints on the warehouse, their results, and the publication gate.

Write, audit, publish: the submissions suite checks what ingestion loaded, the marts suites check what
dbt computed, and `gate.assert_publishable` stops a briefing for a month with a critical failure unless
an operator has recorded an override. GX is imported only inside `planwatch.quality.gx` (it takes
seconds), so importing this package, the CLI's `--help` and the briefing code stay fast.
"""

from __future__ import annotations

from planwatch.quality.severity import Severity

__all__ = ["Severity"]
