"""The bell's unread count, for every page: one COUNT query, run only when a page shows the bell."""

from django.utils.functional import cached_property

from .services import unread_count


class UnreadBadge:
    """Counts lazily: templates that never show the bell (print views, partials) cost no query."""

    def __init__(self, user):
        self.user = user

    @cached_property
    def count(self) -> int:
        return unread_count(self.user)

    @property
    def label(self) -> str:
        return "99+" if self.count > 99 else str(self.count)


def unread(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"notification_bell": UnreadBadge(user)}
