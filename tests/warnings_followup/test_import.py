"""Police push a batch of warnings from the police platform's Excel export: check first, then all or nothing.

Celery runs eagerly in the view tests (``CELERY_TASK_ALWAYS_EAGER``); tasks are queued on commit, so
each upload or confirm runs inside ``django_capture_on_commit_callbacks(execute=True)``.
"""

import csv
import datetime
import io

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from audit.models import AuditEvent
from core.imports import create_job
from core.models import ImportJob
from core.sheets import read_table
from core.tasks import run_import
from core.validators import EXCEL_NUMBER_MESSAGE, ID_CHECKSUM_MESSAGE, make_id_number
from notifications.models import Notification
from organization.models import Role
from residents.models import Resident
from tests import factories
from warnings_followup import importing
from warnings_followup.importing import COLUMNS, warnings_import
from warnings_followup.models import StopPaymentAccount, WarningOrder, WarningStatus

pytestmark = pytest.mark.django_db

START = reverse("warnings_followup:import_start")
TEMPLATE = reverse("warnings_followup:import_template")
FIELDS = list(COLUMNS)
# The police platform's export, exactly as it spells its headers.
HEADERS_ZH = [
    "指令编号",
    "姓名",
    "身份证号",
    "手机号",
    "村居编码",
    "地址",
    "诈骗类型",
    "风险等级",
    "简要情况",
    "止付银行",
    "止付账号",
    "推送时间",
]
ACCOUNT_1 = "6228480402564890018"  # UnionPay, passes the Luhn check
ACCOUNT_2 = "6222020200112233446"


@pytest.fixture(autouse=True)
def eager_celery(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True


@pytest.fixture
def villages(village_a, village_b, grid_a, grid_b, head_a):
    """Both villages, with their teams (who are notified of a push)."""
    return village_a, village_b


def header(name: str) -> str:
    return str(COLUMNS[name].header)


def person_id(n: int) -> str:
    return make_id_number("440607", datetime.date(1950, 1, 1) + datetime.timedelta(days=n), n % 1000)


def row(n: int, **cells) -> dict:
    data = {
        "external_id": f"YJ-{n:03d}",
        "person_name": f"预警对象{n}",
        "id_number": person_id(n),
        "phone": f"139{n:08d}",
        "village": "VA",
        "address": f"幸福路{n}号",
        "fraud_type": "刷单返利",
        "risk_level": "高",
        "summary": "接触刷单兼职",
        "bank": "中国农业银行",
        "account_number": ACCOUNT_1,
        "pushed_at": "",
    }
    data.update(cells)
    return data


def batch() -> list[dict]:
    """Three warnings: YJ-001 with two accounts (two rows), YJ-002 in the other village, YJ-003 without accounts."""
    return [
        row(1),
        row(1, bank="中国工商银行", account_number=ACCOUNT_2),
        row(2, village="VB", fraud_type="investment", risk_level="medium", pushed_at="2025-03-01 09:30"),
        row(3, fraud_type="冒充公检法", risk_level="低", bank="", account_number=""),
    ]


def xlsx_sheet(rows: list[dict], headers=None) -> bytes:
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(headers or [header(name) for name in FIELDS])
    for data in rows:
        sheet.append([data.get(name, "") for name in FIELDS])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_sheet(rows: list[dict], headers=None) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers or [header(name) for name in FIELDS])
    writer.writerows([[data.get(name, "") for name in FIELDS] for data in rows])
    return buffer.getvalue().encode("utf-8-sig")


def problems(outcome) -> list[tuple]:
    return [(error["row"], error["column"]) for error in outcome.errors]


# --- checking and pushing ------------------------------------------------------------------------


