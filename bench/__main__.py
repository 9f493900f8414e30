"""Run every benchmark: ``DATABASE_URL=postgres://... python -m bench`` (options go to each benchmark).

Each runs in its own process (their settings differ: the real-scale parts use ``bench.settings``), one after
the other; the exit status is the worst of theirs.
"""

import subprocess
import sys
from pathlib import Path

BENCHMARKS = ["import_residents", "dashboard", "workbook_bombs", "real_scale"]


def main(argv: list[str]) -> int:
    status = 0
    for name in BENCHMARKS:
        completed = subprocess.run(
            [sys.executable, "-m", f"bench.{name}", *argv], cwd=Path(__file__).resolve().parent.parent, check=False
        )
        status = max(status, completed.returncode)
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
