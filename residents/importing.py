"""Importing residents from a spreadsheet (:class:`ResidentSheet`): check every row, write all or nothing, fast.

The sheet
    One row per resident, with their household's columns (village, grid, address, contact phone). Rows are
    matched to registered residents by the keyed hash of the ID number, so a re-import updates and never
    duplicates, and a person first registered from a police warning is linked to the imported household.
    Households are matched by (village, address) and created as needed. Reading, header matching, the cells
    (the shared validators), dry run, progress and all-or-nothing are ``core.sheets``'; a village or grid
    outside the user's scope is "unknown", exactly like a code that does not exist.

Checking (:meth:`ResidentSheet.plan`)
    Every cell, then every row matched: residents by the keyed hash of their ID number, households by
    (village, address), one query per 2,000 rows, never one per row.

Writing (:func:`write_plan`): the fast path
    The goal is a 10,000-row import within 3x the time of a plain ``bulk_create`` of the same rows
    (``bench/import_residents.py`` measures it on PostgreSQL: 2.4x to 2.9x): new households and residents
    and the changed rows are written in bulk with their history rows by ``core.bulk``, then the villages
    touched are announced (``residents.signals.registry_bulk_written``: the counters the services keep).

    The one piece of model logic repeated here is deriving the birth date and gender from an
    already-normalised ID number (:func:`set_normalized_id_number`; a test compares it with
    ``Resident.set_id_number``), because normalising four times per row cost seconds.

    A unique-constraint clash with a concurrent registration rolls everything back and fails the job.

The admin's import (``residents.resources``) goes through the same planner and writer, its files read by the
same reader.

Pages
    :data:`PAGES`: the upload, dry run, confirm and result pages of ``core.import_views``, with this import's
    wording, summaries, and the template workbook's example row and notes.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext, gettext_lazy, ngettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from core.bulk import bulk_create_with_history, bulk_update_grouped
from core.cells import Cell, IdNumberCell, PhoneCell, TextCell, cell_text
from core.crypto import blind_index
from core.import_views import ImportPages
from core.models import ImportJob
from core.sheets import Column, Plan, Table, register
from core.validators import make_id_number
from organization.access import unit_in_scope
from organization.importing import ScopedSheet, UnitCell, village_cell
from organization.models import UnitKind
from organization.selectors import villages_for_user

from .models import Household, Resident, ResidentSource, ResidentTag
from .services import CANNOT_ADD_HERE, _check_grid, registration_refused
from .signals import registry_bulk_written

LOOKUP_BATCH = 2000


# --- cells -----------------------------------------------------------------------------------------------


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


class TagsCell(Cell):
    """Tags as a list of codes or labels (``老年人、学生`` or ``elderly, student``)."""

    _lookup = None

    def clean(self, value):
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


def grid_cell() -> UnitCell:
    return UnitCell(UnitKind.GRID, unknown_message=_("Unknown grid code “%(code)s”."))


# --- the plan --------------------------------------------------------------------------------------------


@dataclass
class ResidentImportPlan(Plan):
    """What an import would do: built by :meth:`ResidentSheet.plan`, written by :func:`write_plan`."""

    new_residents: list[Resident] = field(default_factory=list)
    updated_residents: list[Resident] = field(default_factory=list)
    new_households: list[Household] = field(default_factory=list)
    updated_households: list[Household] = field(default_factory=list)
    #: (row number, resident, is new), in file order, for the admin's result table.
    rows: list[tuple[int, Resident, bool]] = field(default_factory=list)
    #: id(instance) -> fields changed on an existing resident or household, for bulk_update.
    changed_fields: dict[int, set[str]] = field(default_factory=dict)

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


def set_normalized_id_number(resident: Resident, normalized: str, key: str) -> None:
    """:meth:`Resident.set_id_number` for a value already normalised and hashed by the planner.

    ``set_id_number`` normalises three times (value, birth date, gender); at 10,000 rows that is
    seconds. ``tests/residents/test_import.py`` checks both give the same fields.
    """
    resident.id_number = normalized
    resident.id_number_hash = key
    resident.birth_date = datetime.date(int(normalized[6:10]), int(normalized[10:12]), int(normalized[12:14]))
    resident.gender = "male" if int(normalized[16]) % 2 else "female"


# --- the sheet -------------------------------------------------------------------------------------------


@register
class ResidentSheet(ScopedSheet):
    kind = "residents"
    label = _("Residents and households")
    capability = "residents.import"
    refused = _("You may no longer import residents.")
    clash_message = _("Someone registered some of these people while the import ran. Nothing was imported; try again.")
    columns = {
        "name": Column(
            pgettext_lazy("person", "Name"), TextCell(max_length=50, required_message=_("Enter a name.")), True
        ),
        "id_number": Column(_("ID number"), IdNumberCell(), True, text=True, wide=True),
        "phone": Column(_("Phone"), PhoneCell(), text=True),
        "village": Column(_("Village code"), village_cell(), True, text=True),
        "grid": Column(_("Grid code"), grid_cell(), text=True),
        "address": Column(_("Address"), TextCell(max_length=200), wide=True),
        "household_contact_phone": Column(_("Household contact phone"), PhoneCell(), text=True),
        "relation": Column(_("Relation"), TextCell(max_length=20)),
        "tags": Column(_("Tags"), TagsCell()),
    }

    def plan(self, table: Table, columns: dict[int, str], *, progress=None) -> ResidentImportPlan:
        """Check every row and decide what to write, without writing anything."""
        plan = ResidentImportPlan(total_rows=len(table.rows))
        present = set(columns.values())
        found: list[tuple[int, str, str]] = []  # (row, column name, message)

        # Pass 1: every cell through its cell (the shared validators).
        cleaned_rows = []
        for row in self.rows(table, columns, progress):
            found.extend((row.number, name, message) for name, message in row.errors.items())
            if not row.errors:
                row.values["key"] = blind_index(row.values["id_number"], purpose="id_number")
                cleaned_rows.append((row.number, row.values))

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
        order = {name: position for position, name in enumerate(self.columns)}
        found.sort(key=lambda problem: (problem[0], order[problem[1]]))
        header_of = {name: self.header(name) for name in self.columns}
        header_of.update({name: str(table.headers[index]) for index, name in columns.items()})
        plan.problems = [
            {"row": number, "column": header_of[name], "message": message} for number, name, message in found
        ]
        if progress is not None:
            progress(len(table.rows))
        return plan

    def _existing_residents(self, keys: list[str]) -> dict[str, Resident]:
        found = {}
        unique = list(dict.fromkeys(keys))
        for start in range(0, len(unique), LOOKUP_BATCH):
            queryset = (
                Resident.objects.filter(id_number_hash__in=unique[start : start + LOOKUP_BATCH])
                .select_related("village")
                .defer("id_number", "phone")  # never decrypted: the hash is the match key
            )
            found.update((resident.id_number_hash, resident) for resident in queryset)
        return found

    def _existing_households(self, keys: list[tuple[int, str]]) -> dict[tuple[int, str], Household]:
        found = {}
        village_ids = sorted({village_id for village_id, _address in keys})
        addresses = list(dict.fromkeys(address for _village_id, address in keys))
        for start in range(0, len(addresses), LOOKUP_BATCH):
            queryset = Household.objects.filter(
                village_id__in=village_ids, address__in=addresses[start : start + LOOKUP_BATCH]
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
            set_normalized_id_number(resident, values["id_number"], key)
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

    def write(self, plan: ResidentImportPlan, table, columns, *, progress) -> None:
        written = [0]

        def advanced(count):
            written[0] += count
            progress(written[0])

        write_plan(plan, user=self.user, progress=advanced)


# --- writing ---------------------------------------------------------------------------------------------


def write_plan(plan: ResidentImportPlan, *, user, progress=None) -> None:
    """Write a checked plan in bulk (``core.bulk``), with history rows, then announce the villages it touched
    (``registry_bulk_written``: the bulk writes bypass the services that keep the counters). Call inside a
    transaction."""
    touched = {row.village_id for row in [*plan.new_households, *plan.updated_households, *plan.new_residents]}
    moved = [resident.pk for resident in plan.updated_residents]
    touched |= {resident.village_id for resident in plan.updated_residents}
    if moved:  # the villages they leave (a resident's village is their household's)
        touched |= set(Resident.objects.filter(pk__in=moved).values_list("village_id", flat=True).distinct())
    reason = gettext("Spreadsheet import")
    bulk_create_with_history(Household, plan.new_households, user=user, reason=reason)
    bulk_update_grouped(Household, plan.updated_households, plan.changed_fields, user=user, reason=reason)
    bulk_create_with_history(Resident, plan.new_residents, user=user, reason=reason, progress=progress)
    bulk_update_grouped(
        Resident, plan.updated_residents, plan.changed_fields, user=user, reason=reason, progress=progress
    )
    registry_bulk_written.send(sender=Resident, village_ids=touched)


# --- importing -------------------------------------------------------------------------------------------


def residents_import(*, data: bytes | Table, user, dry_run: bool, progress=None):
    """Check (and unless ``dry_run``, write) a residents sheet, all or nothing (``user=None``: unscoped)."""
    return ResidentSheet(user).run(data=data, dry_run=dry_run, progress=progress)


# --- the pages (core.import_views) ------------------------------------------------------------------------


def outcome(job: ImportJob) -> dict:
    counts = {
        "counter": job.total_rows,
        "created": job.summary.get("created", ""),
        "updated": job.summary.get("updated", ""),
    }
    ready = ngettext(
        "%(counter)s row ready: %(created)s new, %(updated)s updates.",
        "%(counter)s rows ready: %(created)s new, %(updated)s updates.",
        job.total_rows,
    )
    result = ngettext(
        "Imported %(counter)s row: %(created)s new, %(updated)s updated.",
        "Imported %(counter)s rows: %(created)s new, %(updated)s updated.",
        job.total_rows,
    )
    return {"ready": ready % counts, "result": result % counts, "confirmable": job.can_confirm}


def example(user) -> dict:
    village = villages_for_user(user=user).first()
    grid = village.children.filter(kind=UnitKind.GRID).order_by("code").first() if village else None
    return {
        "name": gettext("Zhang San"),
        "id_number": make_id_number("440605", datetime.date(1956, 3, 14), 123),
        "phone": "13800138000",
        "village": village.code if village else "",
        "grid": grid.code if grid else "",
        "address": gettext("No. 1 Xingfu Road"),
        "household_contact_phone": "0757-81234567",
        "relation": gettext("Head of household"),
        "tags": str(ResidentTag.ELDERLY.label),
    }


def notes(user) -> list:
    return [
        gettext("Fill in one row per resident on the first sheet; replace the example row."),
        gettext("Required columns: %(columns)s. The other columns may be left empty.")
        % {"columns": PAGES.required_headers()},
        gettext("Keep the ID number and phone columns formatted as Text, or Excel will destroy the numbers."),
        gettext("Empty cells do not erase what is already registered."),
        gettext("Village and grid codes are those of the organisation pages."),
        gettext("Tags: %(tags)s, separated by commas.")
        % {"tags": "、".join(str(label) for label in ResidentTag.labels)},
    ]


PAGES = ImportPages(
    sheet=ResidentSheet,
    namespace="residents",
    title=gettext_lazy("Import residents"),
    steps=(
        gettext_lazy("Download the template and fill in one row per resident, with their household's address."),
        gettext_lazy("Upload it: every row is checked first, and nothing is written until you confirm."),
        gettext_lazy("People already registered (matched by ID number) are updated, never duplicated."),
    ),
    confirm_label=gettext_lazy("Confirm import"),
    done=lambda: {"url": reverse("residents:resident_list"), "label": gettext("See the residents")},
    outcome=outcome,
    example=example,
    notes=notes,
    sheet_title=gettext_lazy("Residents"),
    template_filename="residents-template.xlsx",
)