def test_a_clean_batch_pushes_every_warning_with_its_accounts_and_notifies_the_teams(
    police, villages, grid_a, grid_b, head_a, django_capture_on_commit_callbacks
):
    data = xlsx_sheet(batch())
    check = warnings_import(data=data, user=police, dry_run=True)
    assert check.ok, check.errors
    assert check.summary == {"warnings": 3, "created": 3, "existing": 0, "accounts": 3, "notices": []}
    assert not WarningOrder.objects.exists() and not Resident.objects.exists()  # the check writes nothing

    with django_capture_on_commit_callbacks(execute=True):
        outcome = warnings_import(data=data, user=police, dry_run=False)
    assert outcome.ok, outcome.errors
    assert outcome.summary["created"] == 3

    first = WarningOrder.objects.get(external_id="YJ-001")
    assert first.status == WarningStatus.PUSHED and first.pushed_by == police
    assert (first.village.code, first.fraud_type, first.risk_level) == ("VA", "rebate_task", "high")
    assert first.person.id_number == person_id(1) and first.person.source == "warning"
    assert sorted((a.bank, a.account_number) for a in first.stop_payment_accounts.all()) == [
        ("中国农业银行", ACCOUNT_1),
        ("中国工商银行", ACCOUNT_2),
    ]
    second = WarningOrder.objects.get(external_id="YJ-002")
    assert (second.village.code, second.fraud_type, second.risk_level) == ("VB", "investment", "medium")
    assert timezone.localtime(second.pushed_at).strftime("%Y-%m-%d %H:%M") == "2025-03-01 09:30"
    assert second.window_ends == datetime.date(2025, 4, 1)  # one calendar month after 03-01
    third = WarningOrder.objects.get(external_id="YJ-003")
    assert (third.fraud_type, third.risk_level, third.stop_payment_accounts.count()) == ("impersonate_police", "low", 0)
    assert StopPaymentAccount.objects.count() == 3
    assert AuditEvent.objects.filter(event="push").count() == 3

    # Each village's team hears about its own warnings at once, and only about those.
    assert Notification.objects.filter(recipient=grid_a, kind="warning.pushed").count() == 2
    assert Notification.objects.filter(recipient=head_a, kind="warning.pushed").count() == 2
    assert Notification.objects.filter(recipient=grid_b, kind="warning.pushed").count() == 1


def test_a_person_already_in_the_registry_is_linked_not_duplicated(police, villages):
    existing = factories.ResidentFactory(village=villages[0], id_number=person_id(1))
    outcome = warnings_import(data=xlsx_sheet([row(1)]), user=police, dry_run=False)
    assert outcome.ok, outcome.errors
    assert WarningOrder.objects.get().person == existing
    assert Resident.objects.count() == 1


def test_one_bad_row_writes_nothing_and_names_its_row_and_column(police, villages, django_capture_on_commit_callbacks):
    rows = [*batch(), row(4, id_number="440607195001011235")]  # a wrong check digit, on sheet row 6
    with django_capture_on_commit_callbacks(execute=True):
        outcome = warnings_import(data=xlsx_sheet(rows), user=police, dry_run=False)
    assert not outcome.ok and outcome.checked
    [error] = outcome.errors
    assert (error["row"], error["column"]) == (6, header("id_number"))
    assert error["message"] == str(ID_CHECKSUM_MESSAGE)
    assert not WarningOrder.objects.exists()
    assert not Resident.objects.exists()
    assert not StopPaymentAccount.objects.exists()
    assert not Notification.objects.exists()


