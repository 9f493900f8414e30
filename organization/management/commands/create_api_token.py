from django.core.management.base import BaseCommand, CommandError
from rest_framework.authtoken.models import Token

from organization.models import User


class Command(BaseCommand):
    help = "Print the API token of USERNAME, creating it if needed."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        try:
            user = User.objects.get(username=username)
        except User.DoesNotExist as exc:
            raise CommandError(f"No user named {username!r}.") from exc
        if not user.is_active:
            raise CommandError(f"User {username!r} is inactive.")
        token, _ = Token.objects.get_or_create(user=user)
        self.stdout.write(token.key)
