from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.module_loading import import_string

from demo.organization import DEMO_PASSWORD, accounts_password
from organization.passwords import random_password

# Each feature's demo data (demo/<app>.py), in dependency order. Every seeder is idempotent.
SEEDERS = [
    "demo.organization.seed_organization",
    "demo.second_town.seed",  # the county, its leadership and a second small town (九江镇)
    "demo.residents.seed_registry",
    "demo.warnings_followup.seed_warnings",
    "demo.campaigns.seed",
    "demo.publicity.seed",
    "demo.village_publicity.seed",  # the villages' own publicity; the finance staff roster and a push (issue 19)
    "demo.schools.seed",
    "demo.education.seed",
    "demo.fraud_cases.seed",
    "demo.fraud_cases.seed_typical_cases",  # the starter set of typical cases (典型案例), by the demo police
    "demo.assessment.seed",
    "demo.case_work.seed",  # a meeting's registry cases and outcomes, staff rosters, a school inspection (issue 19)
    "demo.campaigns.recount_coverage",  # last: the seeders above write households, visits, pledges in bulk
]


class Command(BaseCommand):
    help = (
        "Create or refresh the demo town (idempotent). Refuses to run with DEBUG off unless --force; then the demo "
        "accounts get a random password, printed once, instead of the demo password."
    )

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Run even when DEBUG is off.")

    def handle(self, *args, force=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError("DEBUG is off: this looks like production. Use --force to seed demo data anyway.")
        # The well-known demo password only where nobody outside can log in: with DEBUG on.
        password = DEMO_PASSWORD if settings.DEBUG else random_password()
        with accounts_password(password):
            for path in SEEDERS:
                counts = import_string(path)()
                summary = ", ".join(f"{key}={value}" for key, value in (counts or {}).items())
                self.stdout.write(f"{path}: {summary}")
        if settings.DEBUG:
            self.stdout.write(self.style.SUCCESS(f"Demo town ready. Accounts use the password {DEMO_PASSWORD}."))
        else:
            self.stdout.write(
                self.style.SUCCESS(
                    "Demo town ready. DEBUG is off: demo accounts created now, or still holding the demo password, "
                    f"use this password, shown only this once: {password}"
                )
            )
