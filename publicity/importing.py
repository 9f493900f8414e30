"""The finance staff roster from Excel (财务人员名册导入, 三(七)): one row per finance staff member.

Columns ``姓名``, ``村居或单位`` (the village's or unit's name, or its code), ``手机号`` (required) and ``职务``.
Headers are matched in every configured language and the usual Chinese spellings (:data:`COLUMNS`' aliases). The
unit is looked up among the villages and units whose staff the finance and audit centre lists
(:func:`publicity.finance.roster_units`, its town): a unit of another town is "unknown", the same answer as one
that does not exist. The mobile goes through the shared phone validator and must be a mobile (a text message
cannot reach a landline).

A staff member is found by (unit, mobile's keyed hash): a known one is updated (name, position, active again), a
new one is added; the same mobile twice in the sheet, or already on the roster for another unit, is refused on
its row. Importing the same file again changes nothing and duplicates nobody.

Reading, cells, dry run and all or nothing are ``core.sheets``'; writing is ``core.bulk``'s (history rows
included; the mobile, encrypted, is kept out of history). Jobs run through ``core.imports`` (kind
``finance_staff``, :class:`FinanceStaffSheet`); :data:`PAGES` are its pages (``core.import_views``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.urls import reverse
from django.utils.translation import gettext, gettext_lazy, ngettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from audit.services import audit_event_record
from core.bulk import bulk_create_with_history, bulk_update_grouped
from core.cells import Cell, PhoneCell, TextCell, cell_text, spelling_key
from core.crypto import blind_index
from core.import_views import ImportPages
from core.models import ImportJob
from core.sheets import Column, ImportRollback, Plan, Table, file_error, register
from organization.access import can
from organization.actors import is_admin
from organization.importing import ScopedSheet
from organization.models import Unit

from .finance import finance_unit, roster_units
from .models import FinanceStaff

CAPABILITY = "publicity.log"
LANDLINE_MESSAGE = _("Enter a mobile number: a text message cannot reach a landline.")


class MobileCell(PhoneCell):
    """A required mobile number: the shared phone validator, then 11 digits (an SMS cannot reach a landline)."""

    def clean(self, value):
        number = super().clean(value)
        if not number:
            raise ValueError(gettext("Enter the mobile number."))
        if not (len(number) == 11 and number.isdigit()):
            raise ValueError(str(LANDLINE_MESSAGE))
        return number


class RosterUnitCell(Cell):
    """A village or unit of the finance centre's roster, by its name or its code (one query per sheet).

    Only the units :func:`~publicity.finance.roster_units` lists for the importing user's centre are found; a
    name two units share must be given as a code."""

    def bound(self, user) -> RosterUnitCell:
        cell = super().bound(user)
        cell._lookup = None
        return cell

    def _units(self) -> dict[str, Unit | None]:
        if self._lookup is None:
            keeper = finance_unit(self.user) if self.user is not None else None
            units = list(roster_units(keeper)) if keeper is not None else []
            lookup: dict[str, Unit | None] = {}
            for unit in units:
                key = spelling_key(unit.name)
                lookup[key] = None if key in lookup and lookup[key] != unit else unit  # None: a name two units share
            for unit in units:
                lookup[spelling_key(unit.code)] = unit
            self._lookup = lookup
        return self._lookup

    def preload(self, texts: Iterable[str]) -> None:
        self._units()

    def clean(self, value):
        text = cell_text(value)
        if not text:
            raise ValueError(gettext("Enter the village or unit (its name or code)."))
        units = self._units()
        key = spelling_key(text)
        if key in units and units[key] is None:
            raise ValueError(
                gettext("Several units are named “%(value)s”: enter the unit's code instead.") % {"value": text}
            )
        unit = units.get(key)
        if unit is None:
            raise ValueError(gettext("Unknown village or unit “%(value)s” (enter its name or code).") % {"value": text})
        return unit


COLUMNS: dict[str, Column] = {
    "name": Column(
        pgettext_lazy("person", "Name"),
        TextCell(max_length=50, required_message=_("Enter a name.")),
        True,
        ("姓名", "财务人员", "财务人员姓名"),
    ),
    "unit": Column(
        _("Village or unit"),
        RosterUnitCell(),
        True,
        ("村居或单位", "村居/单位", "单位", "村居", "所在单位", "单位名称", "村居名称", "单位编码", "村居编码"),
        wide=True,
    ),
    "mobile": Column(
        _("Mobile number"), MobileCell(), True, ("手机号", "手机号码", "手机", "联系电话"), text=True, wide=True
    ),
    "position": Column(_("Position"), TextCell(max_length=50), False, ("职务", "岗位")),
}


@dataclass
class FinanceStaffImportPlan(Plan):
    keeper: Unit | None = None
    new: list[FinanceStaff] = field(default_factory=list)
    updated: list[FinanceStaff] = field(default_factory=list)
    unchanged: int = 0
    #: id(staff) -> the fields a row changes on a known staff member (core.bulk.bulk_update_grouped)
    changed_fields: dict[int, set[str]] = field(default_factory=dict)

    def summary(self) -> dict:
        return {"created": len(self.new), "updated": len(self.updated), "unchanged": self.unchanged}


@register
class FinanceStaffSheet(ScopedSheet):
    kind = "finance_staff"
    label = _("Finance staff")
    capability = CAPABILITY
    refused = _("Only the finance and audit centre keeps the finance staff roster.")
    clash_message = _("Someone changed the roster while the import ran. Nothing was imported; try again.")
    columns = COLUMNS

    def permitted(self, user) -> bool:
        """The finance and audit centre's staff (and administrators) import its roster."""
        return can(user, self.capability) and (finance_unit(user) is not None or is_admin(user))

    def plan(self, table: Table, columns: dict[int, str], *, progress: Callable | None = None):
        """Check every row; a few queries whatever the number of rows."""
        keeper = finance_unit(self.user)
        plan = FinanceStaffImportPlan(total_rows=len(table.rows), keeper=keeper)
        if keeper is None:
            plan.problems.append(file_error(self.refused))
            return plan

        def problem(number: int, name: str, message) -> None:
            entry = self.problem(table, columns, number, name, message)
            entry["column"] = entry["column"] or self.header(name)
            plan.problems.append(entry)

        rows, first_row = [], {}
        for row in self.rows(table, columns, progress):
            for name, message in row.errors.items():
                problem(row.number, name, message)
            mobile = row.values.get("mobile")
            if mobile and mobile in first_row:
                message = gettext("This mobile number is already on row %(row)d.") % {"row": first_row[mobile]}
                problem(row.number, "mobile", message)
                continue
            if mobile:
                first_row[mobile] = row.number
            if not row.errors:
                row.values["hash"] = blind_index(mobile, purpose="phone")
                rows.append((row.number, row.values))
        on_roster = {
            staff.mobile_hash: staff
            for staff in FinanceStaff.objects.filter(keeper=keeper, mobile_hash__in=[v["hash"] for _n, v in rows])
            .select_related("unit")
            .defer("mobile")
        }
        for number, values in rows:
            staff = on_roster.get(values["hash"])
            if staff is not None and staff.unit_id != values["unit"].pk:
                message = gettext(
                    "This mobile number is on the roster for %(unit)s: correct that entry on the roster page first."
                ) % {"unit": staff.unit.name}
                problem(number, "mobile", message)
            elif staff is None:
                new = FinanceStaff(keeper=keeper, unit=values["unit"], name=values["name"])
                new.position = values.get("position", "")
                new.mobile, new.mobile_hash = values["mobile"], values["hash"]
                plan.new.append(new)
            else:
                changes = {"name": values["name"], "is_active": True}
                if "position" in values:
                    changes["position"] = values["position"]
                changed = {name for name, value in changes.items() if getattr(staff, name) != value}
                if changed:
                    for name in changed:
                        setattr(staff, name, changes[name])
                    plan.changed_fields[id(staff)] = changed
                    plan.updated.append(staff)
                else:
                    plan.unchanged += 1
        plan.problems.sort(key=lambda entry: entry["row"] or 0)
        return plan

    def write(self, plan: FinanceStaffImportPlan, table: Table, columns: dict[int, str], *, progress) -> None:
        if plan.keeper is None:
            raise ImportRollback([file_error(self.refused)])
        written = [0]

        def advanced(count):
            written[0] += count
            progress(written[0])

        reason = gettext("Spreadsheet import")
        bulk_create_with_history(FinanceStaff, plan.new, user=self.user, reason=reason, progress=advanced)
        bulk_update_grouped(
            FinanceStaff, plan.updated, plan.changed_fields, user=self.user, reason=reason, progress=advanced
        )
        audit_event_record(
            actor=self.user,
            subject=plan.keeper,
            event="finance_staff_import",
            new=f"+{len(plan.new)} ~{len(plan.updated)}",
        )


