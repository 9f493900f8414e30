"""Police register a batch of cases from the 110 system's Excel export: check first, then all or nothing;
importing the same file again creates nothing."""

import datetime
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from core.models import ImportJob
from core.validators import ID_CHECKSUM_MESSAGE, make_id_number
from fraud_cases.importing import COLUMNS, cases_import
from fraud_cases.models import FraudCase
from residents.models import Resident, ResidentSource
from tests import factories
from warnings_followup.models import WarningStatus

pytestmark = pytest.mark.django_db

FIELDS = list(COLUMNS)
HEADERS_ZH = [
    "案件编号",
    "报案时间",
    "姓名",
    "身份证号",
    "手机号",
    "村居编码",
    "诈骗类型",
    "损失金额",
    "挽损金额",
    "案件来源",
]


@pytest.fixture(autouse=True)
def eager_celery(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True


def victim_id(n: int) -> str:
    return make_id_number("440607", datetime.date(1955, 1, 1) + datetime.timedelta(days=n), n % 1000)


def row(n: int, **cells) -> dict:
    data = {
        "case_number": f"A2026-{n:04d}",
        "reported_at": "2026-03-01 09:30",
        "victim_name": f"受害人{n}",
        "id_number": victim_id(n),
        "phone": f"139{n:08d}",
        "village": "VA",
        "fraud_type": "刷单返利",
        "loss_amount": "12000.50",
        "recovered_amount": "",
        "source": "110",
    }
    data.update(cells)
    return data


def xlsx_sheet(rows, headers=None) -> bytes:
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(headers or HEADERS_ZH)
    for data in rows:
        sheet.append([data.get(name, "") for name in FIELDS])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def batch():
    return [
        row(1),
        row(2, village="VB", fraud_type="investment", source="平台", recovered_amount="2000"),
        row(3, fraud_type="冒充公检法", source="其他", phone=""),
    ]


def test_a_clean_batch_is_checked_then_registered_and_a_second_import_creates_nothing(police, village_a, village_b):
    data = xlsx_sheet(batch())
    check = cases_import(data=data, user=police, dry_run=True)
    assert check.ok, check.errors
    assert check.summary == {"cases": 3, "created": 3, "existing": 0, "defrauded_after_warning": 0}
    assert not FraudCase.objects.exists() and not Resident.objects.exists()  # the check writes nothing

    outcome = cases_import(data=data, user=police, dry_run=False)
    assert outcome.ok, outcome.errors
    assert outcome.summary["created"] == 3
    second = FraudCase.objects.get(case_number="A2026-0002")
    assert (second.village.code, second.fraud_type, second.source) == ("VB", "investment", "platform")
    assert str(second.recovered_amount) == "2000.00" and str(second.loss_amount) == "12000.50"
    assert timezone.localtime(second.reported_at).strftime("%Y-%m-%d %H:%M") == "2026-03-01 09:30"
    assert second.victim.source == ResidentSource.FRAUD_CASE
    assert FraudCase.objects.get(case_number="A2026-0003").source == "other"

    again = cases_import(data=data, user=police, dry_run=False)
    assert again.ok and again.summary["created"] == 0 and again.summary["existing"] == 3
    assert FraudCase.objects.count() == 3 and Resident.objects.count() == 3


def test_a_warned_victim_in_the_batch_is_defrauded_after_warning(police, village_a):
    person = factories.ResidentFactory(village=village_a, id_number=victim_id(1))
    warning = factories.WarningFactory(
        village=village_a, person=person, pushed_at=timezone.make_aware(datetime.datetime(2026, 2, 20, 10))
    )
    outcome = cases_import(data=xlsx_sheet([row(1)]), user=police, dry_run=False)
    assert outcome.ok and outcome.summary["defrauded_after_warning"] == 1
    assert FraudCase.objects.get().warning == warning
    warning.refresh_from_db()
    assert warning.status == WarningStatus.DEFRAUDED


def test_one_bad_row_writes_nothing_and_names_its_row_and_column(police, village_a, village_b):
    rows = [*batch(), row(4, id_number="440607195501011235")]  # a wrong check digit, on sheet row 5
    outcome = cases_import(data=xlsx_sheet(rows), user=police, dry_run=False)
    assert not outcome.ok and outcome.checked
    [error] = outcome.errors
    assert (error["row"], error["column"]) == (5, "身份证号")
    assert error["message"] == str(ID_CHECKSUM_MESSAGE)
    assert not FraudCase.objects.exists() and not Resident.objects.exists()


def test_the_dry_run_lists_every_bad_row(police, village_a):
    future = (timezone.localtime() + datetime.timedelta(days=2)).strftime("%Y-%m-%d %H:%M")
    rows = [
        row(1, village="NOPE"),  # 2
        row(2, fraud_type="电信诈骗"),  # 3
        row(3, source="电台"),  # 4
        row(4, loss_amount="很多"),  # 5
        row(5, reported_at=future),  # 6
        row(6, loss_amount="100", recovered_amount="200"),  # 7
        row(6),  # 8: the same case number twice
        row(8, victim_name=""),  # 9
    ]
    outcome = cases_import(data=xlsx_sheet(rows), user=police, dry_run=True)
    assert not outcome.ok
    assert [(error["row"], error["column"]) for error in outcome.errors] == [
        (2, "村居编码"),
        (3, "诈骗类型"),
        (4, "案件来源"),
        (5, "损失金额"),
        (6, "报案时间"),
        (7, "挽损金额"),
        (8, "案件编号"),
        (9, "姓名"),
    ]


def test_missing_columns_are_refused_at_once(police, village_a):
    outcome = cases_import(data=xlsx_sheet([row(1)], headers=HEADERS_ZH[:3]), user=police, dry_run=True)
    assert not outcome.ok and not outcome.checked
    assert "身份证号" in outcome.errors[0]["message"] or "ID" in outcome.errors[0]["message"]


def test_the_web_flow_uploads_checks_and_confirms(
    client, police, village_a, village_b, django_capture_on_commit_callbacks
):
    client.force_login(police)
    assert client.get(reverse("fraud_cases:import_start")).status_code == 200
    template = client.get(reverse("fraud_cases:import_template"))
    headers = [cell.value for cell in openpyxl.load_workbook(io.BytesIO(template.content)).active[1]]
    assert len(headers) == len(FIELDS)
    upload = SimpleUploadedFile("cases.xlsx", xlsx_sheet(batch()))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("fraud_cases:import_start"), {"file": upload})
    job = ImportJob.objects.get(kind="fraud_cases")
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DRY_RUN_DONE and not job.errors
    assert not FraudCase.objects.exists()
    assert client.get(reverse("fraud_cases:import_job", args=[job.pk])).context["outcome"]["confirmable"]
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("fraud_cases:import_confirm", args=[job.pk]))
    assert FraudCase.objects.count() == 3


def test_only_police_may_import(client, head_a, village_a):
    client.force_login(head_a)
    assert client.get(reverse("fraud_cases:import_start")).status_code == 404


def test_the_template_itself_passes_the_check(police, village_a):
    from fraud_cases.importing import PAGES

    outcome = cases_import(data=PAGES.workbook(police), user=police, dry_run=True)
    assert outcome.ok, outcome.errors
    assert outcome.summary["created"] == 1
