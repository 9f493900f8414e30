"""``manage.py recount_coverage [--check] [--village CODE …]``: the coverage counters recounted from the rows.

Without ``--check`` the differing counters are corrected (and listed); with ``--check`` nothing is written
and the command exits 1 when a counter differs from the recount (CI runs it after its writes).
"""

from django.core.management.base import BaseCommand, CommandError

from campaigns.counters import coverage_recount
from organization.models import Unit, UnitKind


class Command(BaseCommand):
    help = "Recount the door-knocking coverage counters; --check only compares (exit 1 on a difference)."

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="Compare only; exit 1 when a counter differs.")
        parser.add_argument("--village", action="append", default=[], help="Only this village (code); repeatable.")

    def handle(self, *args, check=False, village=(), **options):
        village_ids = None
        if village:
            found = dict(Unit.objects.filter(kind=UnitKind.VILLAGE, code__in=village).values_list("code", "pk"))
            unknown = sorted(set(village) - set(found))
            if unknown:
                raise CommandError(f"Unknown village: {', '.join(unknown)}")
            village_ids = list(found.values())
        result = coverage_recount(village_ids=village_ids, check=check)
        for line in result.describe():
            self.stdout.write(line)
        if check and result:
            self.stderr.write(f"{len(result.cells)} grid counters and {len(result.weeks)} weekly counters differ.")
            raise SystemExit(1)
        if result:
            self.stdout.write(
                self.style.SUCCESS(f"Corrected {len(result.cells)} grid and {len(result.weeks)} weekly counters.")
            )
        else:
            self.stdout.write(self.style.SUCCESS("The coverage counters match a full recount."))
