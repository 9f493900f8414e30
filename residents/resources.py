"""Spreadsheet columns of the registry (django-import-export), with Chinese headers.

* :class:`ResidentResource`: one row per resident, with their household's columns (village, grid,
  address, contact phone). Rows are matched to registered residents by the keyed hash of the ID
  number, so a re-import updates and never duplicates, and a person first registered from a police
  warning is linked to the imported household. Households are matched by (village, address) and
  created as needed.
* :class:`HouseholdResource`: one row per household (admin import and the households export).

Cells go through widgets that call ``core.validators``, so a bad value gets the same message as in
the forms and the API; an ID number that Excel has turned into a number is refused with the
validator's "format the column as Text" message. A user may only import rows for villages in their
scope: any other village code is reported as unknown, exactly like a code that does not exist.

**Exports are always masked** (``440682********1234``, ``138****5678``), whoever asks: a spreadsheet
leaves the system and its access log, so full values are shown only on screen, one audited record at
a time. Cells beginning with ``= + - @`` (or a tab or carriage return) are prefixed with ``'`` so that
Excel does not run them as formulas.

Imports of residents do not run django-import-export's row-by-row loop: :meth:`ResidentResource.plan`
checks every row in memory (a few queries for the villages, grids, residents and households the
sheet names, never one per row) and ``residents.importing`` writes the plan in bulk; the admin's
import goes through the same two steps. See that module's docstring for why.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.utils import translation
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from import_export import fields, resources, widgets

from core.crypto import blind_index
from core.imports import cell_text
from core.validators import (
    EXCEL_NUMBER_MESSAGE,
    mask_id_number,
    mask_phone,
    normalize_id_number,
    normalize_phone,
)
from organization.access import unit_in_scope
from organization.models import Unit, UnitKind

from .models import Household, Resident, ResidentSource, ResidentTag
from .services import CANNOT_ADD_HERE, _check_grid, registration_refused

# --- cells ---------------------------------------------------------------------------------------------

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def escape_formula(value):
    """Prefix a text cell that a spreadsheet would run as a formula with ``'`` (OWASP CSV injection)."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def _message(exc: ValidationError) -> str:
    return " ".join(str(message) for message in exc.messages)


def _is_number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


class TextWidget(widgets.Widget):
    """Plain text with a length limit (Django's own message) and an optional "required" message."""

    def __init__(self, *, max_length: int, required_message=None):
        super().__init__()
        self.validator = MaxLengthValidator(max_length)
        self.required_message = required_message

    def clean(self, value, row=None, **kwargs):
        text = cell_text(value)
        if not text and self.required_message:
            raise ValueError(str(self.required_message))
        try:
            self.validator(text)
        except ValidationError as exc:
            raise ValueError(_message(exc)) from None
        return text

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else str(value)


class IdNumberWidget(widgets.Widget):
    """A resident ID number through ``normalize_id_number``; a numeric cell has lost digits already."""

    def clean(self, value, row=None, **kwargs):
        if _is_number(value):
            raise ValueError(str(EXCEL_NUMBER_MESSAGE))
        try:
            return normalize_id_number(value)
        except ValidationError as exc:
            raise ValueError(_message(exc)) from None

    def render(self, value, obj=None, **kwargs):
        return mask_id_number(value)


class PhoneWidget(widgets.Widget):
    """An optional phone number through ``normalize_phone``. Whole numbers are exact below 15 digits,
    so an integer cell is accepted; a decimal one (``13812345678.0``) gets the Excel message."""

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, float):
            raise ValueError(str(EXCEL_NUMBER_MESSAGE))
        if value is None or not str(value).strip():
            return ""
        try:
            return normalize_phone(value)
        except ValidationError as exc:
            raise ValueError(_message(exc)) from None

    def render(self, value, obj=None, **kwargs):
        return mask_phone(value)


