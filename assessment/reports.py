"""Reports to the county (报送): the monthly report (月报), the quarter's (阶段总结) and the year's (年度总结).

One generator for every period: :func:`report_data` gathers the figures the dashboard already computes (the
indicator report of :mod:`assessment.indicators`, the same period a year earlier, the year's target of
:mod:`assessment.targets`, the schools' compliance and the departments' publicity of :mod:`assessment.dashboard`,
the accountability items opened in the period) and lays them out as :class:`Table` rows; :func:`docx_bytes` writes
them as a Word document in a town's usual layout (title, 一、二、三 sections, tables, the free-text summary
leadership writes) and :func:`xlsx_bytes` as a workbook with the same tables, one sheet each.

The report is generated in the site's language (Chinese) whoever asks, and always for the town the user sees.
"""

from __future__ import annotations

import datetime
import io
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from core import periods
from core.rules import rule
from organization.access import units_visible_to
from organization.models import Unit, UnitKind

from . import dashboard, indicators, selectors, targets
from .models import AccountabilityStatus, CountyReport

NUMERALS = "一二三四五六七八九十"


def town_for(user) -> Unit | None:
    """The town whose reports ``user`` sees: their own (an administrator: the first town)."""
    unit = getattr(user, "unit", None)
    if unit is not None:
        town = unit.ancestor(UnitKind.TOWN) or (unit if unit.kind == UnitKind.TOWN else None)
        if town is not None and units_visible_to(user).filter(pk=town.pk).exists():
            return town
    return units_visible_to(user).filter(kind=UnitKind.TOWN, is_active=True).order_by("path").first()


def due_date(period: periods.Period) -> datetime.date:
    """The day the report of ``period`` is due: ``REPORT_DAY`` of the month after it (clamped to that month)."""
    following = period.end_day
    last = (periods.month(following).end_day - datetime.timedelta(days=1)).day
    return following.replace(day=min(max(rule("REPORT_DAY"), 1), last))


