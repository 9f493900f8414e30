"""How fast is a 10,000-row residents import, compared with a plain ``bulk_create`` of the same rows?

Run on PostgreSQL (the goal is stated for it)::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/luocun_import .venv/bin/python -m bench.import_residents

A throwaway database (``test_<name>``) is created with Django's test utilities and dropped at the end.
Each measurement starts from empty registry tables and is repeated (``--repeat``); medians are reported:

* ``bulk_create``: ``Resident.objects.bulk_create`` of ready model instances (ID numbers normalised
  and hashed, households already created): encryption and the INSERTs only. This is the baseline.
* ``import_xlsx`` / ``import_csv``: the full commit of the generated sheet through
  ``residents.importing.residents_import``: reading the file, checking every cell with the shared
  validators, matching, creating the households, inserting the residents, and the history rows.
* ``reimport_xlsx``: the same sheet imported again (every row an update).
* ``dry_run_xlsx``: the check alone.

Results go to ``bench/results/import_residents.json``. The goal: ``import_xlsx / bulk_create <= 3``,
taken as the median of each run's ratio (the two are timed back to back, which keeps the ratio
meaningful on a machine busy with other work; the medians of each timing are reported too).
"""

from __future__ import annotations

import argparse
import datetime
import io
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results" / "import_residents.json"
GOAL = 3.0
TAG_CYCLE = ["", "elderly", "", "student", "", "finance_staff", "", "volunteer", "key_group", ""]


def _setup_django() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "luocun_antifraud.settings.test")
    import django

    django.setup()


def generate_rows(count: int, villages: list[tuple[str, list[str]]]) -> list[list[str]]:
    """``count`` residents, about three to a household, spread over the villages and their grids."""
    from core.validators import make_id_number
    from residents.models import ResidentTag

    labels = {code: str(label) for code, label in ResidentTag.choices}
    rows = []
    for number in range(count):
        village, grids = villages[number % len(villages)]
        household = number // (3 * len(villages))
        birth = datetime.date(1940, 1, 1) + datetime.timedelta(days=(number * 7919) % 29000)
        rows.append(
            [
                f"居民{number}",
                make_id_number(f"4406{number % 100:02d}", birth, number % 1000),
                f"13{number % 7 + 3}{number:08d}",
                village,
                grids[household % len(grids)],
                f"{village}幸福路{household}号",
                f"0757-8{household:07d}" if number % 3 == 0 else "",
                "户主" if number % 3 == 0 else "家庭成员",
                labels.get(TAG_CYCLE[number % len(TAG_CYCLE)], ""),
            ]
        )
    return rows


def xlsx_bytes(headers: list[str], rows: list[list[str]]) -> bytes:
    import openpyxl

    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_bytes(headers: list[str], rows: list[list[str]]) -> bytes:
    import csv

    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8-sig")


def _empty_registry() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE residents_resident, residents_household, residents_historicalresident, "
            "residents_historicalhousehold RESTART IDENTITY CASCADE"
        )


def _timed(function) -> float:
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def _baseline(rows, units) -> float:
    """Households created first (untimed); then one timed bulk_create of ready Resident instances."""
    from django.db import transaction

    from residents.models import Household, Resident

    households = {}
    for row in rows:
        key = (row[3], row[5])
        if key not in households:
            households[key] = Household(village=units[row[3]], grid=units[row[4]], address=row[5])
    Household.objects.bulk_create(households.values(), batch_size=1000)
    residents = []
    for row in rows:
        household = households[(row[3], row[5])]
        resident = Resident(name=row[0], household=household, village=household.village, relation=row[7])
        resident.set_id_number(row[1])
        resident.set_phone(row[2])
        residents.append(resident)

    def insert():
        with transaction.atomic():
            Resident.objects.bulk_create(residents, batch_size=1000)

    return _timed(insert)


def _import(data: bytes, user, *, dry_run: bool) -> float:
    from residents.importing import residents_import

    outcome = None

    def run():
        nonlocal outcome
        outcome = residents_import(data=data, user=user, dry_run=dry_run)

    seconds = _timed(run)
    if not outcome.ok:
        raise RuntimeError(f"the generated sheet did not import: {outcome.errors[:5]}")
    return seconds


