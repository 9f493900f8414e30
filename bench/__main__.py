"""Run every benchmark: ``DATABASE_URL=postgres://... python -m bench`` (options go to each benchmark)."""

import sys

from bench import dashboard, import_residents, workbook_bombs

BENCHMARKS = [import_residents, dashboard, workbook_bombs]


def main(argv: list[str]) -> int:
    status = 0
    for benchmark in BENCHMARKS:
        status = max(status, benchmark.main(argv))
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
