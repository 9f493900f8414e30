"""How do the leadership dashboard and the indicator API scale with villages and cases?

Run on PostgreSQL::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/luocun_bench .venv/bin/python -m bench.dashboard

A throwaway database (``test_<name>``) is created with Django's test utilities and dropped at the end.
Two towns are measured, a small one (``--villages`` / 10 villages, ``--cases`` / 10 cases) and the full
one (``--villages`` villages, ``--cases`` fraud cases over the last year, 50 households with door visits
per village, warnings with visits). For each, the median of ``--repeat`` runs of:

* ``indicator_report``: every indicator of every village for the year (what ``/api/v1/indicators/`` computes);
* ``dashboard_context``: the whole leadership dashboard for the current month (trend, ranking, pipeline,
  coverage, school compliance, accountability, suggestions);

with the number of SQL queries each ran. The goal (issue 7): the query count does not grow with the number
of villages and cases (indicators are computed in the database), shown by equal counts for both towns.
Results go to ``bench/results/dashboard.json``.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import random
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results" / "dashboard.json"


def _setup_django() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "luocun_antifraud.settings.test")
    import django

    django.setup()


def build_town(code: str, villages: int, cases: int, seed: int = 7):
    """A town with ``villages`` villages and ``cases`` fraud cases over the last year; returns its leader."""
    from django.utils import timezone

    from campaigns.models import DoorVisit
    from core.validators import make_id_number
    from fraud_cases.models import FraudCase
    from organization.models import Role, Unit, UnitKind, User, UserRole
    from residents.models import Household, Resident
    from warnings_followup.models import FraudType

    rng = random.Random(seed)
    town = Unit.objects.create(code=code, name=f"镇{code}", kind=UnitKind.TOWN, population=villages * 15_000)
    units = [
        Unit.objects.create(
            code=f"{code}{n:03d}", name=f"村{code}{n:03d}", kind=UnitKind.VILLAGE, parent=town, population=15_000
        )
        for n in range(villages)
    ]
    leader = User.objects.create(username=f"leader{code}", unit=town)
    UserRole.objects.create(user=leader, role=Role.LEADERSHIP_LEADER)
    victims = []
    households = []
    for index, village in enumerate(units):
        households += [Household(village=village, address=f"{village.name}幸福路{n}号") for n in range(50)]
        victim = Resident(name=f"居民{code}{index}", village=village)
        victim.set_id_number(make_id_number("440605", datetime.date(1960, 1, 1), index % 1000 + int(code[-1]) * 10))
        victims.append(victim)
    Household.objects.bulk_create(households, batch_size=2000)
    Resident.objects.bulk_create(victims, batch_size=2000)
    now = timezone.now()
    visits = [
        DoorVisit(household=household, visited_at=now - datetime.timedelta(days=rng.randrange(90)), someone_home=True)
        for household in Household.objects.filter(village__in=units)
        if rng.random() < 0.6
    ]
    DoorVisit.objects.bulk_create(visits, batch_size=5000)
    kinds = list(FraudType.values)
    FraudCase.objects.bulk_create(
        [
            FraudCase(
                case_number=f"{code}-{n:07d}",
                reported_at=now - datetime.timedelta(minutes=rng.randrange(365 * 24 * 60)),
                victim=victims[n % len(victims)],
                village=units[n % len(units)],
                fraud_type=rng.choice(kinds),
                loss_amount=Decimal(rng.randrange(100, 500_000)),
                source="110",
            )
            for n in range(cases)
        ],
        batch_size=5000,
    )
    return leader


def measure(call, repeat: int) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    seconds, queries = [], 0
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            call()
            seconds.append(time.perf_counter() - started)
        queries = len(captured.captured_queries)
    return {"seconds_median": round(statistics.median(seconds), 4), "queries": queries}


def run(villages: int, cases: int, repeat: int) -> dict:
    from django.utils import timezone

    from assessment import dashboard, indicators
    from core import periods

    year = periods.parse_period(f"{timezone.localdate().year}")
    month = periods.current_month()
    towns = {"small": build_town("B1", 10, 10), "full": build_town("B2", villages, cases)}
    results = {}
    for name, leader in towns.items():
        results[name] = {
            "indicator_report": measure(
                lambda user=leader: indicators.indicator_report(user=user, period=year), repeat
            ),
            "dashboard_context": measure(
                lambda user=leader: dashboard.dashboard_context(user=user, period=month), repeat
            ),
        }
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.dashboard", description=__doc__.splitlines()[0])
    parser.add_argument("--villages", type=int, default=200)
    parser.add_argument("--cases", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=5)
    args, _unknown = parser.parse_known_args(argv)
    _setup_django()
    from django.db import connection
    from django.test.utils import setup_databases, teardown_databases

    print(f"dashboard: {args.villages} villages, {args.cases} cases (setting up a throwaway database)")
    config = setup_databases(verbosity=0, interactive=False, keepdb=False)
    try:
        measured = run(args.villages, args.cases, args.repeat)
    finally:
        teardown_databases(config, verbosity=0)
    same = all(measured["small"][name]["queries"] == measured["full"][name]["queries"] for name in measured["small"])
    results = {
        "villages": args.villages,
        "cases": args.cases,
        "repeat": args.repeat,
        "database": connection.vendor,
        "python": platform.python_version(),
        "measured": measured,
        "query_count_constant": same,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    for town, rows in measured.items():
        for name, value in rows.items():
            print(f"  {town:5} {name:18} {value['seconds_median']:8.3f} s  {value['queries']:3d} queries")
    print(f"  query count constant: {same}")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