def period_label(period: periods.Period) -> str:
    year = period.first_day.year
    if period.kind == "month":
        return _("%(year)s, month %(month)s") % {"year": year, "month": period.first_day.month}
    if period.kind == "quarter":
        return _("%(year)s, quarter %(quarter)s") % {"year": year, "quarter": (period.first_day.month - 1) // 3 + 1}
    return _("year %(year)s") % {"year": year}


def report_name(period: periods.Period) -> str:
    """月报 / 阶段总结 / 年度总结."""
    if period.kind == "month":
        return _("Monthly report")
    if period.kind == "quarter":
        return _("Stage summary")
    return _("Annual summary")


def _percent(value) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def _number(value) -> str:
    return "—" if value is None else str(value)


def _change(value: Decimal | None) -> str:
    return "—" if value is None else f"{value:+.1f}%"


@dataclass
class Table:
    title: str
    header: list[str]
    rows: list[list[str]] = field(default_factory=list)


@dataclass
class Section:
    heading: str
    text: str = ""
    tables: list[Table] = field(default_factory=list)


@dataclass
class ReportData:
    town: Unit
    period: periods.Period
    title: str
    generated_at: datetime.datetime
    sections: list[Section]
    report: indicators.IndicatorReport
    previous: indicators.IndicatorReport
    target: targets.TargetProgress
    narrative: str = ""

    @property
    def tables(self) -> list[Table]:
        return [table for section in self.sections for table in section.tables]


def _overview(report, previous, target: targets.TargetProgress) -> Table:
    period = target.period
    rows = [
        [
            pgettext("fraud cases", "Cases"),
            str(report.total_cases),
            str(previous.total_cases),
            _change(targets.change_percent(report.total_cases, previous.total_cases)),
            _number(period.cases_target),
        ],
        [
            _("Loss (¥)"),
            f"{report.total_loss:.2f}",
            f"{previous.total_loss:.2f}",
            _change(targets.change_percent(report.total_loss, previous.total_loss)),
            _number(period.loss_target),
        ],
        [
            _("Cases per 10,000"),
            _number(report.cases_per_10k),
            _number(previous.cases_per_10k),
            "—",
            "—",
        ],
        [
            _("Defrauded after warning"),
            str(report.total_defrauded_after_warning),
            str(previous.total_defrauded_after_warning),
            _change(
                targets.change_percent(report.total_defrauded_after_warning, previous.total_defrauded_after_warning)
            ),
            "—",
        ],
    ]
    header = [_("Indicator"), _("This period"), _("Same period last year"), _("Change"), _("Target")]
    return Table(_("Cases and losses"), header, rows)


def _villages(report) -> Table:
    header = [
        _("Village"),
        _("Population"),
        pgettext("fraud cases", "Cases"),
        _("Loss (¥)"),
        _("Cases per 10,000"),
        _("Defrauded after warning"),
        _("Door-visit coverage"),
        _("On-time follow-up"),
        _("Dissuasion rate"),
        _("Score"),
    ]
    rows = [
        [
            row.unit.name,
            _number(row.population),
            str(row.cases),
            f"{row.loss:.2f}",
            _number(row.cases_per_10k),
            str(row.defrauded_after_warning),
            _percent(row.coverage_rate),
            _percent(row.on_time_rate),
            _percent(row.dissuasion_rate),
            _number(row.score),
        ]
        for row in sorted(report.rows, key=lambda r: r.unit.code)
    ]
    rows.append(
        [
            _("Total"),
            str(report.total_population),
            str(report.total_cases),
            f"{report.total_loss:.2f}",
            _number(report.cases_per_10k),
            str(report.total_defrauded_after_warning),
            _percent(report.coverage_rate),
            _percent(report.on_time_rate),
            _percent(report.dissuasion_rate),
            "—",
        ]
    )
    return Table(_("Villages"), header, rows)


def _warnings(user, report, period: periods.Period) -> Table:
    from warnings_followup.models import WarningOrder

    pushed = WarningOrder.objects.for_user(user).filter(pushed_at__gte=period.start, pushed_at__lt=period.end).count()
    due, on_time = sum(r.due for r in report.rows), sum(r.on_time for r in report.rows)
    decided, dissuaded = sum(r.decided for r in report.rows), sum(r.dissuaded for r in report.rows)
    header = [
        _("Warnings pushed"),
        _("Decided"),
        _("Dissuaded"),
        _("Dissuasion rate"),
        _("Follow-up visits due"),
        _("On time"),
        _("On-time follow-up"),
    ]
    row = [
        str(pushed),
        str(decided),
        str(dissuaded),
        _percent(report.dissuasion_rate),
        str(due),
        str(on_time),
        _percent(report.on_time_rate),
    ]
    return Table(_("Warnings and dissuasion"), header, [row])


def _coverage(report) -> Table:
    households = sum(r.households or 0 for r in report.rows)
    visited = sum(r.households_visited or 0 for r in report.rows)
    header = [_("Households"), _("Households visited"), _("Door-visit coverage")]
    return Table(_("Door-knocking"), header, [[str(households), str(visited), _percent(report.coverage_rate)]])


def _requirement(requirement) -> str:
    if requirement is None:
        return "—"
    if not requirement.applies:
        return _("not required")
    return f"{requirement.done}/{requirement.required}"


def _schools(user, period: periods.Period, today: datetime.date) -> Table:
    header = [_("School"), _("Staff sessions"), _("Micro-classes"), _("Return slips"), _("Status")]
    rows = []
    for school in dashboard.school_compliance(user=user, today=min(period.last_day, today)):
        rows.append(
            [
                school.school.name,
                _requirement(school.staff_sessions),
                _requirement(school.micro_classes),
                "—" if school.slip_percent is None else f"{school.slip_percent}%",
                _("Behind") if school.at_risk else _("On track"),
            ]
        )
    return Table(_("Schools"), header, rows)


def _departments(user, period: periods.Period) -> Table:
    header = [_("Unit"), _("Done"), _("Required"), _("Completion")]
    rows = [
        [row.unit.name, str(row.done), str(row.required), _percent(row.completion)]
        for row in dashboard.department_rows(user=user, period=period)
    ]
    return Table(_("Publicity done against required"), header, rows)


def _accountability(user, period: periods.Period) -> tuple[Table, dict]:
    items = selectors.accountability_for(user).filter(created_at__gte=period.start, created_at__lt=period.end)
    counts = items.aggregate(total=Count("pk"), open=Count("pk", filter=Q(status=AccountabilityStatus.OPEN)))
    header = [_("Date"), _("Unit"), _("Kind"), _("Reason"), _("Status")]
    rows = [
        [
            f"{timezone.localtime(item.created_at):%Y-%m-%d}",
            item.unit.name,
            item.get_kind_display(),
            item.reason,
            item.get_status_display(),
        ]
        for item in items.order_by("created_at", "pk")
    ]
    return Table(_("Accountability items"), header, rows), counts


def _heading(index: int, text: str) -> str:
    return f"{NUMERALS[index]}、{text}"


def report_data(*, user, period: periods.Period, town: Unit, narrative: str = "") -> ReportData:
    """Everything the report of ``period`` shows, in the site's language, for what ``user`` sees."""
    today = timezone.localdate()
    with translation.override(settings.LANGUAGE_CODE):
        report = indicators.indicator_report(user=user, period=period, today=today)
        previous = indicators.indicator_report(user=user, period=targets.year_earlier(period), today=today)
        target = targets.progress(user=user, period=period, today=today)
        items, counts = _accountability(user, period)
        goal = target.target
        if goal is not None:
            target_text = _(
                "The year's target: cases %(cases)s%%, losses %(loss)s%% against the year before. "
                "Months that missed it: %(months)s."
            ) % {
                "cases": f"{goal.cases_change:+}",
                "loss": f"{goal.loss_change:+}",
                "months": "、".join(month.key for month in target.missed_months) or _("none"),
            }
        else:
            target_text = _("No target is set for the year.")
        overview_text = _(
            "In %(period)s the town registered %(cases)s fraud cases with losses of ¥%(loss)s "
            "(%(per_10k)s per 10,000 people); %(after)s victims had been warned before."
        ) % {
            "period": period_label(period),
            "cases": report.total_cases,
            "loss": f"{report.total_loss:.2f}",
            "per_10k": _number(report.cases_per_10k),
            "after": report.total_defrauded_after_warning,
        }
        names = [
            _("Overall situation"),
            _("Warnings and dissuasion"),
            _("Publicity"),
            _("Accountability"),
            _("Work summary"),
        ]
        sections = [
            Section(_heading(0, names[0]), f"{overview_text} {target_text}", [_overview(report, previous, target)]),
            Section("", "", [_villages(report)]),
            Section(_heading(1, names[1]), "", [_warnings(user, report, period)]),
            Section(
                _heading(2, names[2]),
                "",
                [_coverage(report), _schools(user, period, today), _departments(user, period)],
            ),
            Section(
                _heading(3, names[3]),
                _("%(total)s items opened in the period, %(open)s still open.") % counts,
                [items],
            ),
            Section(_heading(4, names[4]), narrative or "", []),
        ]
        title = _("%(town)s: preventing telecom and online fraud, %(name)s (%(period)s)") % {
            "town": town.name,
            "name": report_name(period),
            "period": period_label(period),
        }
    return ReportData(
        town=town,
        period=period,
        title=title,
        generated_at=timezone.now(),
        sections=sections,
        report=report,
        previous=previous,
        target=target,
        narrative=narrative,
    )


def stored_narrative(town: Unit, period: periods.Period) -> str:
    return (
        CountyReport.objects.filter(unit=town, period_key=period.key).values_list("narrative", flat=True).first() or ""
    )


# --- Word --------------------------------------------------------------------------------------------------


def _font(run, size=None, bold=False, name="仿宋"):
    from docx.oxml.ns import qn
    from docx.shared import Pt

    run.font.name = name
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), name)
    if size:
        run.font.size = Pt(size)
    run.bold = bold


