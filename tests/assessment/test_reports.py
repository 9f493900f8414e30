"""Reports to the county (报送): the Word and Excel files against the dashboard's figures, the submit state
machine, the reminder two days before the due day, and who may open them."""

import datetime
import io
from decimal import Decimal

import docx
import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings

from assessment import dashboard, report_services, reports
from assessment.models import AccountabilityKind, CountyReport, ReportStatus
from audit.models import AuditEvent
from core import periods
from core.workflow import TransitionNotAllowed
from notifications.models import Notification
from organization.models import Role
from tests.factories import TownFactory, UserFactory, VillageFactory, WarningFactory

from .factories import AccountabilityItemFactory, FraudCaseFactory, YearTargetFactory

pytestmark = pytest.mark.django_db

NOVEMBER = periods.parse_period("2026-11")


def at(text):
    return datetime.datetime.fromisoformat(text)


@pytest.fixture
def november(town, village_a, village_b):
    village_a.population, village_b.population = 8000, 12000
    village_a.save()
    village_b.save()
    warning = WarningFactory(village=village_a, pushed_at=at("2026-11-02T09:00+08:00"))
    FraudCaseFactory(village=village_a, reported_at=at("2026-11-10T10:00+08:00"), warning=warning)
    FraudCaseFactory(village=village_a, reported_at=at("2026-11-30T23:50+08:00"), loss_amount=Decimal("250.50"))
    FraudCaseFactory(village=village_b, reported_at=at("2026-11-11T10:00+08:00"), loss_amount=Decimal("30000"))
    FraudCaseFactory(village=village_b, reported_at=at("2025-11-11T10:00+08:00"), loss_amount=Decimal("4000"))
    FraudCaseFactory(village=village_b, reported_at=at("2026-12-01T00:10+08:00"))  # December: not in the report
    item = AccountabilityItemFactory(unit=village_b, kind=AccountabilityKind.SUMMONS, reason="十一月案件高发")
    item.created_at = at("2026-11-20T10:00+08:00")
    item.save()
    YearTargetFactory(unit=town, year=2026)


def _tables(content: bytes):
    document = docx.Document(io.BytesIO(content))
    return document, [[[cell.text for cell in row.cells] for row in table.rows] for table in document.tables]


def test_the_word_report_opens_and_its_tables_match_the_dashboard(leader, town, november):
    data = reports.report_data(user=leader, period=NOVEMBER, town=town)
    document, tables = _tables(reports.docx_bytes(data))
    board = dashboard.dashboard_context(user=leader, period=NOVEMBER)["report"]

    text = "\n".join(p.text for p in document.paragraphs)
    assert data.title in text
    for heading in ("一、", "二、", "三、", "四、", "五、"):
        assert heading in text
    overview, villages = tables[0], tables[1]
    assert overview[1][1] == str(board.total_cases) == "3"
    assert overview[1][2] == "1"  # November 2025
    assert overview[2][1] == f"{board.total_loss:.2f}" == "31250.50"
    assert overview[3][1] == str(board.cases_per_10k)
    assert overview[4][1] == str(board.total_defrauded_after_warning) == "1"
    assert overview[1][4] == "0.8"  # the target: 1 case a year earlier, −20 %
    for row in board.rows:
        found = next(line for line in villages if line[0] == row.unit.name)
        assert found[2] == str(row.cases)
        assert found[3] == f"{row.loss:.2f}"
        assert found[4] == str(row.cases_per_10k)
        assert found[5] == str(row.defrauded_after_warning)
    accountability = tables[-1]  # 四、责任追究: the items opened in the period
    assert len(accountability) == 2
    assert accountability[1][1] == "下柏村" and accountability[1][3] == "十一月案件高发"


def test_the_workbook_has_the_same_tables(leader, town, november):
    data = reports.report_data(user=leader, period=NOVEMBER, town=town)
    workbook = openpyxl.load_workbook(io.BytesIO(reports.xlsx_bytes(data)))
    _document, tables = _tables(reports.docx_bytes(data))
    assert len(workbook.sheetnames) == len(data.tables)
    for sheet, table, word in zip(workbook.worksheets, data.tables, tables, strict=False):
        rows = [[cell if cell is not None else "" for cell in row] for row in sheet.iter_rows(values_only=True)]
        assert rows[0][0] == table.title
        assert rows[1] == table.header
        if table.rows:
            assert rows[2:] == [list(row) for row in table.rows] == word[1:]


def test_a_quarter_and_a_year_use_the_same_generator_with_the_summary_leadership_wrote(leader, town, november):
    quarter = periods.parse_period("2026-Q4")
    report_services.county_report_save(actor=leader, town=town, period=quarter, narrative="一是…\n二是…")
    data = reports.report_data(
        user=leader, period=quarter, town=town, narrative=reports.stored_narrative(town, quarter)
    )
    document, _tables_found = _tables(reports.docx_bytes(data))
    assert reports.report_name(quarter) in data.title
    assert "一是…" in "\n".join(p.text for p in document.paragraphs)
    year = reports.report_data(user=leader, period=periods.parse_period("2026"), town=town)
    assert year.period.kind == "year" and year.report.total_cases == 4  # with December's


def test_the_due_day_follows_the_setting():
    assert reports.due_date(NOVEMBER) == datetime.date(2026, 12, 5)
    assert reports.due_date(periods.parse_period("2026-Q4")) == datetime.date(2027, 1, 5)
    with override_settings(PLAN_RULES={"REPORT_DAY": 31}):
        assert reports.due_date(periods.parse_period("2027-01")) == datetime.date(2027, 2, 28)


# --- Submitting -------------------------------------------------------------------------------------------


