"""Admin for the registry: scoped like the pages, masked numbers only, import/export through our resources.

Imports run the web import's sheet (and are all or nothing); files are read by ``core.sheets.read_table``
(size and container checks, the contained reader). Exports are masked and access-logged.
The encrypted fields are never in a form: the full values are revealed only on the registry pages,
where every reveal is logged.
"""

from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import FieldError
from django.http import HttpRequest
from django.shortcuts import redirect
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportModelAdmin
from import_export.formats import base_formats
from simple_history.admin import SimpleHistoryAdmin

from audit.models import AccessAction
from audit.services import access_log_record
from core.exports import ExportKind, ExportRefused, export_job_create, is_large, register_export

from .exports import household_rows_of, resident_rows_of
from .filters import exact_number_q
from .models import Household, Resident
from .resources import HouseholdResource, ResidentResource, SafeCSV, SafeXLSX

# --- the admin's exports: above EXPORT_ASYNC_ROWS rows, a background job (core.exports) ---------------------


def _admin_list(model, *, user, params):
    """The admin's export list of ``model`` for ``user``: its scope, and the list's filters and search from
    ``params`` (the list's query string, kept by the job), as the admin's own export reads them."""
    request = HttpRequest()
    request.method = "GET"
    request.GET = params
    request.user = user
    request.export_job = True  # an exact-number search was logged when the export was asked for
    try:
        return admin.site.get_model_admin(model).get_export_queryset(request)
    except (IncorrectLookupParameters, FieldError, ValueError) as error:
        raise ExportRefused(gettext("These filters are not valid.")) from error


def _admin_filters(params) -> list[str]:
    return [f"admin:{key}" for key in params if params.get(key, "") != ""] or ["admin"]


def admin_residents_rows(*, user, params):
    residents = _admin_list(Resident, user=user, params=params)
    return resident_rows_of(residents, user=user, filters=_admin_filters(params))


def admin_households_rows(*, user, params):
    households = _admin_list(Household, user=user, params=params)
    return household_rows_of(households, user=user, filters=_admin_filters(params))


ADMIN_RESIDENTS = register_export(
    ExportKind(
        kind="admin_residents",
        capability="residents.export",
        label=lambda: gettext("Residents"),
        filename="residents",
        build=admin_residents_rows,
    )
)
ADMIN_HOUSEHOLDS = register_export(
    ExportKind(
        kind="admin_households",
        capability="residents.export",
        label=lambda: gettext("Households"),
        filename="households",
        build=admin_households_rows,
    )
)


class RegistryAdmin(ImportExportModelAdmin, SimpleHistoryAdmin):
    import_formats = [SafeXLSX, SafeCSV]
    export_formats = [base_formats.XLSX, base_formats.CSV]
    #: (ID-number hash field, phone hash field) for an exact search.
    exact_search_fields: tuple[str, str] = ("id_number_hash", "phone_hash")

    def get_queryset(self, request):
        return super().get_queryset(request).for_user(request.user)

    def get_resource_kwargs(self, request, *args, **kwargs):
        return {**super().get_resource_kwargs(request, *args, **kwargs), "user": request.user}

    def get_search_results(self, request, queryset, search_term):
        """An exact ID or phone number is found through its keyed hash (and the search is logged)."""
        term = search_term.strip()
        id_field, phone_field = self.exact_search_fields
        exact = exact_number_q(term, id_field=id_field, phone_field=phone_field) if term else None
        if exact is None:
            return super().get_search_results(request, queryset, search_term)
        if not getattr(request, "export_job", False):
            access_log_record(
                request=request, action=AccessAction.SEARCH, object_repr=str(self.opts.verbose_name_plural)
            )
        return queryset.filter(exact).distinct(), False

    #: The background export of this list when it has more than EXPORT_ASYNC_ROWS rows.
    export_kind: ExportKind | None = None

    def _do_file_export(self, file_format, request, queryset, export_form=None):
        """A large list is written by a background job (every column, masked) and downloaded from its page."""
        if self.export_kind is not None and is_large(queryset):
            fmt = "csv" if isinstance(file_format, base_formats.CSV) else "xlsx"
            params = request.GET.copy()
            job = export_job_create(user=request.user, kind=self.export_kind.kind, fmt=fmt, params=params)
            return redirect("core:export_job", pk=job.pk)
        return super()._do_file_export(file_format, request, queryset, export_form=export_form)

    def get_export_data(self, file_format, request, queryset, **kwargs):
        data = super().get_export_data(file_format, request, queryset, **kwargs)
        access_log_record(
            request=request,
            action=AccessAction.EXPORT,
            object_repr=f"admin: {self.opts.verbose_name_plural} ({file_format.get_title()})",
        )
        return data


@admin.register(Household)
class HouseholdAdmin(RegistryAdmin):
    resource_classes = [HouseholdResource]
    export_kind = ADMIN_HOUSEHOLDS
    list_display = ["address", "village", "grid", "masked_contact_phone", "member_count"]
    list_filter = ["village"]
    list_select_related = ["village", "grid"]
    search_fields = ["address"]
    exact_search_fields = ("members__id_number_hash", "contact_phone_hash")
    autocomplete_fields = ["village", "grid"]
    exclude = ["contact_phone"]
    readonly_fields = ["masked_contact_phone", "created_at", "updated_at"]

    def get_queryset(self, request):
        return super().get_queryset(request).with_member_count()

    @admin.display(description=_("contact phone"))
    def masked_contact_phone(self, obj):
        return obj.masked_contact_phone

    @admin.display(description=_("members"), ordering="member_count")
    def member_count(self, obj):
        return obj.member_count


@admin.register(Resident)
class ResidentAdmin(RegistryAdmin):
    resource_classes = [ResidentResource]
    export_kind = ADMIN_RESIDENTS
    list_display = ["name", "masked_id_number", "masked_phone", "village", "household", "source"]
    list_filter = ["source", "is_elderly", "is_student", "is_finance_staff", "is_volunteer", "is_key_group"]
    list_select_related = ["village", "household"]
    search_fields = ["name", "household__address"]
    raw_id_fields = ["household"]
    autocomplete_fields = ["village"]
    exclude = ["id_number", "phone"]
    # The age, not the birth date: the birth date is exactly what the masked ID number hides.
    readonly_fields = ["masked_id_number", "masked_phone", "gender", "age", "source", "created_at", "updated_at"]

    def has_add_permission(self, request):
        # People are registered through the registry pages and imports, which check the ID number.
        return False

    @admin.display(description=_("ID number"))
    def masked_id_number(self, obj):
        return obj.masked_id_number

    @admin.display(description=_("phone"))
    def masked_phone(self, obj):
        return obj.masked_phone

    @admin.display(description=_("Age"))
    def age(self, obj):
        return obj.age