def finance_staff_import(*, data: bytes | Table, user, dry_run: bool, progress=None):
    """Check (and unless ``dry_run``, write) a finance staff roster, all or nothing."""
    return FinanceStaffSheet(user).run(data=data, dry_run=dry_run, progress=progress)


# --- the pages (core.import_views) ------------------------------------------------------------------------


def outcome(job: ImportJob) -> dict:
    created, updated = job.summary.get("created", 0), job.summary.get("updated", 0)
    unchanged = job.summary.get("unchanged", 0)
    counts = {"created": created, "updated": updated, "unchanged": unchanged}
    ready = ngettext(
        "%(created)s new finance staff member ready to add; %(updated)s to update, %(unchanged)s unchanged.",
        "%(created)s new finance staff members ready to add; %(updated)s to update, %(unchanged)s unchanged.",
        created,
    )
    result = ngettext(
        "%(created)s finance staff member added; %(updated)s updated, %(unchanged)s unchanged.",
        "%(created)s finance staff members added; %(updated)s updated, %(unchanged)s unchanged.",
        created,
    )
    confirmable = job.can_confirm and bool(created or updated)
    return {"ready": ready % counts, "result": result % counts, "confirmable": confirmable}


def example(user) -> dict:
    keeper = finance_unit(user)
    unit = roster_units(keeper).first() if keeper is not None else None
    return {
        "name": gettext("Zhang San"),
        "unit": unit.name if unit else "",
        "mobile": "13800138000",
        "position": gettext("Accountant"),
    }


