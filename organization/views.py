from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from .access import require, scope_description, units_visible_to
from .models import UnitKind
from .navigation import panels_for
from .selectors import unit_children, units_for_user


class SiteLogoutView(auth_views.LogoutView):
    """Log out (POST only), and have the browser drop this site's caches and storage (``Clear-Site-Data``):
    the field app's work data in IndexedDB and its service worker's cache go with the session."""

    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        response["Clear-Site-Data"] = '"cache", "storage"'
        return response


@login_required
def home(request):
    """The role-aware landing page: each feature's panel (``<app>/navigation.py``) for the roles that use it."""
    user = request.user
    panels = panels_for(user, timezone.localdate())
    context = {
        "unit": user.unit,
        "roles": user.role_labels(),
        "scope_names": scope_description(user),
        "today_panels": panels,
    }
    return render(request, "organization/home.html", context)


@login_required
def unit_list(request):
    require(request.user, "organization.view_units")
    kind = request.GET.get("kind", "")
    if kind not in UnitKind.values:
        kind = ""
    search = request.GET.get("q", "").strip()
    units = units_for_user(user=request.user, kind=kind, search=search)
    page = Paginator(units, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "organization/unit_list.html",
        {"page": page, "kinds": UnitKind.choices, "kind": kind, "q": search},
    )


@login_required
def unit_detail(request, code):
    require(request.user, "organization.view_units")
    unit = get_object_or_404(units_visible_to(request.user).select_related("parent"), code=code)
    children = unit_children(user=request.user, unit=unit)
    members = unit.members.filter(is_active=True).prefetch_related("roles").order_by("username")
    return render(
        request,
        "organization/unit_detail.html",
        {"unit": unit, "children": children, "members": members},
    )
