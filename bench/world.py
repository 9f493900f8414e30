"""The world the real-scale benchmarks measure, and what they share.

A throwaway PostgreSQL database (``test_<name>``, made by Django's test utilities from ``bench.settings``) gets
the demo town (``seed_demo``), each benchmark part measures it ("town"), then ``seed_scale`` grows it to
``--residents`` / ``BENCH_RESIDENTS`` (default 300,000) in ``--towns`` / ``BENCH_TOWNS`` towns (default: one
town per 168,000 residents, the demo town's registered population, so the demo accounts see a town of real
size) and every part measures again. The database is dropped at the end (``--keepdb`` keeps it, and a later
``--keepdb`` run reuses it: the seeders add only what is missing).

A part is a module with ``NAME``, ``AT_TOWN`` (whether it also runs at town scale), ``add_arguments(parser)``,
``measure(*, scale, options) -> dict`` and ``report(results) -> list[str]`` (the table's lines), and
``goals(results) -> dict[str, bool]``. Results go to ``bench/results/<NAME>.json`` with the machine.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import math
import os
import platform
import statistics
import sys
import threading
import time
from pathlib import Path

RESULTS_DIR = Path(__file__).resolve().parent / "results"
ROOT = Path(__file__).resolve().parent.parent
TOWN_RESIDENTS = 168_000  # 罗村镇's registered population (demo.organization.TOWN)


def setup_django() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django
    from django.conf import settings

    django.setup()
    if settings.ROOT_URLCONF != "bench.urls":
        raise SystemExit("the real-scale benchmarks need DJANGO_SETTINGS_MODULE=bench.settings")


def default_residents() -> int:
    return int(os.environ.get("BENCH_RESIDENTS", "300000"))


def default_towns(residents: int) -> int:
    if os.environ.get("BENCH_TOWNS"):
        return int(os.environ["BENCH_TOWNS"])
    return max(1, math.ceil(residents / TOWN_RESIDENTS))


def parser_for(parts, prog: str, description: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=prog, description=description)
    parser.add_argument("--residents", type=int, default=None, help="residents at scale (default BENCH_RESIDENTS)")
    parser.add_argument("--towns", type=int, default=None, help="towns at scale (default BENCH_TOWNS)")
    parser.add_argument("--seed", type=int, default=2026, help="seed_scale's seed")
    parser.add_argument("--keepdb", action="store_true", help="keep (and reuse) the throwaway database")
    parser.add_argument("--skip-town", action="store_true", help="measure at scale only")
    parser.add_argument(
        "--skip-scale", action="store_true", help="measure the demo town only (every part, for a quick check)"
    )
    for part in parts:
        part.add_arguments(parser)
    return parser


# --- the machine -------------------------------------------------------------------------------------------


class LoadSampler:
    """The 1-minute load average, sampled every few seconds while the benchmark runs."""

    def __init__(self, every: float = 5.0):
        self.every = every
        self.samples: list[float] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.samples.append(os.getloadavg()[0])
            self._stop.wait(self.every)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()

    def mark(self) -> int:
        return len(self.samples)

    def summary(self, since: int = 0) -> dict:
        samples = self.samples[since:] or [os.getloadavg()[0]]
        return {
            "min": round(min(samples), 2),
            "median": round(statistics.median(samples), 2),
            "max": round(max(samples), 2),
        }


def machine() -> dict:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        server = cursor.fetchone()[0]
    model = ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    memory_gb = None
    with contextlib.suppress(OSError, ValueError, IndexError):
        first = Path("/proc/meminfo").read_text().splitlines()[0]
        memory_gb = round(int(first.split()[1]) / 1024 / 1024, 1)
    return {
        "cpus": os.cpu_count(),
        "cpu_model": model,
        "memory_gb": memory_gb,
        "postgresql": server,
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


# --- the database ------------------------------------------------------------------------------------------


@contextlib.contextmanager
def throwaway_database(*, keepdb: bool):
    from django.db import connection
    from django.test.utils import setup_databases, teardown_databases

    if connection.vendor != "postgresql":
        raise SystemExit("the real-scale benchmarks run on PostgreSQL: set DATABASE_URL=postgres://...")
    # Not serialized: the test runner keeps a copy of every row for TransactionTestCase, which for a kept world of
    # 300,000 residents reads the whole database into memory (20 minutes and 600 MB) before anything is measured.
    config = setup_databases(verbosity=0, interactive=False, keepdb=keepdb, serialized_aliases=set())
    try:
        yield
    finally:
        if not keepdb:
            connection.close()
            teardown_databases(config, verbosity=0)


def database_url() -> str:
    """The throwaway database's address, for the processes a part starts (exports, gunicorn)."""
    from urllib.parse import quote

    from django.db import connection

    conf = connection.settings_dict
    credentials = quote(conf["USER"] or "", safe="")
    if conf.get("PASSWORD"):
        credentials += ":" + quote(conf["PASSWORD"], safe="")
    host = conf["HOST"] or "127.0.0.1"
    port = conf["PORT"] or 5432
    return f"postgres://{credentials}@{host}:{port}/{conf['NAME']}"


