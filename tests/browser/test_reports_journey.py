"""报送: the leader opens the reports page, downloads last month's report as Word and marks it submitted."""

import io
from pathlib import Path

import docx
import pytest
from django.utils import timezone
from playwright.sync_api import expect

from assessment.models import CountyReport, ReportStatus
from core import periods
from organization.models import User
from tests.browser.conftest import login

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 900}


def test_the_leader_downloads_last_months_report_and_marks_it_submitted(live_server, demo_town, make_page):
    month = periods.current_month(timezone.localdate()).previous()
    page = make_page(viewport=DESKTOP)
    login(page, live_server, "leader")
    page.goto(f"{live_server.url}/assessment/reports/")
    page.get_by_test_id(f"report-{month.key}").get_by_role("link").first.click()
    expect(page.get_by_test_id("report-status")).to_be_visible()

    with page.expect_download() as download:
        page.get_by_test_id("report-docx").click()
    document = docx.Document(io.BytesIO(Path(download.value.path()).read_bytes()))
    assert document.tables and "一、" in "\n".join(p.text for p in document.paragraphs)

    page.get_by_test_id("report-submit").click()
    expect(page.get_by_test_id("report-status")).to_have_class("badge text-bg-success")
    report = CountyReport.objects.get(period_key=month.key)
    assert report.status == ReportStatus.SUBMITTED
    assert report.submitted_by == User.objects.get(username="leader")
    assert docx.Document(report.file.open("rb")).tables
