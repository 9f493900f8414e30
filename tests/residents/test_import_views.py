"""A leadership user uploads a sheet, watches the check, confirms, and sees the result.

Celery runs eagerly here (``CELERY_TASK_ALWAYS_EAGER``); tasks are queued on commit, so each upload
or confirm runs inside ``django_capture_on_commit_callbacks(execute=True)``.
"""

import datetime
import io

import openpyxl
import pytest
from django.core.cache import cache
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from audit.models import AccessAction, AccessLog
from core.imports import create_job, progress_key
from core.models import ImportJob
from core.sheets import read_table
from core.tasks import run_import
from residents.importing import residents_import
from residents.models import Household, Resident
from tests import factories
from tests.residents.test_import import csv_sheet, header, person, xlsx_sheet

pytestmark = pytest.mark.django_db

START = reverse("residents:import_start")


@pytest.fixture(autouse=True)
def eager_celery(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True


@pytest.fixture
def villages(village_a, village_b, grid_a1, grid_b1):
    return village_a, village_b


def job_url(job, name="import_job"):
    return reverse(f"residents:{name}", args=[job.pk])


def upload(client, data: bytes, name="居民.xlsx", capture=None):
    with capture(execute=True):
        return client.post(START, {"file": SimpleUploadedFile(name, data)})


def test_the_upload_page_offers_the_template(client, leader):
    client.force_login(leader)
    response = client.get(START)
    assert response.status_code == 200
    assert reverse("residents:import_template").encode() in response.content


@pytest.mark.parametrize("user", ["grid_a", "outsider", "school"])
def test_staff_without_the_import_capability_get_404(client, request, user):
    client.force_login(request.getfixturevalue(user))
    assert client.get(START).status_code == 404
    assert client.get(reverse("residents:import_template")).status_code == 404


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get(START)
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_the_template_has_the_headers_and_an_example_id_number_kept_as_text(client, head_a, villages):
    client.force_login(head_a)
    response = client.get(reverse("residents:import_template"))
    assert response["Content-Disposition"] == 'attachment; filename="residents-template.xlsx"'
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0]
    id_cell = sheet.cell(row=2, column=2)
    assert id_cell.data_type == "s" and id_cell.number_format == "@"
    assert len(id_cell.value) == 18
    # The example row is valid as it stands, in the user's own village.
    table = read_table(response.content)
    assert table.rows[0][3] == "VA"
    outcome = residents_import(data=table, user=head_a, dry_run=True)
    assert outcome.ok, outcome.errors


def test_upload_check_confirm_and_result(client, leader, villages, django_capture_on_commit_callbacks):
    client.force_login(leader)
    rows = [person(n) for n in range(30)]

    response = upload(client, xlsx_sheet(rows), capture=django_capture_on_commit_callbacks)
    check = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == job_url(check)
    assert check.status == ImportJob.Status.DRY_RUN_DONE
    assert (check.dry_run, check.total_rows, check.processed_rows) == (True, 30, 30)
    assert check.summary["created"] == 30
    assert check.original_filename == "居民.xlsx"
    assert check.file.name.startswith("imports/") and "居民" not in check.file.name
    assert Resident.objects.count() == 0  # nothing written by the check

    page = client.get(job_url(check))
    assert b'data-testid="ready-summary"' in page.content
    assert b'data-testid="confirm-import"' in page.content
    assert b'hx-trigger="every 1s"' not in page.content  # finished: no more polling

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(job_url(check, "import_confirm"))
    commit = ImportJob.objects.get(source=check)
    assert response["Location"] == job_url(commit)
    assert commit.status == ImportJob.Status.SUCCEEDED
    assert commit.summary["created"] == 30
    assert Resident.objects.count() == 30
    assert commit.file.name == ""  # the upload, with its plain ID numbers, is gone

    result = client.get(job_url(commit))
    assert b'data-testid="import-result"' in result.content


