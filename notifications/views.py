"""The user's in-app notifications: the list, opening one (marks it read), marking all read, and the bell.

A user only ever sees their own notifications: every query starts from ``recipient=request.user``,
and someone else's notification answers 404 like one that does not exist.
"""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from .context_processors import UnreadBadge
from .models import Notification
from .services import notifications_mark_read

PAGE_SIZE = 25
# htmx: the bell refreshes itself on this event; a response may send it with ``HX-Trigger``.
CHANGED_EVENT = "notifications-changed"


@login_required
@never_cache
def notification_list(request):
    notifications = Notification.objects.filter(recipient=request.user).order_by("-created_at", "-pk")
    page = Paginator(notifications, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "notifications/notification_list.html", {"page": page})


@login_required
@never_cache
def bell(request):
    """The bell alone, for htmx to swap in after something changed the unread count."""
    return _bell(request)


def _bell(request):
    return render(request, "notifications/_bell.html", {"notification_bell": UnreadBadge(request.user)})


@login_required
@require_POST
def mark_all_read(request):
    notifications_mark_read(user=request.user)
    if request.htmx:  # from a bell menu: answer with the refreshed bell
        return _bell(request)
    return redirect("notifications:list")


@login_required
@require_POST
def notification_open(request, pk):
    """Mark one notification read and follow its link (only ever to this site)."""
    notification = get_object_or_404(Notification.objects.filter(recipient=request.user), pk=pk)
    notifications_mark_read(user=request.user, pks=[notification.pk])
    url = notification.url
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(url)
    return redirect("notifications:list")