def test_the_dry_run_lists_every_bad_row(police, villages):
    future = (timezone.localtime() + datetime.timedelta(days=2)).strftime("%Y-%m-%d %H:%M")
    rows = [
        row(1, phone="12345"),  # 2
        row(2, id_number=4.40607195001e17),  # 3: Excel has turned the ID into a number
        row(3, village="NOPE"),  # 4
        row(4, fraud_type="电信诈骗"),  # 5
        row(5, risk_level="极高"),  # 6
        row(6, bank=""),  # 7: an account without its bank
        row(7, pushed_at=future),  # 8
        row(8, pushed_at="yesterday"),  # 9
        row(9, external_id=""),  # 10
        row(10, person_name=""),  # 11: the first row of an instruction needs the name
        row(1, village="VB", account_number=ACCOUNT_2, bank="中国银行"),  # 12: differs from row 2
        row(11, account_number="12345"),  # 13
    ]
    outcome = warnings_import(data=xlsx_sheet(rows), user=police, dry_run=True)
    assert not outcome.ok and outcome.checked
    assert problems(outcome) == [
        (2, header("phone")),
        (3, header("id_number")),
        (4, header("village")),
        (5, header("fraud_type")),
        (6, header("risk_level")),
        (7, header("bank")),
        (8, header("pushed_at")),
        (9, header("pushed_at")),
        (10, header("external_id")),
        (11, header("person_name")),
        (12, header("village")),
        (13, header("account_number")),
    ]
    messages = {error["row"]: error["message"] for error in outcome.errors}
    assert messages[3] == str(EXCEL_NUMBER_MESSAGE)
    assert messages[4] == gettext("Unknown village code “%(code)s”.") % {"code": "NOPE"}
    assert messages[8] == gettext("The push time cannot be in the future.")
    assert messages[12] == gettext("Instruction %(number)s has a different value on row %(row)d.") % {
        "number": "YJ-001",
        "row": 2,
    }
    assert not WarningOrder.objects.exists()


def test_checking_a_large_sheet_runs_a_bounded_number_of_queries(police, villages, django_assert_max_num_queries):
    rows = [row(n, village="VA" if n % 2 else "VB") for n in range(1, 601)]
    factories.WarningFactory(external_id="YJ-007", village=villages[0])
    table = read_table(xlsx_sheet(rows))
    with django_assert_max_num_queries(8):
        outcome = warnings_import(data=table, user=police, dry_run=True)
    assert outcome.ok, outcome.errors[:3]
    assert (outcome.summary["created"], outcome.summary["existing"]) == (599, 1)


def test_further_rows_of_an_instruction_may_leave_the_warning_columns_empty(police, villages):
    """As an export with merged cells gives them: only the instruction number and the account."""
    blank = dict.fromkeys(FIELDS, "")
    rows = [row(1), {**blank, "external_id": "YJ-001", "bank": "中国工商银行", "account_number": ACCOUNT_2}]
    outcome = warnings_import(data=xlsx_sheet(rows), user=police, dry_run=False)
    assert outcome.ok, outcome.errors
    assert WarningOrder.objects.get().stop_payment_accounts.count() == 2


def test_an_account_listed_twice_for_one_warning_is_kept_once(police, villages):
    outcome = warnings_import(data=xlsx_sheet([row(1), row(1)]), user=police, dry_run=False)
    assert outcome.ok, outcome.errors
    assert StopPaymentAccount.objects.count() == 1


def test_an_account_failing_the_card_check_is_noted_not_refused(police, villages):
    outcome = warnings_import(data=xlsx_sheet([row(1, account_number="4111111111111112")]), user=police, dry_run=True)
    assert outcome.ok, outcome.errors
    [notice] = outcome.summary["notices"]
    assert notice["row"] == 2


def test_the_push_time_may_be_an_excel_date_cell(police, villages):
    serial = (datetime.datetime(2025, 3, 1, 9, 30) - datetime.datetime(1899, 12, 30)) / datetime.timedelta(days=1)
    outcome = warnings_import(data=xlsx_sheet([row(1, pushed_at=serial)]), user=police, dry_run=False)
    assert outcome.ok, outcome.errors
    pushed = timezone.localtime(WarningOrder.objects.get().pushed_at)
    assert pushed.strftime("%Y-%m-%d %H:%M") == "2025-03-01 09:30"


def test_importing_the_same_file_again_creates_nothing(police, villages, django_capture_on_commit_callbacks):
    data = xlsx_sheet(batch())
    with django_capture_on_commit_callbacks(execute=True):
        assert warnings_import(data=data, user=police, dry_run=False).ok
    notified = Notification.objects.count()

    check = warnings_import(data=data, user=police, dry_run=True)
    assert check.ok
    assert (check.summary["created"], check.summary["existing"], check.summary["accounts"]) == (0, 3, 0)
    with django_capture_on_commit_callbacks(execute=True):
        again = warnings_import(data=data, user=police, dry_run=False)
    assert again.ok and again.summary["created"] == 0
    assert WarningOrder.objects.count() == 3
    assert StopPaymentAccount.objects.count() == 3
    assert Resident.objects.count() == 3
    assert Notification.objects.count() == notified