def test_a_check_with_problems_shows_them_and_cannot_be_confirmed(
    client, leader, villages, django_capture_on_commit_callbacks
):
    client.force_login(leader)
    rows = [person(1), person(2, phone="12345"), person(3, village="NOPE")]
    upload(client, csv_sheet(rows), name="bad.csv", capture=django_capture_on_commit_callbacks)
    check = ImportJob.objects.get()
    assert check.status == ImportJob.Status.DRY_RUN_DONE
    assert [(error["row"], error["column"]) for error in check.errors] == [(3, header("phone")), (4, header("village"))]

    page = client.get(job_url(check))
    assert b'data-testid="row-errors"' in page.content
    assert b'data-testid="confirm-import"' not in page.content
    response = client.post(job_url(check, "import_confirm"), follow=True)
    assert not ImportJob.objects.filter(source=check).exists()
    [message] = response.context["messages"]
    assert str(message) == gettext("Only a check that found no problems can be imported.")


def test_a_file_with_wrong_headers_is_refused_on_the_upload_page(client, leader, villages):
    client.force_login(leader)
    data = csv_sheet([person(1)], header_row=["Who", "What"])
    response = client.post(START, {"file": SimpleUploadedFile("x.csv", data)})
    assert response.status_code == 200
    assert "Who" in response.context["form"].errors["file"][1]
    assert not ImportJob.objects.exists()


def test_an_empty_file_is_refused_on_the_upload_page(client, leader):
    client.force_login(leader)
    response = client.post(START, {"file": SimpleUploadedFile("empty.csv", b"\xef\xbb\xbf\n\n")})
    assert response.context["form"].errors["file"] == [
        gettext("The sheet is empty. Its first row must hold the column headers, as in the template.")
    ]
    assert not ImportJob.objects.exists()


def test_other_users_jobs_answer_404(client, leader, head_a, villages, django_capture_on_commit_callbacks):
    client.force_login(head_a)
    upload(client, csv_sheet([person(1)]), capture=django_capture_on_commit_callbacks)
    job = ImportJob.objects.get()

    client.force_login(leader)
    for name in ("import_job", "import_progress"):
        assert client.get(job_url(job, name)).status_code == 404
    assert client.post(job_url(job, "import_confirm")).status_code == 404
    assert not ImportJob.objects.filter(source=job).exists()


def test_a_double_submitted_confirm_imports_once(client, leader, villages, django_capture_on_commit_callbacks):
    client.force_login(leader)
    upload(client, csv_sheet([person(1), person(2)]), capture=django_capture_on_commit_callbacks)
    check = ImportJob.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(job_url(check, "import_confirm"))
        second = client.post(job_url(check, "import_confirm"))
    assert first["Location"] == second["Location"]
    assert ImportJob.objects.filter(dry_run=False).count() == 1
    assert Resident.objects.count() == 2


def test_a_redelivered_task_imports_once(client, leader, villages, django_capture_on_commit_callbacks):
    client.force_login(leader)
    upload(client, csv_sheet([person(1), person(2)]), capture=django_capture_on_commit_callbacks)
    check = ImportJob.objects.get()
    commit = ImportJob.objects.create(
        kind=check.kind, dry_run=False, source=check, file=check.file.name, created_by=leader, language="en"
    )
    run_import(commit.pk)
    run_import(commit.pk)  # the broker delivers it again
    commit.refresh_from_db()
    assert commit.status == ImportJob.Status.SUCCEEDED
    assert commit.summary["created"] == 2
    assert Resident.objects.count() == 2
    assert Resident.history.count() == 2


