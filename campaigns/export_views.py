"""Excel exports of door visits and pledges: the register pages' filters, the user's scope, masked numbers,
formula-escaped cells, an access-log entry. ``?format=xlsx`` (default) or ``?format=csv``."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from audit.models import AccessAction
from audit.services import access_log_record
from organization.access import require
from residents.export_views import CONTENT_TYPES, csv_bytes, xlsx_bytes
from residents.resources import escape_formula
from warnings_followup.models import FraudType

from .filters import DoorVisitFilter, PledgeFilter, is_id_number
from .selectors import pledge_queryset, visit_queryset


def _yes_no(value: bool) -> str:
    return _("Yes") if value else _("No")


def _when(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def _fraud_type_labels(codes) -> str:
    return "、".join(str(FraudType(code).label) for code in codes if code in FraudType.values)


VISIT_COLUMNS = [
    (lambda: _("Visited at"), lambda v: _when(v.visited_at)),
    (lambda: _("Village"), lambda v: v.household.village.name),
    (lambda: _("Grid"), lambda v: v.household.grid.name if v.household.grid else ""),
    (lambda: _("Household reference"), lambda v: v.household.reference),
    (lambda: _("Address"), lambda v: v.household.address),
    (lambda: _("Someone at home"), lambda v: _yes_no(v.someone_home)),
    (lambda: _("Materials handed out"), lambda v: "、".join(str(label) for label in v.material_labels())),
    (lambda: _("Fraud types explained"), lambda v: _fraud_type_labels(v.fraud_types_explained)),
    (lambda: _("App installed"), lambda v: _yes_no(v.app_installed)),
    (lambda: _("Who went"), lambda v: "、".join(str(user) for user in v.visitors.all())),
    (lambda: _("Notes"), lambda v: v.notes),
]

PLEDGE_COLUMNS = [
    (lambda: _("Signed at"), lambda p: _when(p.signed_at)),
    (lambda: _("Name"), lambda p: p.resident.name),
    (lambda: _("ID number"), lambda p: p.resident.masked_id_number),
    (lambda: _("Village"), lambda p: p.resident.village.name),
    (
        lambda: _("Grid"),
        lambda p: p.resident.household.grid.name if p.resident.household and p.resident.household.grid else "",
    ),
    (lambda: _("Household reference"), lambda p: p.resident.household.reference if p.resident.household else ""),
    (lambda: _("Address"), lambda p: p.resident.household.address if p.resident.household else ""),
    (lambda: _("How it was signed"), lambda p: p.get_method_display()),
    (lambda: _("Collected by"), lambda p: str(p.collected_by) if p.collected_by else ""),
    (lambda: _("Visit date"), lambda p: _when(p.visit.visited_at) if p.visit else ""),
]


def _export(request, *, filterset, columns, name: str, label: str, masked: tuple[str, ...] = ()):
    requested = request.GET.get("format", "xlsx")
    if requested not in CONTENT_TYPES:
        raise Http404
    if not filterset.is_valid():
        return HttpResponseBadRequest(_("These filters are not valid."))
    rows = [[escape_formula(value(row)) for _header, value in columns] for row in filterset.qs]
    headers = [header() for header, _value in columns]
    content = (xlsx_bytes if requested == "xlsx" else csv_bytes)(headers, rows)
    used = [key for key, value in filterset.form.cleaned_data.items() if value not in (None, "")]
    access_log_record(
        request=request,
        action=AccessAction.EXPORT,
        object_repr=_("%(what)s export (%(format)s): %(count)d rows; filters: %(filters)s")
        % {"what": label, "format": requested, "count": len(rows), "filters": ", ".join(used) or "—"},
        fields=[f"{field}:masked" for field in masked],
    )
    response = HttpResponse(content, content_type=CONTENT_TYPES[requested])
    response["Content-Disposition"] = f'attachment; filename="{name}-{timezone.localdate():%Y%m%d}.{requested}"'
    patch_cache_control(response, private=True, no_store=True)
    return response


@login_required
@require_GET
def export_visits(request):
    require(request.user, "outreach.export")
    filterset = DoorVisitFilter(request.GET, queryset=visit_queryset().for_user(request.user).order_by("-visited_at"))
    return _export(request, filterset=filterset, columns=VISIT_COLUMNS, name="door-visits", label=_("Door visits"))


@login_required
@require_GET
def export_pledges(request):
    require(request.user, "outreach.export")
    if is_id_number(request.GET.get("q", "")):
        return HttpResponseBadRequest(_("Search by ID number on the register page, not in the address."))
    filterset = PledgeFilter(request.GET, queryset=pledge_queryset().for_user(request.user).order_by("-signed_at"))
    return _export(
        request,
        filterset=filterset,
        columns=PLEDGE_COLUMNS,
        name="pledges",
        label=_("Pledges"),
        masked=("id_number",),
    )