def test_leadership_submits_a_draft_and_the_file_is_kept_as_sent(client, leader, town, village_a, november):
    report_services.county_report_save(actor=leader, town=town, period=NOVEMBER, narrative="本月工作")
    report = report_services.county_report_submit(
        actor=leader, town=town, period=NOVEMBER, today=datetime.date(2026, 12, 3)
    )
    assert report.status == ReportStatus.SUBMITTED and report.submitted_by == leader and report.submitted_at
    kept = report.file.read()
    _document, tables = _tables(kept)
    assert tables[0][1][1] == "3"
    assert AuditEvent.objects.filter(event="report_submitted", object_id=str(report.pk), actor=leader).exists()

    FraudCaseFactory(village=village_a, reported_at=at("2026-11-15T10:00+08:00"))
    client.force_login(leader)
    response = client.get("/assessment/reports/2026-11.docx")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == kept  # as sent, not the data of now


def test_a_submitted_report_cannot_be_submitted_or_edited_again(leader, town, november):
    report_services.county_report_submit(actor=leader, town=town, period=NOVEMBER)
    with pytest.raises(TransitionNotAllowed):
        report_services.county_report_submit(actor=leader, town=town, period=NOVEMBER)
    with pytest.raises(TransitionNotAllowed):
        report_services.county_report_save(actor=leader, town=town, period=NOVEMBER, narrative="改")
    assert CountyReport.objects.get().narrative == ""


def test_a_period_not_ended_cannot_be_submitted(leader, town):
    with pytest.raises(ValidationError):
        report_services.county_report_submit(
            actor=leader, town=town, period=NOVEMBER, today=datetime.date(2026, 11, 30)
        )
    assert not CountyReport.objects.exists()


def test_the_pages_show_the_status_and_submit_by_post(client, leader, town, november):
    client.force_login(leader)
    listing = client.get("/assessment/reports/").content.decode()
    assert "2026-11" in listing or "11" in listing
    assert client.get("/assessment/reports/2026-11/").status_code == 200
    assert client.get("/assessment/reports/2026-11/submit/").status_code == 405
    response = client.post("/assessment/reports/2026-11/submit/")
    assert response.status_code == 302
    assert CountyReport.objects.get(period_key="2026-11").status == ReportStatus.SUBMITTED
    xlsx = client.get("/assessment/reports/2026-11.xlsx")
    assert xlsx.status_code == 200 and xlsx["Content-Type"].endswith("spreadsheetml.sheet")
    assert client.get("/assessment/reports/2099-01/").status_code == 404  # not begun


# --- The reminder ----------------------------------------------------------------------------------------


def test_leadership_is_reminded_once_two_days_before_the_due_day(leader, town, grid_a):
    assert report_services.county_report_reminders(today=datetime.date(2026, 12, 2)) == 0
    assert report_services.county_report_reminders(today=datetime.date(2026, 12, 3)) == 1
    assert report_services.county_report_reminders(today=datetime.date(2026, 12, 3)) == 0
    assert report_services.county_report_reminders(today=datetime.date(2026, 12, 4)) == 0
    assert report_services.county_report_reminders(today=datetime.date(2026, 12, 6)) == 0
    note = Notification.objects.get()
    assert note.recipient == leader and note.url == "/assessment/reports/2026-11/"


def test_no_reminder_once_submitted_and_each_town_its_own(leader, town, november):
    other = TownFactory(code="T9", name="乙镇")
    VillageFactory(code="T9V", parent=other)
    other_leader = UserFactory(username="leader9", unit=other, roles=[Role.LEADERSHIP_LEADER])
    report_services.county_report_submit(actor=leader, town=town, period=NOVEMBER)
    assert report_services.county_report_reminders(today=datetime.date(2026, 12, 3)) == 1
    assert Notification.objects.get().recipient == other_leader


def test_a_due_day_early_in_the_month_reminds_at_the_end_of_the_one_before(leader, town):
    with override_settings(PLAN_RULES={"REPORT_DAY": 1}):
        assert report_services.county_report_reminders(today=datetime.date(2026, 11, 29)) == 1
        assert "2026-11" in Notification.objects.get().url


def test_the_beat_task_runs_the_scan(leader, town, travel_to):
    from assessment import tasks

    travel_to(datetime.date(2026, 12, 3))
    assert tasks.report_reminders() == 1


# --- Scope -----------------------------------------------------------------------------------------------

URLS = [
    "/assessment/reports/",
    "/assessment/reports/2026-11/",
    "/assessment/reports/2026-11.docx",
    "/assessment/reports/2026-11.xlsx",
    "/assessment/reports/2026-Q3.docx",
    "/assessment/targets/",
]


@pytest.mark.parametrize("url", URLS)
def test_only_leadership_opens_the_reports(client, leader, grid_a, head_a, police, school, department_staff, url):
    client.force_login(leader)
    assert client.get(url).status_code == 200
    for user in (grid_a, head_a, police, school, department_staff):
        client.force_login(user)
        assert client.get(url).status_code == 404


def test_no_one_else_submits(client, head_a, police, town):
    for user in (head_a, police):
        client.force_login(user)
        assert client.post("/assessment/reports/2026-11/submit/").status_code == 404
    assert not CountyReport.objects.exists()


def test_another_towns_leader_sees_only_their_own_town(leader, town, november):
    other = TownFactory(code="T9", name="乙镇")
    other_leader = UserFactory(username="leader9", unit=other, roles=[Role.LEADERSHIP_LEADER])
    report_services.county_report_submit(actor=leader, town=town, period=NOVEMBER)
    assert reports.town_for(other_leader) == other
    data = reports.report_data(user=other_leader, period=NOVEMBER, town=other)
    assert data.report.total_cases == 0
    assert report_services.county_report_for(town=other, period=NOVEMBER) is None
