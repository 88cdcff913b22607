"""`make bench`: every benchmark in turn, each printing its figures and its goal."""

from __future__ import annotations

from benchmarks import dbt_marts, ingest_throughput


def main() -> None:
    ingest_throughput.main()
    dbt_marts.main()


if __name__ == "__main__":
    main()
