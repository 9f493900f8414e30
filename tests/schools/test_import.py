"""The school's roster from Excel: checked first, written all or nothing, known students updated."""

import datetime
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from core.models import ImportJob
from core.validators import make_id_number
from residents.services import CANNOT_ADD_HERE
from schools.importing import students_import
from schools.models import Student
from tests.schools.factories import StudentFactory

pytestmark = pytest.mark.django_db

HEADERS = ["年级", "班级", "姓名", "身份证号", "监护人", "监护人电话"]
ID_1 = make_id_number("440605", datetime.date(2012, 3, 4), 111)
ID_2 = make_id_number("440605", datetime.date(2012, 6, 7), 222)


def _workbook(rows, headers=HEADERS) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_a_roster_is_checked_then_written(school, middle_school):
    data = _workbook([["初一", "1班", "陈一", ID_1, "陈父", "13800138000"], ["初一", "2班", "李二", ID_2, "", ""]])
    checked = students_import(data=data, user=school, dry_run=True)
    assert checked.ok and checked.summary == {"created": 2, "updated": 0}
    assert not Student.objects.exists()
    written = students_import(data=data, user=school, dry_run=False)
    assert written.ok
    chen = Student.objects.get(name="陈一")
    assert (chen.school, chen.grade, chen.class_name, chen.guardian_phone) == (
        middle_school,
        "初一",
        "1班",
        "13800138000",
    )


def test_known_students_are_updated_not_duplicated(school, middle_school):
    StudentFactory(school=middle_school, name="陈一", grade="初一", class_name="1班", id_number=ID_1)
    data = _workbook([["初二", "1班", "陈一", ID_1, "陈父", ""]])
    outcome = students_import(data=data, user=school, dry_run=False)
    assert outcome.ok and outcome.summary == {"created": 0, "updated": 1}
    assert Student.objects.get().grade == "初二"


def test_bad_rows_are_reported_and_nothing_is_written(school, centre_school):
    StudentFactory(school=centre_school, id_number=ID_2)
    data = _workbook(
        [
            ["初一", "1班", "陈一", "440605201203041234", "", ""],
            ["初一", "", "赵四", make_id_number("440605", datetime.date(2012, 1, 1), 333), "", ""],
            ["初一", "1班", "李二", ID_2, "", ""],
            ["初一", "1班", "王三", ID_1, "", ""],
            ["初一", "1班", "王三", ID_1, "", ""],
        ]
    )
    with translation.override("en"):
        outcome = students_import(data=data, user=school, dry_run=False)
    assert not outcome.ok
    rows = sorted({error["row"] for error in outcome.errors})
    assert rows == [2, 3, 4, 6]
    messages = " ".join(error["message"] for error in outcome.errors)
    with translation.override("en"):
        assert str(CANNOT_ADD_HERE) in messages and centre_school.name not in messages  # never "another school"
    assert Student.objects.count() == 1


def test_missing_columns_are_named(school):
    with translation.override("en"):
        outcome = students_import(data=_workbook([["陈一"]], headers=["姓名"]), user=school, dry_run=True)
    assert not outcome.checked
    assert "Missing columns" in outcome.errors[0]["message"]


def test_the_import_pages(client, school, settings, django_capture_on_commit_callbacks, tmp_path):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.MEDIA_ROOT = tmp_path
    client.force_login(school)
    assert client.get(reverse("schools:import_start")).status_code == 200
    assert client.get(reverse("schools:import_template")).status_code == 200
    upload = SimpleUploadedFile("roster.xlsx", _workbook([["初一", "1班", "陈一", ID_1, "", ""]]))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("schools:import_start"), {"file": upload})
    assert response.status_code == 302
    job = ImportJob.objects.get()
    assert job.kind == "students" and job.status == ImportJob.Status.DRY_RUN_DONE
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("schools:import_confirm", args=[job.pk]))
    assert Student.objects.filter(name="陈一").exists()


def test_police_cannot_import(client, police):
    client.force_login(police)
    assert client.get(reverse("schools:import_start")).status_code == 404