class ScopedUnitWidget(widgets.Widget):
    """A unit (village or grid) named by its code, found only inside the user's scope.

    Codes are looked up in one query per batch (:meth:`preload`) and cached. A code outside the
    user's scope is "unknown", the same answer as a code that does not exist.
    """

    def __init__(self, kind: str, *, unknown_message, required_message=None):
        super().__init__()
        self.kind = kind
        self.unknown_message = unknown_message
        self.required_message = required_message
        self.user = None
        self._units: dict[str, Unit | None] = {}

    def preload(self, codes: Iterable[str]) -> None:
        wanted = {code for code in codes if code and code not in self._units}
        if not wanted:
            return
        found = {unit.code: unit for unit in Unit.objects.filter(kind=self.kind, code__in=wanted)}
        for code in wanted:
            unit = found.get(code)
            in_scope = unit is not None and (self.user is None or unit_in_scope(self.user, unit))
            self._units[code] = unit if in_scope else None

    def clean(self, value, row=None, **kwargs):
        code = cell_text(value)
        if not code:
            if self.required_message:
                raise ValueError(str(self.required_message))
            return None
        self.preload([code])
        unit = self._units[code]
        if unit is None:
            raise ValueError(str(self.unknown_message) % {"code": code})
        return unit

    def render(self, value, obj=None, **kwargs):
        return value.code if value is not None else ""


def _tag_lookup() -> dict[str, str]:
    """Tag codes and labels (in every configured language), case-folded -> code."""
    lookup = {}
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            for code, label in ResidentTag.choices:
                lookup[str(label).casefold()] = code
    for code in ResidentTag.values:
        lookup[code] = code
    return lookup


_TAG_SEPARATORS_RE = re.compile(r"[,，、;；/\n]+")


class TagsWidget(widgets.Widget):
    """Tags as a list of codes or labels (``老年人、学生`` or ``elderly, student``)."""

    def __init__(self):
        super().__init__()
        self._lookup = None

    def clean(self, value, row=None, **kwargs):
        text = cell_text(value)
        if not text:
            return []
        if self._lookup is None:
            self._lookup = _tag_lookup()
        tags = []
        for item in filter(None, (part.strip() for part in _TAG_SEPARATORS_RE.split(text))):
            # "Finance staff" is one label; "老年人 学生" is two.
            codes = [self._lookup.get(item.casefold())]
            if codes[0] is None:
                codes = [self._lookup.get(word.casefold()) for word in item.split()]
            if None in codes:
                choices = "、".join(str(label) for label in ResidentTag.labels)
                raise ValueError(
                    gettext("Unknown tag “%(value)s”. Use: %(choices)s.") % {"value": item, "choices": choices}
                )
            tags.extend(code for code in codes if code not in tags)
        return tags

    def render(self, value, obj=None, **kwargs):
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


class ScopedResourceMixin:
    """Resources that know who is importing or exporting (``user=None``: a system job, unscoped)."""

    #: Columns a file must have; the others are optional (an absent column changes nothing).
    required_fields: Sequence[str] = ()

    def __init__(self, *, user=None, **kwargs):
        super().__init__(**kwargs)
        self.set_user(user)

    def set_user(self, user) -> None:
        self.user = user
        for resource_field in self.fields.values():
            if isinstance(resource_field.widget, ScopedUnitWidget):
                resource_field.widget.user = user

    def export_field(self, field, instance, **kwargs):
        return escape_formula(super().export_field(field, instance, **kwargs))

    def import_data(self, dataset, dry_run=False, raise_errors=False, use_transactions=None, **kwargs):
        # Always all or nothing: one bad row and nothing is written (also from the admin).
        if kwargs.get("user") is not None:
            self.set_user(kwargs["user"])
        kwargs["rollback_on_validation_errors"] = True
        return super().import_data(dataset, dry_run=dry_run, raise_errors=raise_errors, use_transactions=True, **kwargs)


# --- households ----------------------------------------------------------------------------------------


class HouseholdResource(ScopedResourceMixin, resources.ModelResource):
    village = fields.Field(
        attribute="village",
        column_name=_("Village code"),
        widget=ScopedUnitWidget(
            UnitKind.VILLAGE,
            unknown_message=_("Unknown village code “%(code)s”."),
            required_message=_("Enter a village code."),
        ),
    )
    grid = fields.Field(
        attribute="grid",
        column_name=_("Grid code"),
        widget=ScopedUnitWidget(UnitKind.GRID, unknown_message=_("Unknown grid code “%(code)s”.")),
        saves_null_values=False,
    )
    address = fields.Field(
        attribute="address",
        column_name=_("Address"),
        widget=TextWidget(max_length=200, required_message=_("Enter the household's address.")),
    )
    contact_phone = SetterField(
        attribute="contact_phone",
        column_name=_("Household contact phone"),
        widget=PhoneWidget(),
        setter="set_contact_phone",
    )
    members = fields.Field(
        attribute="member_count", column_name=_("Members"), widget=widgets.IntegerWidget(), readonly=True
    )

    required_fields = ("village", "address")

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
                self.fields[name].widget.preload(cell_text(value) for value in dataset[column])

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


