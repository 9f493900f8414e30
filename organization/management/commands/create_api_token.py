from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from organization.models import User
from organization.tokens import token_expires, token_for_user


class Command(BaseCommand):
    help = (
        "Print the API token of USERNAME, creating it if needed (or replacing it once expired). The token alone "
        "goes to standard output; when it expires goes to standard error."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        try:
            user = User.objects.get(username=username)
        except User.DoesNotExist as exc:
            raise CommandError(f"No user named {username!r}.") from exc
        if not user.is_active:
            raise CommandError(f"User {username!r} is inactive.")
        token = token_for_user(user)
        self.stdout.write(token.key)
        expires = timezone.localtime(token_expires(token))
        self.stderr.write(f"Expires {expires:%Y-%m-%d %H:%M %Z} (API_TOKEN_DAYS); a password change ends it sooner.")