def test_the_progress_partial_polls_until_the_job_ends(client, leader, villages):
    client.force_login(leader)
    job = ImportJob.objects.create(created_by=leader, status=ImportJob.Status.RUNNING)
    cache.set(progress_key(job.pk), {"done": 400, "total": 1000})
    response = client.get(job_url(job, "import_progress"), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    content = response.content.decode()
    assert 'hx-trigger="every 1s"' in content and 'aria-valuenow="40"' in content and 'width="40%"' in content
    assert "<html" not in content

    job.status = ImportJob.Status.FAILED
    job.errors = [{"row": None, "column": "", "message": "Broken file"}]
    job.save()
    content = client.get(job_url(job, "import_progress"), HTTP_HX_REQUEST="true").content.decode()
    assert 'hx-trigger="every 1s"' not in content and "Broken file" in content
    cache.delete(progress_key(job.pk))


def test_a_job_whose_creator_lost_the_capability_fails_without_importing(head_a, villages):
    job = ImportJob.objects.create(created_by=head_a, dry_run=False)
    head_a.roles.all().delete()
    head_a._role_codes = None
    run_import(job.pk)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED
    assert Resident.objects.count() == 0


def test_unconfirmed_uploads_are_deleted_after_a_day(leader, villages, django_capture_on_commit_callbacks):
    from core.tasks import purge_import_files

    with django_capture_on_commit_callbacks(execute=True):
        job = create_job("residents", user=leader, uploaded=SimpleUploadedFile("a.csv", csv_sheet([person(1)])))
    name = ImportJob.objects.get(pk=job.pk).file.name
    assert purge_import_files() == 0  # too recent
    ImportJob.objects.filter(pk=job.pk).update(finished_at=timezone.now() - datetime.timedelta(days=2))
    assert purge_import_files() == 1
    job.refresh_from_db()
    assert job.file.name == "" and not job.can_confirm
    assert not default_storage.exists(name)


def test_confirm_only_accepts_post(client, leader):
    client.force_login(leader)
    job = ImportJob.objects.create(created_by=leader, status=ImportJob.Status.DRY_RUN_DONE)
    assert client.get(job_url(job, "import_confirm")).status_code == 405


# --- the admin ------------------------------------------------------------------------------------------


def test_the_admin_lists_masked_numbers_and_finds_an_exact_id_number(client, admin_user, village_a):
    client.force_login(admin_user)
    resident = factories.ResidentFactory(village=village_a, name="陈六")
    changelist = reverse("admin:residents_resident_changelist")
    page = client.get(changelist).content.decode()
    assert resident.masked_id_number in page and resident.id_number not in page
    assert resident.phone not in page

    # The admin's search box sends GET: a full number there is refused (it would reach the access logs) and
    # the answer points to the registry's search form, which posts.
    refused = client.get(changelist, {"q": resident.id_number})
    assert refused.status_code == 400
    assert reverse("residents:resident_list") in refused.content.decode()
    found = client.post(reverse("residents:resident_list"), {"q": resident.id_number})
    assert "陈六" in found.content.decode()
    assert AccessLog.objects.filter(action=AccessAction.SEARCH, user=admin_user).exists()
    change = client.get(reverse("admin:residents_resident_change", args=[resident.pk])).content.decode()
    assert resident.id_number not in change and resident.masked_id_number in change


def test_the_admins_household_list_masks_the_contact_phone(client, admin_user, village_a):
    client.force_login(admin_user)
    household = factories.HouseholdFactory(village=village_a, contact_phone="13912345678")
    page = client.get(reverse("admin:residents_household_changelist")).content.decode()
    assert "139****5678" in page and "13912345678" not in page
    assert client.get(reverse("admin:residents_household_change", args=[household.pk])).status_code == 200


def test_the_admin_import_page_uses_the_safe_formats(client, admin_user, villages):
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:residents_resident_import"),
        {"format": "1", "resource": "0", "import_file": SimpleUploadedFile("x.csv", csv_sheet([person(1), person(2)]))},
    )
    assert response.status_code == 200
    assert response.context["result"].totals["new"] == 2
    assert not Household.objects.exists()  # the admin's first step is a dry run

    confirm = response.context["confirm_form"]
    response = client.post(reverse("admin:residents_resident_process_import"), confirm.initial)
    assert response.status_code == 302
    assert Resident.objects.count() == 2
    assert Resident.history.filter(history_user=admin_user).count() == 2


def test_import_jobs_are_read_only_in_the_admin(client, admin_user, leader):
    job = ImportJob.objects.create(created_by=leader, original_filename="居民.xlsx")
    client.force_login(admin_user)
    assert "居民.xlsx" in client.get(reverse("admin:core_importjob_changelist")).content.decode()
    assert client.get(reverse("admin:core_importjob_change", args=[job.pk])).status_code == 200
    assert client.get(reverse("admin:core_importjob_add")).status_code == 403
    assert client.post(reverse("admin:core_importjob_delete", args=[job.pk])).status_code == 403
