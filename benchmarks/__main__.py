"""`make bench`: every benchmark in turn, each printing its figures and its goal."""

from __future__ import annotations

import tempfile
from pathlib import Path

from benchmarks import briefings, dbt_marts, extraction, ingest_throughput, province


def main() -> None:
    with tempfile.TemporaryDirectory() as scratch:
        sample = Path(scratch) / "sample"
        ingest_throughput.write_sample(sample)  # both benchmarks read the same ten-seed sample
        ingest_throughput.main(sample)
        dbt_marts.main(sample)
    pdf_seconds_per_file = briefings.main()
    extraction.main()
    province.main(pdf_seconds_per_file)  # the same steps at province scale


if __name__ == "__main__":
    main()