def test_the_police_platforms_chinese_headers_are_accepted_in_any_language(police, villages):
    with translation.override("en"):
        outcome = warnings_import(data=xlsx_sheet(batch(), headers=HEADERS_ZH), user=police, dry_run=False)
    assert outcome.ok, outcome.errors
    assert WarningOrder.objects.count() == 3


def test_english_headers_and_codes_are_accepted_too(police, villages):
    with translation.override("en"):
        headers = [header(name) for name in FIELDS]
        rows = [row(1, fraud_type="loan", risk_level="High")]
    with translation.override("zh-hans"):
        outcome = warnings_import(data=csv_sheet(rows, headers=headers), user=police, dry_run=False)
    assert outcome.ok, outcome.errors
    assert (WarningOrder.objects.get().fraud_type, WarningOrder.objects.get().risk_level) == ("loan", "high")


def test_errors_name_the_column_as_the_file_spells_it(police, villages):
    outcome = warnings_import(data=xlsx_sheet([row(1, phone="12345")], headers=HEADERS_ZH), user=police, dry_run=True)
    assert problems(outcome) == [(2, "手机号")]


def test_a_file_with_wrong_or_missing_headers_is_refused_as_a_whole(police, villages):
    headers = [
        "指令编号",
        "姓名",
        "Who",
        "村居编码",
        "诈骗类型",
        "风险等级",
        "止付银行",
        "止付账号",
        "推送时间",
        "手机号",
        "地址",
        "简要情况",
    ]
    outcome = warnings_import(data=xlsx_sheet(batch(), headers=headers), user=police, dry_run=True)
    assert not outcome.checked
    assert all(error["row"] is None for error in outcome.errors)
    text = " ".join(error["message"] for error in outcome.errors)
    assert "Who" in text and header("id_number") in text


def test_a_village_outside_the_police_officers_town_is_unknown(villages):
    other_town = factories.TownFactory(code="T2")
    station = factories.PoliceStationFactory(code="PS2", parent=other_town)
    factories.VillageFactory(code="VZ", parent=other_town)
    police_elsewhere = factories.UserFactory(username="police2", unit=station, roles=[Role.POLICE])
    outcome = warnings_import(
        data=xlsx_sheet([row(1, village="VZ"), row(2, village="VA")]), user=police_elsewhere, dry_run=False
    )
    assert problems(outcome) == [(3, header("village"))]
    assert outcome.errors[0]["message"] == gettext("Unknown village code “%(code)s”.") % {"code": "VA"}
    assert not WarningOrder.objects.exists()


def test_a_push_refused_by_the_service_rolls_the_whole_batch_back(police, villages, monkeypatch):
    real_push = importing.warning_push
    calls = []

    def push_then_refuse(**kwargs):
        calls.append(kwargs["external_id"])
        if len(calls) == 2:
            raise ValidationError({"phone": "refused"})
        return real_push(**kwargs)

    monkeypatch.setattr(importing, "warning_push", push_then_refuse)
    outcome = warnings_import(data=xlsx_sheet(batch()), user=police, dry_run=False)
    assert not outcome.ok
    assert outcome.errors == [{"row": 4, "column": header("phone"), "message": "refused"}]
    assert not WarningOrder.objects.exists() and not Resident.objects.exists()


@pytest.mark.parametrize("user", ["leader", "grid_a", "head_a", "outsider"])
def test_only_police_may_start_an_import(request, user, villages):
    with pytest.raises(Http404):
        create_job(
            "warnings",
            user=request.getfixturevalue(user),
            uploaded=SimpleUploadedFile("a.xlsx", xlsx_sheet(batch())),
        )
    assert not ImportJob.objects.exists()


# --- the pages -----------------------------------------------------------------------------------


def job_url(job, name="import_job"):
    return reverse(f"warnings_followup:{name}", args=[job.pk])