def child_environment(**extra: str) -> dict[str, str]:
    """The environment of a process a part starts: this database, these settings, this run's cache prefix."""
    from django.conf import settings

    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url(),
        DJANGO_SETTINGS_MODULE="bench.settings",
        BENCH_MEDIA_ROOT=str(settings.MEDIA_ROOT),
        BENCH_CACHE_PREFIX=settings.CACHES["default"].get("KEY_PREFIX", ""),
        PYTHONPATH=str(ROOT),
    )
    env.update(extra)
    return env


def seed_town() -> float:
    from django.core.management import call_command

    started = time.perf_counter()
    call_command("seed_demo", force=True, stdout=io.StringIO())
    return time.perf_counter() - started


def seed_scale(*, residents: int, towns: int, seed: int) -> float:
    from django.core.management import call_command

    started = time.perf_counter()
    call_command("seed_scale", residents=residents, towns=towns, seed=seed, force=True, stdout=io.StringIO())
    return time.perf_counter() - started


def population() -> dict:
    from campaigns.models import DoorVisit
    from residents.models import Household, Resident
    from warnings_followup.models import FollowUpVisit, WarningOrder

    return {
        "residents": Resident.objects.count(),
        "households": Household.objects.count(),
        "warnings": WarningOrder.objects.count(),
        "follow_up_visits": FollowUpVisit.objects.count(),
        "door_visits": DoorVisit.objects.count(),
    }


# --- numbers and output ------------------------------------------------------------------------------------


def label(scale: str) -> str:
    """ "town", or the residents in thousands: "300k"."""
    return scale if scale == "town" else f"{int(scale) // 1000:,}k"


def ms(seconds: float) -> float:
    return round(seconds * 1000, 1)


def median(values) -> float:
    return statistics.median(values) if values else float("nan")


def percentile(values, fraction: float) -> float:
    """The nearest-rank percentile (``fraction`` 0.95 for p95)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def write_results(name: str, data: dict) -> Path:
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    path = RESULTS_DIR / f"{name}.json"
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n", encoding="utf-8")
    return path


# --- the driver --------------------------------------------------------------------------------------------


def _measure_phases(parts, phases, args, results, seeded, load, towns) -> None:
    for label, size in phases:
        if size is not None:
            print(f"  seed_scale --residents {size:,} --towns {towns} …", flush=True)
            seeded[label] = round(seed_scale(residents=size, towns=towns, seed=args.seed), 1)
        world = population()
        print(f"  {label}: {world}", flush=True)
        for part in parts:
            if label == "town" and not part.AT_TOWN and not args.skip_scale:
                continue
            mark = load.mark()
            started = time.perf_counter()
            print(f"  {part.NAME} at {label} …", flush=True)
            measured = part.measure(scale=label, options=args)
            results[part.NAME]["scales"][label] = {
                "population": world,
                "seconds": round(time.perf_counter() - started, 1),
                "load_average": load.summary(mark),
                **measured,
            }


def run(parts, argv: list[str] | None, *, prog: str, description: str) -> int:
    """Build the world, let each part measure it at town scale and at scale, write and print the results."""
    args, _unknown = parser_for(parts, prog, description).parse_known_args(argv)
    setup_django()
    residents = args.residents or default_residents()
    towns = args.towns or default_towns(residents)
    scale_label = f"{residents}"
    results = {part.NAME: {"scales": {}} for part in parts}
    failure = None
    print(f"{prog}: building a throwaway database (demo town, then {residents:,} residents in {towns} town(s))")
    with LoadSampler() as load, throwaway_database(keepdb=args.keepdb):
        about = machine()
        seeded = {"town": round(seed_town(), 1)}
        phases = []
        if not args.skip_town:
            phases.append(("town", None))
        if not args.skip_scale:
            phases.append((scale_label, residents))
        try:
            _measure_phases(parts, phases, args, results, seeded, load, towns)
        except Exception as error:  # noqa: BLE001 (keep what was measured before it, and say what failed)
            import traceback

            traceback.print_exc()
            failure = f"{type(error).__name__}: {error}"
        about["load_average"] = load.summary()
    status = 0 if failure is None else 1
    for part in parts:
        data = results[part.NAME]
        data.update(
            machine=about,
            residents=residents,
            towns=towns,
            seed_seconds=seeded,
            argv=list(argv or []),
            finished_at=time.strftime("%Y-%m-%d %H:%M:%S"),
            failure=failure,
        )
        data["goals"] = part.goals(data)
        path = write_results(part.NAME, data)
        print()
        for line in part.report(data):
            print(line)
        for goal, met in data["goals"].items():
            print(f"  goal {'met' if met else 'MISSED'}: {goal}")
        print(f"  ({path.relative_to(ROOT)})")
    if failure:
        print(f"\nFAILED: {failure}")
    load_text = ", ".join(f"{key} {value}" for key, value in about["load_average"].items())
    print(
        f"\nmachine: {about['cpus']} CPUs ({about['cpu_model']}), PostgreSQL {about['postgresql']}, "
        f"Python {about['python']}; load average during the run: {load_text}"
    )
    return status
