"""``manage.py seed_scale --residents N [--towns T] [--seed S]``: a synthetic county on top of the demo town.

Fills the demo town to N / T residents (its registered 168,000 by default) and adds T − 1 towns of the same
shape under the county 南海区, with households, grids, warnings and their visits, door visits, pledges, fraud
cases and students in the demo's proportions (see each app's ``scale.py``). PostgreSQL only; refuses with DEBUG
off unless ``--force``.

Idempotent: each village is filled *up to* its target, so the same arguments again add nothing, and a larger
N or T adds the difference (a smaller one adds nothing and removes nothing). The seed of the first run is kept
in an audit event (``seed_scale``) on the county; another seed is refused, since it would describe a different
population: start from a fresh database for it. An interrupted run is completed by running it again.
"""

from __future__ import annotations

import resource
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils import timezone
from django.utils.module_loading import import_string

from audit.models import AuditEvent
from audit.services import audit_event_record
from demo.organization import TOWN
from demo.scale import ScaleRun
from demo.scale.organization import ScaleError, plan_units

# Each app fills its own tables, in dependency order, after demo.scale.organization.plan_units has planned the units.
SCALERS = [
    "demo.scale.residents.scale",
    "demo.scale.warnings_followup.scale",
    "demo.scale.campaigns.scale",
    "demo.scale.fraud_cases.scale",
    "demo.scale.schools.scale",
]
EVENT = "seed_scale"
DEFAULT_SEED = 2026
TABLES_TO_ANALYZE = (
    "organization_unit",
    "residents_household",
    "residents_resident",
    "warnings_followup_warningorder",
    "warnings_followup_followupvisit",
    "warnings_followup_followupvisit_visitors",
    "campaigns_doorvisit",
    "campaigns_doorvisit_visitors",
    "campaigns_pledge",
    "fraud_cases_fraudcase",
    "schools_student",
    "schools_studentcard",
)


def previous_seed() -> int | None:
    event = AuditEvent.objects.filter(event=EVENT).order_by("-at", "-pk").first()
    return None if event is None else event.extra.get("seed")


class Command(BaseCommand):
    requires_system_checks = []  # a data generator: it needs the models, not the URLs or the admin
    help = (
        "Add a synthetic population in the demo's proportions on top of seed_demo: the demo town filled to "
        "N / T residents and T - 1 further towns under one county (PostgreSQL only; idempotent by seed)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--residents", type=int, default=None, help="Residents in all towns (default 168,000 × T).")
        parser.add_argument("--towns", type=int, default=1, help="Towns, the demo town included (default 1).")
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"Random seed (default {DEFAULT_SEED}).")
        parser.add_argument("--force", action="store_true", help="Run even when DEBUG is off.")

    def handle(self, *args, residents=None, towns=1, seed=DEFAULT_SEED, force=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError("DEBUG is off: this looks like production. Use --force to add synthetic data anyway.")
        if connection.vendor != "postgresql":
            raise CommandError("seed_scale writes with PostgreSQL COPY: point DATABASE_URL at a PostgreSQL database.")
        if towns < 1:
            raise CommandError("--towns must be at least 1.")
        residents = TOWN[2] * towns if residents is None else residents
        if residents < towns:
            raise CommandError("--residents must be at least one per town.")
        earlier = previous_seed()
        if earlier is not None and earlier != seed:
            raise CommandError(
                f"This database was scaled with --seed {earlier}; run again with --seed {earlier} to complete or "
                "grow it, or start from a fresh database (migrate, seed_demo) for another seed."
            )

        with connection.cursor() as cursor:
            # Synthetic rows: a crash loses at most the last villages, which a re-run writes again.
            cursor.execute("SET synchronous_commit TO off")
        started, clock = timezone.now(), time.monotonic()
        run = ScaleRun(seed=seed, residents=residents, towns=towns, now=started, log=self.stdout.write)
        try:
            counts = plan_units(run)
        except ScaleError as error:
            raise CommandError(str(error)) from error
        self._report("demo.scale.organization.plan_units", counts, clock)
        county = run.plan[0].unit.parent
        audit_event_record(
            actor=None, subject=county, event=EVENT, new="started", seed=seed, residents=residents, towns=towns
        )
        for path in SCALERS:
            step = time.monotonic()
            counts = import_string(path)(run)
            run.counts.update(counts)
            self._report(path, counts, step)
        step = time.monotonic()
        with connection.cursor() as cursor:
            for table in TABLES_TO_ANALYZE:
                cursor.execute(f"ANALYZE {table}")
        self._report("ANALYZE", {}, step)
        seconds = round(time.monotonic() - clock, 1)
        peak_mb = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
        audit_event_record(
            actor=None,
            subject=county,
            event=EVENT,
            new="finished",
            seed=seed,
            residents=residents,
            towns=towns,
            seconds=seconds,
            peak_mb=peak_mb,
            **run.counts,
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"Scaled to {residents:,} residents in {towns} town(s) (seed {seed}) in {seconds} s, "
                f"peak memory {peak_mb} MB."
            )
        )

    def _report(self, path: str, counts: dict, started: float) -> None:
        summary = ", ".join(f"{key}={value}" for key, value in counts.items())
        self.stdout.write(f"{path}: {summary} ({time.monotonic() - started:.1f} s)")
