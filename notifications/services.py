from django.db import connection, transaction
from django.utils import timezone

from .models import Notification


def notifications_send(*, recipients, kind: str, title: str, body: str = "", url: str = "", dedupe_key: str) -> int:
    """Create one in-app notification per recipient; an event already notified is skipped (idempotent).

    Returns how many recipients were newly notified (0 when the event had already gone out to all of them).
    The unique (recipient, dedupe_key) constraint keeps one notification per person; on PostgreSQL a
    transaction-level advisory lock on the key makes concurrent senders of one event take turns.
    """
    key = dedupe_key[:120]
    people = {user.pk: user for user in recipients}
    with transaction.atomic():
        if connection.vendor == "postgresql":  # two senders of one event take turns, so the count is exact
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [key])
        told = set(
            Notification.objects.filter(dedupe_key=key, recipient__in=list(people)).values_list("recipient", flat=True)
        )
        rows = [
            Notification(recipient=user, kind=kind, title=title[:200], body=body, url=url, dedupe_key=key)
            for pk, user in people.items()
            if pk not in told
        ]
        Notification.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def notifications_mark_read(*, user, pks=None) -> int:
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if pks is not None:
        unread = unread.filter(pk__in=pks)
    return unread.update(read_at=timezone.now())


def unread_count(user) -> int:
    if not user.is_authenticated:
        return 0
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()
