"""The finance staff roster from a spreadsheet (财务人员名册导入, 三(七)).

The finance and audit centre uploads its roster (Chinese headers): every row is checked first (the mobile through
the shared validator, the unit by its name or code among the town's villages and units), nothing is written until
every row is right, and importing the roster again updates the people already on it (same unit and mobile) without
adding anyone twice. The pages are the project's one import (upload, dry run with progress, confirm, template).
"""

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils.translation import gettext

from audit.models import AuditEvent
from core.models import ImportJob
from publicity.importing import LANDLINE_MESSAGE, PAGES, finance_staff_import
from publicity.models import FinanceStaff
from tests import factories

from .factories import FinanceStaffFactory

pytestmark = pytest.mark.django_db

HEADERS = ["姓名", "村居或单位", "手机号", "职务"]


def workbook(rows, headers=HEADERS) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def roster_sheet(village_a, village_b, economic_office):
    return workbook(
        [
            ["黄会计", "联和村", "139 0000 1111", "会计"],
            ["林出纳", "VA", "13900002222", "出纳"],  # by code
            ["陈会计", "下柏村", "13900003333", ""],
            ["周会计", economic_office.name, "13900004444", "会计"],
        ]
    )


def test_the_centre_imports_its_roster_checked_first_then_written(
    caishen, finance_centre, village_a, village_b, economic_office, roster_sheet
):
    checked = finance_staff_import(data=roster_sheet, user=caishen, dry_run=True)
    assert checked.ok and checked.summary == {"created": 4, "updated": 0, "unchanged": 0}
    assert not FinanceStaff.objects.exists()

    written = finance_staff_import(data=roster_sheet, user=caishen, dry_run=False)
    assert written.ok and written.summary["created"] == 4
    huang = FinanceStaff.objects.get(name="黄会计")
    assert (huang.keeper, huang.unit, huang.position) == (finance_centre, village_a, "会计")
    assert huang.mobile == "13900001111"
    assert huang.mobile_hash and huang.masked_mobile == "139****1111"
    assert FinanceStaff.objects.get(name="林出纳").unit == village_a
    assert FinanceStaff.objects.get(name="周会计").unit == economic_office
    assert huang.history.count() == 1  # history rows written with the bulk insert (the mobile is not in them)
    assert AuditEvent.objects.filter(event="finance_staff_import").count() == 1


def test_importing_the_roster_again_updates_and_never_duplicates(caishen, finance_centre, village_a, roster_sheet):
    moved_on = FinanceStaffFactory(
        keeper=finance_centre, unit=village_a, name="黄会", position="", mobile="13900001111", is_active=False
    )
    first = finance_staff_import(data=roster_sheet, user=caishen, dry_run=False)
    assert first.ok and first.summary == {"created": 3, "updated": 1, "unchanged": 0}
    moved_on.refresh_from_db()
    assert (moved_on.name, moved_on.position, moved_on.is_active) == ("黄会计", "会计", True)

    again = finance_staff_import(data=roster_sheet, user=caishen, dry_run=False)
    assert again.ok and again.summary == {"created": 0, "updated": 0, "unchanged": 4}
    assert FinanceStaff.objects.count() == 4


