"""Issue 13's benchmark in one world: pages, reminder scans, exports and visit posters, at town scale and at
``BENCH_RESIDENTS`` (default 300,000) residents.

Run on PostgreSQL (``make bench`` runs it after the other benchmarks)::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/luocun_bench .venv/bin/python -m bench.real_scale
    BENCH_RESIDENTS=2000000 BENCH_TOWNS=20 DATABASE_URL=... .venv/bin/python -m bench.real_scale

Each part also runs alone (``python -m bench.pages``, ``bench.reminders``, ``bench.exports``,
``bench.visit_posters``), building its own world; see :mod:`bench.world` for the world and the options.
"""

import sys

from bench import exports, pages, reminders, visit_posters, world

PARTS = [pages, reminders, exports, visit_posters]


def main(argv: list[str] | None = None) -> int:
    return world.run(PARTS, argv, prog="python -m bench.real_scale", description=__doc__.splitlines()[0])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