def run(count: int, repeat: int) -> dict:
    from django.db import connection

    from organization.models import Role, Unit, UnitKind, User, UserRole
    from residents.importing import ResidentSheet

    town = Unit.objects.create(code="BENCH", name="测试镇", kind=UnitKind.TOWN)
    villages, units = [], {}
    for v in range(2):
        village = Unit.objects.create(code=f"BV{v}", name=f"测试村{v}", kind=UnitKind.VILLAGE, parent=town)
        grids = [
            Unit.objects.create(code=f"BV{v}-{g:02d}", name=f"网格{g}", kind=UnitKind.GRID, parent=village)
            for g in range(4)
        ]
        villages.append((village.code, [grid.code for grid in grids]))
        units[village.code] = village
        units.update((grid.code, grid) for grid in grids)
    user = User.objects.create(username="bench-leader", unit=town)
    UserRole.objects.create(user=user, role=Role.LEADERSHIP_LEADER)

    headers = ResidentSheet.headers()
    rows = generate_rows(count, villages)
    xlsx, csv_data = xlsx_bytes(headers, rows), csv_bytes(headers, rows)

    timings: dict[str, list[float]] = {
        name: [] for name in ("bulk_create", "import_xlsx", "import_csv", "reimport_xlsx", "dry_run_xlsx")
    }
    ratios = []
    for attempt in range(repeat):
        # The baseline and the import run back to back, so that their ratio is fair on a busy machine.
        _empty_registry()
        timings["bulk_create"].append(_baseline(rows, units))
        _empty_registry()
        timings["import_xlsx"].append(_import(xlsx, user, dry_run=False))
        ratios.append(timings["import_xlsx"][-1] / timings["bulk_create"][-1])
        timings["reimport_xlsx"].append(_import(xlsx, user, dry_run=False))
        _empty_registry()
        timings["import_csv"].append(_import(csv_data, user, dry_run=False))
        _empty_registry()
        timings["dry_run_xlsx"].append(_import(xlsx, user, dry_run=True))
        print(
            f"  run {attempt + 1}/{repeat}: "
            + ", ".join(f"{k} {v[-1]:.2f}s" for k, v in timings.items())
            + f"; import_xlsx / bulk_create {ratios[-1]:.2f}"
        )

    seconds = {name: statistics.median(values) for name, values in timings.items()}
    ratio = statistics.median(ratios)
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        server = cursor.fetchone()[0].split(" on ")[0]
    return {
        "benchmark": "import_residents",
        "measured_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "database": server,
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "rows": count,
        "repeat": repeat,
        "seconds_median": {name: round(value, 3) for name, value in seconds.items()},
        "seconds_all": {name: [round(v, 3) for v in values] for name, values in timings.items()},
        "rows_per_second": {name: round(count / value) for name, value in seconds.items()},
        "ratio_to_bulk_create": {
            name: round(value / seconds["bulk_create"], 2) for name, value in seconds.items() if name != "bulk_create"
        },
        "import_xlsx_to_bulk_create_per_run": [round(r, 2) for r in ratios],
        "import_xlsx_to_bulk_create": round(ratio, 2),
        "goal": f"median over runs of import_xlsx / bulk_create (same run) <= {GOAL}",
        "goal_met": ratio <= GOAL,
        "load_average": os.getloadavg()[0] if hasattr(os, "getloadavg") else None,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.import_residents", description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        print("bench.import_residents needs PostgreSQL: set DATABASE_URL=postgres://...", file=sys.stderr)
        return 2
    _setup_django()
    from django.test.utils import setup_databases, teardown_databases

    print(f"import_residents: {args.rows} rows, {args.repeat} runs (setting up a throwaway database)")
    config = setup_databases(verbosity=0, interactive=False, keepdb=False)
    try:
        results = run(args.rows, args.repeat)
    finally:
        teardown_databases(config, verbosity=0)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    for name, value in results["seconds_median"].items():
        ratio = results["ratio_to_bulk_create"].get(name)
        extra = f"  ({ratio}x bulk_create)" if ratio else ""
        print(f"  {name:14} {value:7.2f} s  {results['rows_per_second'][name]:6d} rows/s{extra}")
    print(f"  import_xlsx / bulk_create, median of the runs' ratios: {results['import_xlsx_to_bulk_create']}")
    print(f"  goal {results['goal']}: {'met' if results['goal_met'] else 'NOT met'}  -> {RESULTS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
