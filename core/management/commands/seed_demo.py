from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.module_loading import import_string

# Each feature adds its demo data here, in dependency order. Every seeder is idempotent.
SEEDERS = [
    "organization.demo.seed_organization",
    "residents.demo.seed_registry",
    "warnings_followup.demo.seed_warnings",
    "campaigns.demo.seed",
    "publicity.demo.seed",
    "schools.demo.seed",
    "education.demo.seed",
    "fraud_cases.demo.seed",
    "assessment.demo.seed",
]


class Command(BaseCommand):
    help = "Create or refresh the demo town (idempotent). Refuses to run with DEBUG off unless --force."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Run even when DEBUG is off.")

    def handle(self, *args, force=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError("DEBUG is off: this looks like production. Use --force to seed demo data anyway.")
        for path in SEEDERS:
            counts = import_string(path)()
            summary = ", ".join(f"{key}={value}" for key, value in (counts or {}).items())
            self.stdout.write(f"{path}: {summary}")
        self.stdout.write(self.style.SUCCESS("Demo town ready. Accounts use the password demo12345."))
