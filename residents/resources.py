"""Exports and the admin's import/export of the registry (django-import-export), with Chinese headers.

* :class:`ResidentResource`: one row per resident, with their household's columns; the columns (headers,
  cells) are :class:`residents.importing.ResidentSheet`'s, and its import in the admin runs that sheet's
  planner and bulk writer, not django-import-export's row loop (see ``residents.importing``).
* :class:`HouseholdResource`: one row per household (the admin's import, all or nothing, and the households
  export).

Cells are ``core.sheets`` cells (the shared validators of ``core.validators``, the same messages as in the forms
and the API); a village or grid outside the user's scope is "unknown", exactly like a code that does not exist.

**Exports are always masked** (``440682********1234``, ``138****5678``), whoever asks: a spreadsheet
leaves the system and its access log, so full values are shown only on screen, one audited record at
a time. Cells beginning with ``= + - @`` (or a tab or carriage return) are prefixed with ``'`` so that
Excel does not run them as formulas.
"""

from __future__ import annotations

from collections import defaultdict

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _
from import_export import fields, widgets
from import_export.formats import base_formats
from import_export.results import Error, Result, RowResult
from tablib import Dataset

from core.cells import PhoneCell, TextCell, cell_text
from core.sheets import Table, read_table
from core.validators import mask_id_number, mask_phone
from organization.importing import village_cell
from organization.resources import AllOrNothingResource

from .importing import ResidentSheet, grid_cell, write_plan
from .models import Household, Resident, ResidentTag
from .services import _check_grid