def test_bad_rows_are_refused_with_their_messages_and_nothing_is_written(caishen, finance_centre, village_a, village_b):
    FinanceStaffFactory(keeper=finance_centre, unit=village_b, name="陈会计", mobile="13900005555")
    data = workbook(
        [
            ["黄会计", "联和村", "0757-86881234", "会计"],  # row 2: a landline
            ["林出纳", "不存在村", "13900002222", ""],  # row 3: unknown unit
            ["", "联和村", "13900003333", ""],  # row 4: no name
            ["周会计", "联和村", "12345", ""],  # row 5: not a phone number
            ["吴会计", "联和村", "13900003333", ""],  # row 6: the mobile of row 4 again
            ["陈会计", "联和村", "13900005555", ""],  # row 7: on the roster for another village
            ["郑会计", "联和村", "", ""],  # row 8: no mobile
            ["王会计", "联和村", "13900006666", ""],  # row 9: fine, but nothing is written
        ]
    )
    outcome = finance_staff_import(data=data, user=caishen, dry_run=False)
    assert not outcome.ok
    assert sorted({error["row"] for error in outcome.errors}) == [2, 3, 4, 5, 6, 7, 8]
    by_row = {error["row"]: error for error in outcome.errors}
    assert by_row[2] == {"row": 2, "column": "手机号", "message": str(LANDLINE_MESSAGE)}
    assert by_row[3]["message"] == gettext("Unknown village or unit “%(value)s” (enter its name or code).") % {
        "value": "不存在村"
    }
    assert by_row[4]["column"] == "姓名" and by_row[4]["message"] == gettext("Enter a name.")
    assert by_row[6]["message"] == gettext("This mobile number is already on row %(row)d.") % {"row": 4}
    assert village_b.name in by_row[7]["message"]
    assert by_row[8]["message"] == gettext("Enter the mobile number.")
    assert FinanceStaff.objects.count() == 1  # all or nothing


def test_missing_columns_are_named(caishen, finance_centre):
    outcome = finance_staff_import(data=workbook([["黄会计", "联和村"]], ["姓名", "单位"]), user=caishen, dry_run=True)
    assert not outcome.ok and not outcome.total_rows
    assert "手机号" in outcome.errors[0]["message"] or gettext("Mobile number") in outcome.errors[0]["message"]


def test_units_are_those_of_the_centres_town_only(caishen, finance_centre, village_a):
    other_town = factories.TownFactory(code="T2", name="九江镇")
    elsewhere = factories.VillageFactory(code="VX", name="南金村", parent=other_town)
    data = workbook([["黄会计", elsewhere.name, "13900001111", ""], ["林出纳", elsewhere.code, "13900002222", ""]])
    outcome = finance_staff_import(data=data, user=caishen, dry_run=False)
    assert not outcome.ok and sorted(error["row"] for error in outcome.errors) == [2, 3]
    assert all(error["column"] == "村居或单位" for error in outcome.errors)
    assert not FinanceStaff.objects.exists()


def test_only_the_finance_centre_imports_its_roster(client, caishen, department_staff, head_a, leader, finance_centre):
    start = reverse("publicity:import_start")
    for user in (department_staff, head_a, leader):
        client.force_login(user)
        assert client.get(start).status_code == 404
        assert client.get(reverse("publicity:import_template")).status_code == 404
    outcome = finance_staff_import(data=workbook([["黄会计", "联和村", "13900001111", ""]]), user=leader, dry_run=False)
    assert not outcome.ok and not FinanceStaff.objects.exists()


def test_the_pages_upload_check_show_progress_and_confirm(
    caishen, finance_centre, roster_sheet, settings, django_capture_on_commit_callbacks
):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    client = Client()
    client.force_login(caishen)
    roster_page = client.get(reverse("publicity:finance_roster")).content.decode()
    assert reverse("publicity:import_start") in roster_page

    template = client.get(reverse("publicity:import_template"))
    assert template.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(template.content))
    headers = [cell.value for cell in book.worksheets[0][1]]
    assert headers == [str(PAGES.sheet.header(name)) for name in PAGES.sheet.columns]

    upload = SimpleUploadedFile("花名册.xlsx", roster_sheet)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("publicity:import_start"), {"file": upload})
    job = ImportJob.objects.get(kind="finance_staff", dry_run=True)
    assert response.status_code == 302 and job.status == ImportJob.Status.DRY_RUN_DONE
    assert client.get(reverse("publicity:import_progress", args=[job.pk])).status_code == 200
    assert not FinanceStaff.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("publicity:import_confirm", args=[job.pk]))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("publicity:import_confirm", args=[job.pk]))  # a double submit imports once
    assert ImportJob.objects.get(source=job).status == ImportJob.Status.SUCCEEDED
    assert FinanceStaff.objects.count() == 4