def upload(client, data: bytes, capture, name="预警指令.xlsx"):
    with capture(execute=True):
        return client.post(START, {"file": SimpleUploadedFile(name, data)})


def test_police_upload_check_confirm_and_see_the_result(
    client, police, villages, grid_a, django_capture_on_commit_callbacks
):
    client.force_login(police)
    assert reverse("warnings_followup:import_template").encode() in client.get(START).content

    response = upload(client, xlsx_sheet(batch(), headers=HEADERS_ZH), django_capture_on_commit_callbacks)
    check = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == job_url(check)
    assert (check.kind, check.status, check.total_rows) == ("warnings", ImportJob.Status.DRY_RUN_DONE, 4)
    assert check.file.name.startswith("imports/") and "预警" not in check.file.name
    assert not WarningOrder.objects.exists()

    page = client.get(job_url(check)).content.decode()
    assert 'data-testid="ready-summary"' in page and 'data-testid="confirm-import"' in page
    assert 'hx-trigger="every 1s"' not in page

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(job_url(check, "import_confirm"))
    commit = ImportJob.objects.get(source=check)
    assert response["Location"] == job_url(commit)
    assert commit.status == ImportJob.Status.SUCCEEDED and commit.summary["created"] == 3
    assert WarningOrder.objects.count() == 3
    assert Notification.objects.filter(recipient=grid_a, kind="warning.pushed").count() == 2
    assert commit.file.name == ""  # the upload, with its plain ID and account numbers, is gone
    assert 'data-testid="import-result"' in client.get(job_url(commit)).content.decode()

    # The same file again: checked, nothing new to push, nothing to confirm.
    upload(client, xlsx_sheet(batch(), headers=HEADERS_ZH), django_capture_on_commit_callbacks)
    recheck = ImportJob.objects.filter(dry_run=True).first()
    assert recheck.summary["existing"] == 3
    assert 'data-testid="confirm-import"' not in client.get(job_url(recheck)).content.decode()


def test_a_check_with_problems_lists_them_and_cannot_be_confirmed(
    client, police, villages, django_capture_on_commit_callbacks
):
    client.force_login(police)
    upload(client, csv_sheet([row(1), row(2, village="NOPE")]), django_capture_on_commit_callbacks, name="bad.csv")
    check = ImportJob.objects.get()
    assert [(e["row"], e["column"]) for e in check.errors] == [(3, header("village"))]

    page = client.get(job_url(check)).content.decode()
    assert 'data-testid="row-errors"' in page and "NOPE" in page
    assert 'data-testid="confirm-import"' not in page
    response = client.post(job_url(check, "import_confirm"), follow=True)
    assert not ImportJob.objects.filter(source=check).exists()
    [message] = response.context["messages"]
    assert str(message) == gettext("Only a check that found no problems can be imported.")
    assert not WarningOrder.objects.exists()


def test_a_file_with_wrong_headers_is_refused_on_the_upload_page(client, police, villages):
    client.force_login(police)
    response = client.post(START, {"file": SimpleUploadedFile("x.csv", csv_sheet([row(1)], headers=["Who", "What"]))})
    assert response.status_code == 200
    assert any("Who" in error for error in response.context["form"].errors["file"])
    assert not ImportJob.objects.exists()


def test_a_double_submitted_confirm_pushes_once(client, police, villages, django_capture_on_commit_callbacks):
    client.force_login(police)
    upload(client, xlsx_sheet(batch()), django_capture_on_commit_callbacks)
    check = ImportJob.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(job_url(check, "import_confirm"))
        second = client.post(job_url(check, "import_confirm"))
    assert first["Location"] == second["Location"]
    assert ImportJob.objects.filter(dry_run=False).count() == 1
    assert WarningOrder.objects.count() == 3


