"""Large exports run in the background: a job, its progress page, the file for its owner only, purged after a day."""

import csv
import datetime
import io

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AccessAction, AccessLog
from core.exports import export_progress, purge_export_files
from core.models import ExportJob
from core.tasks import run_export
from tests import factories

pytestmark = pytest.mark.django_db

RESIDENTS = reverse("residents:export_residents")
HOUSEHOLDS = reverse("residents:export_households")


@pytest.fixture
def registry(village_a, village_b, grid_a1):
    """Seven residents in village A (three households), one in village B."""
    homes = [factories.HouseholdFactory(village=village_a, grid=grid_a1, contact_phone="13912345678") for _ in range(3)]
    people = [factories.ResidentFactory(household=homes[n % 3], name=f"甲{n}") for n in range(7)]
    other = factories.ResidentFactory(
        household=factories.HouseholdFactory(village=village_b), name="乙", village=village_b
    )
    return {"a": people, "b": other}


@pytest.fixture
def large_above_five(settings):
    settings.EXPORT_ASYNC_ROWS = 5


def _download(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def _start(client, user, url=RESIDENTS, params=None, *, capture):
    client.force_login(user)
    with capture(execute=False) as callbacks:
        response = client.get(url, params or {})
    assert response.status_code == 302
    job = ExportJob.objects.get()
    assert response["Location"] == reverse("core:export_job", args=[job.pk])
    assert len(callbacks) == 1  # the task is queued after the commit
    return job


def test_a_small_export_is_answered_at_once(client, head_a, registry, large_above_five):
    client.force_login(head_a)
    response = client.get(HOUSEHOLDS, {"format": "csv"})  # three households: under the setting
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="households-')
    assert not ExportJob.objects.exists()


def test_a_large_export_becomes_a_job_that_writes_the_file_in_the_background(
    client, head_a, registry, large_above_five, django_capture_on_commit_callbacks
):
    job = _start(client, head_a, params={"format": "csv"}, capture=django_capture_on_commit_callbacks)
    assert job.status == ExportJob.Status.PENDING and job.created_by == head_a and job.format == "csv"
    page = client.get(reverse("core:export_job", args=[job.pk]))
    assert page.status_code == 200 and 'data-status="pending"' in page.text
    assert not AccessLog.objects.filter(action=AccessAction.EXPORT).exists()  # nothing has left yet

    run_export(job.pk)  # as the worker runs it
    job.refresh_from_db()
    assert job.status == ExportJob.Status.READY and job.rows == 7 and job.total_rows == 7
    assert export_progress(job)["percent"] == 100
    page = client.get(reverse("core:export_job", args=[job.pk]))
    assert 'data-testid="export-download"' in page.text

    response = client.get(reverse("core:export_job_download", args=[job.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="residents-')
    rows = list(csv.reader(io.StringIO(_download(response).decode("utf-8-sig"))))
    assert sorted(row[0] for row in rows[1:]) == sorted(person.name for person in registry["a"])  # in scope
    text = _download(client.get(reverse("core:export_job_download", args=[job.pk]))).decode("utf-8-sig")
    for person in registry["a"]:
        assert person.id_number not in text and person.masked_id_number in text  # masked
    assert "13912345678" not in text and "139****5678" in text
    assert "乙" not in text


def test_the_job_keeps_the_lists_filters(
    client, leader, registry, large_above_five, django_capture_on_commit_callbacks
):
    job = _start(client, leader, params={"village": "VA"}, capture=django_capture_on_commit_callbacks)
    run_export(job.pk)
    workbook = openpyxl.load_workbook(
        io.BytesIO(_download(client.get(reverse("core:export_job_download", args=[job.pk])))), read_only=True
    )
    names = [row[0] for row in workbook.active.iter_rows(min_row=2, values_only=True)]
    assert sorted(names) == sorted(person.name for person in registry["a"])


def test_the_download_is_access_logged_with_what_was_exported(
    client, head_a, registry, large_above_five, django_capture_on_commit_callbacks
):
    job = _start(client, head_a, params={"format": "csv", "tag": ""}, capture=django_capture_on_commit_callbacks)
    run_export(job.pk)
    client.get(reverse("core:export_job_download", args=[job.pk]))
    entry = AccessLog.objects.get(action=AccessAction.EXPORT)
    assert entry.user == head_a
    assert "7" in entry.object_repr and "csv" in entry.object_repr
    assert "id_number:masked" in entry.fields


def test_only_its_owner_sees_or_downloads_a_job(
    client, head_a, leader, admin_user, registry, large_above_five, django_capture_on_commit_callbacks
):
    job = _start(client, head_a, capture=django_capture_on_commit_callbacks)
    run_export(job.pk)
    for other in (leader, admin_user):
        client.force_login(other)
        assert client.get(reverse("core:export_job", args=[job.pk])).status_code == 404
        assert client.get(reverse("core:export_job_download", args=[job.pk])).status_code == 404
    assert not AccessLog.objects.filter(action=AccessAction.EXPORT).exists()


def test_the_file_is_refused_while_the_job_runs(
    client, head_a, registry, large_above_five, django_capture_on_commit_callbacks
):
    job = _start(client, head_a, capture=django_capture_on_commit_callbacks)
    assert client.get(reverse("core:export_job_download", args=[job.pk])).status_code == 409
    ExportJob.objects.filter(pk=job.pk).update(status=ExportJob.Status.RUNNING)
    assert client.get(reverse("core:export_job_download", args=[job.pk])).status_code == 409


def test_a_redelivered_task_does_nothing(
    client, head_a, registry, large_above_five, django_capture_on_commit_callbacks
):
    job = _start(client, head_a, capture=django_capture_on_commit_callbacks)
    run_export(job.pk)
    job.refresh_from_db()
    written = job.file.name
    run_export(job.pk)
    job.refresh_from_db()
    assert job.file.name == written


def test_a_user_who_lost_the_role_gets_no_file(
    client, head_a, registry, large_above_five, django_capture_on_commit_callbacks
):
    job = _start(client, head_a, capture=django_capture_on_commit_callbacks)
    head_a.roles.all().delete()
    run_export(job.pk)
    job.refresh_from_db()
    assert job.status == ExportJob.Status.FAILED and not job.file


def test_files_are_purged_a_day_after(client, head_a, registry, large_above_five, django_capture_on_commit_callbacks):
    job = _start(client, head_a, capture=django_capture_on_commit_callbacks)
    run_export(job.pk)
    job.refresh_from_db()
    storage, name = job.file.storage, job.file.name
    assert purge_export_files(now=timezone.now() + datetime.timedelta(hours=23)) == 0
    assert purge_export_files(now=timezone.now() + datetime.timedelta(hours=25)) == 1
    job.refresh_from_db()
    assert job.status == ExportJob.Status.EXPIRED and not job.file and not storage.exists(name)
    assert client.get(reverse("core:export_job_download", args=[job.pk])).status_code == 409
    assert 'data-status="expired"' in client.get(reverse("core:export_job", args=[job.pk])).text


def test_the_job_page_polls_a_partial(client, head_a, registry, large_above_five, django_capture_on_commit_callbacks):
    job = _start(client, head_a, capture=django_capture_on_commit_callbacks)
    response = client.get(reverse("core:export_job", args=[job.pk]), headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "<html" not in response.text and 'data-testid="export-progress"' in response.text


def test_the_workbook_holds_every_cell_as_written():
    """Rows of text are escaped in one pass; rows with numbers, empty cells or the separator cell by cell."""
    from core.exports import ExportRows, write_rows

    rows = [
        ["<b>&amp;", 'say "hi"', "tab\there", "bell\x07gone", "\ufffeend"],
        ["a\x00b", "x", "y", "z", "w"],
        [1, None, 2.5, "", "'=1+1"],
    ]
    spec = ExportRows(headers=list("ABCDE"), queryset=None, row=list)
    spec.objects = lambda: _Listed(rows)
    buffer = io.BytesIO()
    assert write_rows(spec, "xlsx", buffer) == 3
    sheet = openpyxl.load_workbook(io.BytesIO(buffer.getvalue())).active
    assert [list(row) for row in sheet.iter_rows(min_row=2, values_only=True)] == [
        ["<b>&amp;", 'say "hi"', "tab\there", "bellgone", "end"],
        ["ab", "x", "y", "z", "w"],
        [1, "", 2.5, "", "'=1+1"],
    ]


class _Listed(list):
    def iterator(self, chunk_size):
        return iter(self)