@dataclass
class RowProblem:
    """One bad cell: the row as the spreadsheet numbers it, the column header as the file spells it."""

    row: int | None
    column: str
    message: str

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "message": self.message}


@dataclass
class ResidentImportPlan:
    """What an import would do. Built by :meth:`ResidentResource.plan`; written by ``residents.importing``."""

    total_rows: int = 0
    problems: list[RowProblem] = field(default_factory=list)
    new_residents: list[Resident] = field(default_factory=list)
    updated_residents: list[Resident] = field(default_factory=list)
    new_households: list[Household] = field(default_factory=list)
    updated_households: list[Household] = field(default_factory=list)
    #: (row number, resident, is new), in file order, for the admin's result table.
    rows: list[tuple[int, Resident, bool]] = field(default_factory=list)
    #: id(instance) -> fields changed on an existing resident or household, for bulk_update.
    changed_fields: dict[int, set[str]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> dict:
        return {
            "created": len(self.new_residents),
            "updated": len(self.updated_residents),
            "households_created": len(self.new_households),
            "households_updated": len(self.updated_households),
        }


#: Fields of an existing resident that an import rewrites (``phone`` only when the sheet gives one).
RESIDENT_UPDATE_FIELDS = frozenset(
    {"name", "household", "village", "relation", *(f"is_{tag}" for tag in ResidentTag.values), "updated_at"}
)


def _set_normalized_id_number(resident: Resident, normalized: str, key: str) -> None:
    """:meth:`Resident.set_id_number` for a value already normalised and hashed by the planner.

    ``set_id_number`` normalises three times (value, birth date, gender); at 10,000 rows that is
    seconds. ``tests/residents/test_import.py`` checks both give the same fields.
    """
    resident.id_number = normalized
    resident.id_number_hash = key
    resident.birth_date = datetime.date(int(normalized[6:10]), int(normalized[10:12]), int(normalized[12:14]))
    resident.gender = "male" if int(normalized[16]) % 2 else "female"


class ResidentResource(ScopedResourceMixin, resources.ModelResource):
    name = fields.Field(
        attribute="name",
        column_name=pgettext_lazy("person", "Name"),
        widget=TextWidget(max_length=50, required_message=_("Enter a name.")),
    )
    id_number = fields.Field(attribute="id_number", column_name=_("ID number"), widget=IdNumberWidget())
    phone = fields.Field(attribute="phone", column_name=_("Phone"), widget=PhoneWidget())
    village = fields.Field(
        attribute="village",
        column_name=_("Village code"),
        widget=ScopedUnitWidget(
            UnitKind.VILLAGE,
            unknown_message=_("Unknown village code “%(code)s”."),
            required_message=_("Enter a village code."),
        ),
    )
    grid = fields.Field(
        attribute="household__grid",
        column_name=_("Grid code"),
        widget=ScopedUnitWidget(UnitKind.GRID, unknown_message=_("Unknown grid code “%(code)s”.")),
    )
    address = fields.Field(attribute="household__address", column_name=_("Address"), widget=TextWidget(max_length=200))
    household_contact_phone = fields.Field(
        attribute="household__contact_phone", column_name=_("Household contact phone"), widget=PhoneWidget()
    )
    relation = fields.Field(attribute="relation", column_name=_("Relation"), widget=TextWidget(max_length=20))
    tags = fields.Field(attribute="tags", column_name=_("Tags"), widget=TagsWidget())

    required_fields = ("name", "id_number", "village")

    class Meta:
        model = Resident
        fields = [
            "name",
            "id_number",
            "phone",
            "village",
            "grid",
            "address",
            "household_contact_phone",
            "relation",
            "tags",
        ]
        import_id_fields = ["id_number"]
        use_transactions = True
        skip_diff = True
        use_bulk = True
        batch_size = 1000

    def get_queryset(self):
        queryset = Resident.objects.all()
        return queryset.for_user(self.user) if self.user is not None else queryset

    def export(self, queryset=None, **kwargs):
        queryset = self.get_queryset() if queryset is None else queryset
        queryset = queryset.select_related("village", "household__grid")
        return super().export(queryset=queryset, **kwargs)

    def import_data(self, dataset, dry_run=False, raise_errors=False, use_transactions=None, **kwargs):
        """The admin's entry point: the same planner and bulk writer as the web import."""
        from .importing import import_resource_dataset

        if kwargs.get("user") is not None:
            self.set_user(kwargs["user"])
        return import_resource_dataset(self, dataset, dry_run=dry_run)

    # -- planning ----------------------------------------------------------------------------------------

    def plan(
        self,
        rows: Sequence[Sequence],
        columns: dict[int, str],
        headers: Sequence[str],
        row_numbers: Sequence[int],
        *,
        progress: Callable[[int], None] | None = None,
    ) -> ResidentImportPlan:
        """Check every row and decide what to write, without writing anything.

        ``columns`` maps a column index to a field name (see ``residents.importing.match_headers``);
        ``headers`` are the file's own header texts, used in the problems reported.
        """
        plan = ResidentImportPlan(total_rows=len(rows))
        present = set(columns.values())
        header_of = {name: str(self.fields[name].column_name) for name in self.fields}
        header_of.update({name: str(headers[index]) for index, name in columns.items()})
        for name in ("village", "grid"):
            index = next((i for i, n in columns.items() if n == name), None)
            if index is not None:
                self.fields[name].widget.preload(cell_text(row[index]) for row in rows if index < len(row))
        cleaners = [(index, name, self.fields[name].widget.clean) for index, name in columns.items()]
        found: list[tuple[int, str, str]] = []  # (row, field name, message)

        # Pass 1: every cell through its widget (the shared validators).
        cleaned_rows = []
        for position, cells in enumerate(rows):
            number = row_numbers[position]
            values, bad = {}, False
            for index, name, clean in cleaners:
                try:
                    values[name] = clean(cells[index] if index < len(cells) else None)
                except ValueError as exc:
                    found.append((number, name, str(exc)))
                    bad = True
            if not bad:
                values["key"] = blind_index(values["id_number"], purpose="id_number")
                cleaned_rows.append((number, values))
            if progress is not None and position % 250 == 249:
                progress(position + 1)

        # The residents and households the rows name: one query per 2,000 rows, never one per row.
        residents = self._existing_residents([values["key"] for _number, values in cleaned_rows])
        households = self._existing_households(
            [(values["village"].pk, values["address"]) for _number, values in cleaned_rows if values.get("address")]
        )

        # Pass 2: match and decide.
        first_row_of: dict[str, int] = {}
        household_rows: dict[tuple[int, str], dict[str, int]] = {}
        for number, values in cleaned_rows:
            problem = self._plan_row(plan, number, values, present, residents, households, first_row_of, household_rows)
            if problem is not None:
                found.append((number, problem[0], str(problem[1])))
        plan.updated_households = [
            household for household in households.values() if household.pk and plan.changed_fields.get(id(household))
        ]
        order = {name: position for position, name in enumerate(self.get_export_order())}
        found.sort(key=lambda problem: (problem[0], order[problem[1]]))
        plan.problems = [RowProblem(number, header_of[name], message) for number, name, message in found]
        if progress is not None:
            progress(len(rows))
        return plan

    def _existing_residents(self, keys: list[str]) -> dict[str, Resident]:
        found = {}
        unique = list(dict.fromkeys(keys))
        for start in range(0, len(unique), 2000):
            queryset = (
                Resident.objects.filter(id_number_hash__in=unique[start : start + 2000])
                .select_related("village")
                .defer("id_number", "phone")  # never decrypted: the hash is the match key
            )
            found.update((resident.id_number_hash, resident) for resident in queryset)
        return found

    def _existing_households(self, keys: list[tuple[int, str]]) -> dict[tuple[int, str], Household]:
        found = {}
        village_ids = sorted({village_id for village_id, _address in keys})
        addresses = list(dict.fromkeys(address for _village_id, address in keys))
        for start in range(0, len(addresses), 2000):
            queryset = Household.objects.filter(
                village_id__in=village_ids, address__in=addresses[start : start + 2000]
            ).defer("contact_phone")
            found.update(((household.village_id, household.address), household) for household in queryset)
        return found

    def _plan_row(self, plan, number, values, present, residents, households, first_row_of, household_rows):
        """Decide one valid row; return (field name, message) for a problem, else None."""
        key, village = values["key"], values["village"]
        if key in first_row_of:
            return "id_number", gettext("This ID number is already in row %(row)d.") % {"row": first_row_of[key]}
        first_row_of[key] = number
        resident = residents.get(key)
        if resident is not None and self.user is not None and not unit_in_scope(self.user, resident.village):
            # The same answer as the member form's, naming neither the village nor the person; audited.
            registration_refused(actor=self.user, holder=resident, attempt="import", row=number)
            return "id_number", str(CANNOT_ADD_HERE)

        address = values.get("address", "")
        grid = values.get("grid")
        contact = values.get("household_contact_phone", "")
        household = None
        if address:
            if grid is not None:
                try:
                    _check_grid(village, grid)
                except ValidationError as exc:
                    return "grid", exc.message_dict["grid"][0]
            household, problem = self._plan_household(
                plan, number, village, address, grid, contact, households, household_rows
            )
            if problem is not None:
                return problem
        elif grid is not None or contact:
            return "address", gettext(
                "Enter the household's address: the grid and contact phone belong to a household."
            )
        elif (
            resident is not None
            and resident.household_id
            and resident.village_id != village.pk
            and "address" in present
        ):
            return "address", gettext("This person's household is in another village: enter their new address.")

        if resident is None:
            resident = Resident(village=village, household=household, source=ResidentSource.IMPORT, name=values["name"])
            _set_normalized_id_number(resident, values["id_number"], key)
            resident.set_phone(values.get("phone", ""))
            resident.relation = values.get("relation", "")
            for tag in values.get("tags", ()):  # a new resident starts with every tag off
                setattr(resident, f"is_{tag}", True)
            plan.new_residents.append(resident)
            plan.rows.append((number, resident, True))
            return None

        changed = set(RESIDENT_UPDATE_FIELDS)
        resident.name = values["name"]
        if household is not None:
            resident.household, resident.village = household, village
        elif resident.household_id is None:
            resident.village = village
        if values.get("phone") and resident.phone_hash != blind_index(values["phone"], purpose="phone"):
            resident.set_phone(values["phone"])
            changed |= {"phone", "phone_hash"}
        if values.get("relation"):
            resident.relation = values["relation"]
        if values.get("tags"):
            resident.set_tags(values["tags"])
        plan.changed_fields[id(resident)] = changed
        plan.updated_residents.append(resident)
        plan.rows.append((number, resident, False))
        return None

    def _plan_household(self, plan, number, village, address, grid, contact, households, household_rows):
        """Find or plan the household at (village, address); cells left empty keep what is stored."""
        hkey = (village.pk, address)
        seen = household_rows.setdefault(hkey, {})
        household = households.get(hkey)
        if household is None:
            household = Household(village=village, address=address, grid=grid)
            household.set_contact_phone(contact)
            households[hkey] = household
            plan.new_households.append(household)
        changed = plan.changed_fields.setdefault(id(household), set())
        if grid is not None:
            if "grid" in seen and household.grid_id != grid.pk:
                message = gettext("Row %(row)d gives this household another grid.") % {"row": seen["grid"]}
                return household, ("grid", message)
            seen.setdefault("grid", number)
            if household.grid_id != grid.pk:
                household.grid = grid
                changed.add("grid")
        if contact:
            contact_hash = blind_index(contact, purpose="phone")
            if "contact" in seen and household.contact_phone_hash != contact_hash:
                message = gettext("Row %(row)d gives this household another contact phone.") % {"row": seen["contact"]}
                return household, ("household_contact_phone", message)
            seen.setdefault("contact", number)
            if household.contact_phone_hash != contact_hash:
                household.set_contact_phone(contact)
                changed |= {"contact_phone", "contact_phone_hash"}
        return household, None