def notes(user) -> list:
    return [
        gettext("One row per finance staff member; replace the example row."),
        gettext("Required columns: %(columns)s. The other columns may be left empty.")
        % {"columns": PAGES.required_headers()},
        gettext("Keep the mobile number column formatted as Text, or Excel will destroy the numbers."),
        gettext("The village or unit: its name or its code, as on the organisation pages."),
        gettext(
            "Someone already on the roster (same unit and mobile number) is updated and made active again, "
            "never added twice."
        ),
    ]


PAGES = ImportPages(
    sheet=FinanceStaffSheet,
    namespace="publicity",
    title=gettext_lazy("Import the finance staff roster"),
    steps=(
        gettext_lazy("Fill in the template, or upload a roster with the same column headers."),
        gettext_lazy("Every row is checked first, and nothing is written until you confirm."),
        gettext_lazy("Staff already on the roster (same unit and mobile number) are updated, never duplicated."),
    ),
    confirm_label=gettext_lazy("Import these finance staff"),
    done=lambda: {"url": reverse("publicity:finance_roster"), "label": gettext("See the roster")},
    outcome=outcome,
    example=example,
    notes=notes,
    sheet_title=gettext_lazy("Finance staff"),
    template_filename="finance-staff-template.xlsx",
    parents=(("publicity:finance_roster", gettext_lazy("Finance staff roster")),),
)