# --- cells ---------------------------------------------------------------------------------------------

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def escape_formula(value):
    """Prefix a text cell that a spreadsheet would run as a formula with ``'`` (OWASP CSV injection)."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


class CellWidget(widgets.Widget):
    """A column's :class:`core.sheets.Cell` as django-import-export's widget (the admin's row loop)."""

    def __init__(self, cell, render=None):
        super().__init__()
        self.cell = cell
        self.renderer = render

    def clean(self, value, row=None, **kwargs):
        return self.cell.clean(value)

    def render(self, value, obj=None, **kwargs):
        if self.renderer is not None:
            return self.renderer(value)
        return "" if value is None else str(value)


def _header(name: str):
    return ResidentSheet.columns[name].header


def _code(unit) -> str:
    return unit.code if unit is not None else ""


def _tags(value) -> str:
    return "、".join(str(ResidentTag(code).label) for code in value or ())


class SetterField(fields.Field):
    """Saves through a model setter (``set_contact_phone``) so the keyed hash is kept beside the value.
    An empty cell keeps the stored value."""

    def __init__(self, *args, setter: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.setter = setter

    def save(self, instance, row, is_m2m=False, **kwargs):
        if self.readonly:
            return
        cleaned = self.clean(row, **kwargs)
        if cleaned:
            getattr(instance, self.setter)(cleaned)


class ScopedResource(AllOrNothingResource):
    """Resources that know who is importing or exporting (``user=None``: a system job, unscoped)."""

    def __init__(self, *, user=None, **kwargs):
        super().__init__(**kwargs)
        self.set_user(user)

    def set_user(self, user) -> None:
        self.user = user
        for resource_field in self.fields.values():
            if isinstance(resource_field.widget, CellWidget):
                resource_field.widget.cell = resource_field.widget.cell.bound(user)

    def export_field(self, field, instance, **kwargs):
        return escape_formula(super().export_field(field, instance, **kwargs))

    def import_data(self, dataset, dry_run=False, raise_errors=False, use_transactions=None, **kwargs):
        if kwargs.get("user") is not None:
            self.set_user(kwargs["user"])
        return super().import_data(dataset, dry_run=dry_run, raise_errors=raise_errors, **kwargs)


# --- households ----------------------------------------------------------------------------------------


class HouseholdResource(ScopedResource):
    village = fields.Field(
        attribute="village", column_name=_header("village"), widget=CellWidget(village_cell(), _code)
    )
    grid = fields.Field(
        attribute="grid",
        column_name=_header("grid"),
        widget=CellWidget(grid_cell(), _code),
        saves_null_values=False,
    )
    address = fields.Field(
        attribute="address",
        column_name=_header("address"),
        widget=CellWidget(TextCell(max_length=200, required_message=_("Enter the household's address."))),
    )
    contact_phone = SetterField(
        attribute="contact_phone",
        column_name=_header("household_contact_phone"),
        widget=CellWidget(PhoneCell(), mask_phone),
        setter="set_contact_phone",
    )
    members = fields.Field(
        attribute="member_count", column_name=_("Members"), widget=widgets.IntegerWidget(), readonly=True
    )

    class Meta:
        model = Household
        fields = ["village", "grid", "address", "contact_phone", "members"]
        import_id_fields = ["village", "address"]
        use_transactions = True
        skip_diff = True

    def get_queryset(self):
        queryset = Household.objects.all()
        return queryset.for_user(self.user) if self.user is not None else queryset

    def export(self, queryset=None, **kwargs):
        queryset = self.get_queryset() if queryset is None else queryset
        queryset = queryset.with_member_count().select_related("village", "grid")
        return super().export(queryset=queryset, **kwargs)

    def before_import(self, dataset, **kwargs):
        for name in ("village", "grid"):
            column = str(self.fields[name].column_name)
            if column in (dataset.headers or []):
                self.fields[name].widget.cell.preload(cell_text(value) for value in dataset[column])

    def get_instance(self, instance_loader, row):
        try:
            return super().get_instance(instance_loader, row)
        except ValueError:  # an unknown village: import_instance reports it against its column
            return None

    def import_instance(self, instance, row, **kwargs):
        super().import_instance(instance, row, **kwargs)
        try:
            _check_grid(instance.village, instance.grid)
        except ValidationError as exc:
            raise ValidationError({"grid": exc.message_dict["grid"]}) from None


# --- residents -----------------------------------------------------------------------------------------


def _field(name: str, attribute: str, render=None) -> fields.Field:
    """A column of :class:`residents.importing.ResidentSheet` (its header, its cell) as a resource field."""
    column = ResidentSheet.columns[name]
    return fields.Field(attribute=attribute, column_name=_header(name), widget=CellWidget(column.cell, render))


class ResidentResource(ScopedResource):
    """The residents' columns for exports and the admin, as :class:`residents.importing.ResidentSheet` has them."""

    name = _field("name", "name")
    id_number = _field("id_number", "id_number", mask_id_number)
    phone = _field("phone", "phone", mask_phone)
    village = _field("village", "village", _code)
    grid = _field("grid", "household__grid", _code)
    address = _field("address", "household__address")
    household_contact_phone = _field("household_contact_phone", "household__contact_phone", mask_phone)
    relation = _field("relation", "relation")
    tags = _field("tags", "tags", _tags)

    class Meta:
        model = Resident
        fields = list(ResidentSheet.columns)
        import_id_fields = ["id_number"]
        skip_diff = True

    def get_queryset(self):
        queryset = Resident.objects.all()
        return queryset.for_user(self.user) if self.user is not None else queryset

    def export(self, queryset=None, **kwargs):
        queryset = self.get_queryset() if queryset is None else queryset
        queryset = queryset.select_related("village", "household__grid")
        return super().export(queryset=queryset, **kwargs)

    def import_data(self, dataset, dry_run=False, raise_errors=False, use_transactions=None, **kwargs):
        """The admin's entry point: the web import's planner and bulk writer, not the row loop."""
        if kwargs.get("user") is not None:
            self.set_user(kwargs["user"])
        return import_resource_dataset(self, dataset, dry_run=dry_run)


# --- the admin's import: the sheet's planner and writer, its files read by the one reader ---------------


def table_from_dataset(dataset: Dataset) -> Table:
    rows = [list(row) for row in dataset]
    numbers = getattr(dataset, "row_numbers", None) or list(range(2, len(rows) + 2))
    return Table([cell_text(header) for header in dataset.headers or []], rows, list(numbers))


def import_resource_dataset(resource, dataset: Dataset, *, dry_run: bool) -> Result:
    """``ResidentResource.import_data`` for django-import-export's admin: same planner, same writer."""
    table = table_from_dataset(dataset)
    result = Result()
    result.diff_headers = list(table.headers)
    result.total_rows = len(table.rows)
    try:
        if not table.rows:
            raise ValidationError(_("The sheet has column headers but no rows to import."))
        columns = ResidentSheet.match_headers(table)
    except ValidationError as exc:
        result.append_invalid_row(table.header_row, {}, ValidationError({NON_FIELD_ERRORS: exc.messages}))
        return result
    cells_of = dict(zip(table.row_numbers, table.rows, strict=True))
    try:
        with transaction.atomic():
            plan = ResidentSheet(resource.user).plan(table, columns)
            if plan.ok and not dry_run:
                write_plan(plan, user=resource.user)
    except IntegrityError as exc:
        result.append_base_error(Error(exc))
        return result
    problems = defaultdict(lambda: defaultdict(list))
    for problem in plan.problems:
        problems[problem["row"]][problem["column"]].append(problem["message"])
    for number, by_column in problems.items():
        row = dict(zip(table.headers, cells_of.get(number, ()), strict=False))
        result.append_invalid_row(number, row, ValidationError({k: v for k, v in by_column.items()}))
        result.totals[RowResult.IMPORT_TYPE_INVALID] += 1
    if plan.ok:
        for _number, resident, is_new in plan.rows:
            row_result = RowResult()
            row_result.import_type = RowResult.IMPORT_TYPE_NEW if is_new else RowResult.IMPORT_TYPE_UPDATE
            row_result.add_instance_info(resident)
            row_result.instance = resident
            result.append_row_result(row_result)
            result.increment_row_result_total(row_result)
    return result


class SafeXLSX(base_formats.XLSX):
    """The admin's .xlsx format, read by :func:`read_table` (container checks, calamine in a contained child)."""

    def create_dataset(self, in_stream):
        return dataset_from_bytes(in_stream)


class SafeCSV(base_formats.CSV):
    """The admin's CSV format: bytes in (UTF-8 or GB18030), read by :func:`read_table`."""

    def is_binary(self):
        return True

    def get_read_mode(self):
        return "rb"

    def create_dataset(self, in_stream):
        return dataset_from_bytes(in_stream)


def dataset_from_bytes(data) -> Dataset:
    if isinstance(data, str):
        data = data.encode("utf-8")
    try:
        table = read_table(data)
    except ValidationError as exc:
        raise ValueError(" ".join(exc.messages)) from None
    dataset = Dataset(headers=table.headers)
    width = len(table.headers)
    for row in table.rows:
        dataset.append((list(row) + [None] * width)[:width])
    dataset.row_numbers = table.row_numbers
    return dataset