def test_a_redelivered_task_pushes_once(client, police, villages, django_capture_on_commit_callbacks):
    client.force_login(police)
    upload(client, xlsx_sheet(batch()), django_capture_on_commit_callbacks)
    check = ImportJob.objects.get()
    commit = ImportJob.objects.create(
        kind=check.kind, dry_run=False, source=check, file=check.file.name, created_by=police, language="en"
    )
    run_import(commit.pk)
    run_import(commit.pk)  # the broker delivers it again
    commit.refresh_from_db()
    assert commit.status == ImportJob.Status.SUCCEEDED and commit.summary["created"] == 3
    assert WarningOrder.objects.count() == 3


def test_a_job_whose_creator_is_no_longer_police_fails_without_pushing(police, villages):
    job = ImportJob.objects.create(kind="warnings", created_by=police, dry_run=False)
    police.roles.all().delete()
    police._role_codes = None
    run_import(job.pk)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED
    assert not WarningOrder.objects.exists()


@pytest.mark.parametrize("user", ["leader", "grid_a", "head_a", "outsider"])
def test_staff_who_may_not_push_get_404(client, request, user):
    client.force_login(request.getfixturevalue(user))
    assert client.get(START).status_code == 404
    assert client.get(TEMPLATE).status_code == 404


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get(START)
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_jobs_of_other_users_and_of_the_registry_answer_404(
    client, police, leader, villages, django_capture_on_commit_callbacks
):
    other_police = factories.UserFactory(username="police_b", unit=police.unit, roles=[Role.POLICE])
    client.force_login(other_police)
    upload(client, xlsx_sheet(batch()), django_capture_on_commit_callbacks)
    theirs = ImportJob.objects.get()
    registry_job = ImportJob.objects.create(kind="residents", created_by=police)

    client.force_login(police)
    for job in (theirs, registry_job):
        for name in ("import_job", "import_progress"):
            assert client.get(job_url(job, name)).status_code == 404
        assert client.post(job_url(job, "import_confirm")).status_code == 404
    assert not ImportJob.objects.filter(source=theirs).exists()
    # And a warnings job is not reachable through the registry's import pages either.
    client.force_login(other_police)
    assert client.get(reverse("residents:import_job", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("residents:import_confirm", args=[theirs.pk])).status_code == 404


def test_the_progress_partial_polls_until_the_job_ends(client, police):
    client.force_login(police)
    job = ImportJob.objects.create(kind="warnings", created_by=police, status=ImportJob.Status.RUNNING)
    content = client.get(job_url(job, "import_progress"), HTTP_HX_REQUEST="true").content.decode()
    assert 'hx-trigger="every 1s"' in content and "<html" not in content

    job.status = ImportJob.Status.FAILED
    job.errors = [{"row": None, "column": "", "message": "Broken file"}]
    job.save()
    content = client.get(job_url(job, "import_progress"), HTTP_HX_REQUEST="true").content.decode()
    assert 'hx-trigger="every 1s"' not in content and "Broken file" in content


def test_confirm_only_accepts_post(client, police):
    client.force_login(police)
    job = ImportJob.objects.create(kind="warnings", created_by=police, status="dry_run_done")
    assert client.get(job_url(job, "import_confirm")).status_code == 405


def test_the_template_has_the_headers_and_a_valid_example_row_with_text_numbers(client, police, villages):
    client.force_login(police)
    response = client.get(TEMPLATE)
    assert response["Content-Disposition"] == 'attachment; filename="warnings-template.xlsx"'
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0]
    assert [cell.value for cell in sheet[1]] == [header(name) for name in FIELDS]
    for name in ("id_number", "account_number"):
        cell = sheet.cell(row=2, column=FIELDS.index(name) + 1)
        assert cell.data_type == "s" and cell.number_format == "@"
    # The example row imports as it stands.
    outcome = warnings_import(data=read_table(response.content), user=police, dry_run=False)
    assert outcome.ok, outcome.errors
    assert WarningOrder.objects.get().village.code == "VA"


def test_the_work_queue_links_to_the_import_for_police_only(client, police, grid_a):
    client.force_login(police)
    assert START.encode() in client.get(reverse("warnings_followup:queue")).content
    client.force_login(grid_a)
    assert START.encode() not in client.get(reverse("warnings_followup:queue")).content