def docx_bytes(data: ReportData) -> bytes:
    """The report as a Word document: title, date line, the numbered sections with their tables."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    document = Document()
    with translation.override(settings.LANGUAGE_CODE):
        title = document.add_paragraph()
        title.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _font(title.add_run(data.title), size=18, bold=True, name="宋体")
        line = document.add_paragraph()
        line.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _font(
            line.add_run(
                _("%(town)s · generated %(date)s")
                % {"town": data.town.name, "date": f"{timezone.localtime(data.generated_at):%Y-%m-%d}"}
            ),
            size=12,
        )
        for section in data.sections:
            if section.heading:
                _font(document.add_paragraph().add_run(section.heading), size=14, bold=True, name="黑体")
            for paragraph in filter(None, (section.text or "").split("\n")):
                _font(document.add_paragraph().add_run(paragraph), size=12)
            for table in section.tables:
                _font(document.add_paragraph().add_run(table.title), size=12, bold=True)
                grid = document.add_table(rows=1 + max(len(table.rows), 1), cols=len(table.header))
                grid.style = "Table Grid"
                for index, text in enumerate(table.header):
                    cell = grid.rows[0].cells[index]
                    cell.text = ""
                    _font(cell.paragraphs[0].add_run(text), size=10.5, bold=True)
                if not table.rows:
                    grid.rows[1].cells[0].text = _("None.")
                for row_index, row in enumerate(table.rows, start=1):
                    for index, text in enumerate(row):
                        grid.rows[row_index].cells[index].text = ""
                        _font(grid.rows[row_index].cells[index].paragraphs[0].add_run(text), size=10.5)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


# --- Excel -------------------------------------------------------------------------------------------------


def xlsx_bytes(data: ReportData) -> bytes:
    """The same tables as the Word document, one sheet each (the sheet's first row: the table's title)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    workbook.remove(workbook.active)
    used: set[str] = set()
    for number, table in enumerate(data.tables, start=1):
        name = f"{number} {table.title}"[:31]
        while name in used:
            name = name[:28] + f"~{number}"
        used.add(name)
        sheet = workbook.create_sheet(name)
        sheet.append([table.title])
        sheet["A1"].font = Font(bold=True)
        sheet.append(table.header)
        for cell in sheet[2]:
            cell.font = Font(bold=True)
        for row in table.rows:
            sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
