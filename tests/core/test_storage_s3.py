"""Files in object storage: evidence, export and import files go to an S3 bucket and leave only in scope.

The bucket is moto's server (a real S3 API over HTTP on a local port), reached through django-storages exactly as
MinIO is in docker-compose.yml (``FILE_STORAGE=s3``, path-style addressing, an endpoint URL).
"""

import csv
import io
import urllib.error
import urllib.request
import uuid

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from moto.server import ThreadedMotoServer

from core import uploads
from core.imports import confirm_job, create_job
from core.models import ImportJob
from core.tasks import run_export, run_import
from luocun_antifraud.settings.base import s3_storage
from tests import factories, files
from tests.residents.test_import import csv_sheet, person

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def s3_endpoint():
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def bucket(settings, s3_endpoint):
    """A new private bucket as the default storage (settings.STORAGES as FILE_STORAGE=s3 builds it)."""
    name = f"luocun-{uuid.uuid4().hex[:12]}"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": s3_storage(
            bucket_name=name,
            endpoint_url=s3_endpoint,
            access_key="testing",
            secret_key="testing",
            region_name="us-east-1",
        ),
    }
    settings.FILE_SERVING = "redirect"
    settings.AWS_S3_PUBLIC_ENDPOINT_URL = ""
    default_storage.connection.meta.client.create_bucket(Bucket=name)
    return default_storage


def keys(storage) -> set[str]:
    return {item.key for item in storage.bucket.objects.all()}


def fetch(url: str):
    """What a browser gets from the presigned URL (moto's server, over HTTP)."""
    with urllib.request.urlopen(url, timeout=10) as answer:
        return answer.status, answer.headers, answer.read()


def _upload(name, content):
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def test_the_bucket_is_the_default_storage(bucket):
    assert type(bucket._wrapped).__module__ == "storages.backends.s3"


def test_a_photo_goes_to_the_bucket_and_is_streamed_only_within_the_records_scope(
    client, bucket, village_a, grid_a, grid_b
):
    household = factories.HouseholdFactory(village=village_a)
    [attachment] = uploads.attach(household, [uploads.check_upload(_upload("门牌.jpg", files.jpeg()))], user=grid_a)
    assert attachment.file.name in keys(bucket)
    url = reverse("attachment", args=[attachment.pk])

    client.force_login(grid_a)
    response = client.get(url)
    # A photo shown in a page is streamed from the bucket (the CSP allows images from this origin only).
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == bucket.open(attachment.file.name).read()

    client.force_login(grid_b)
    assert client.get(url).status_code == 404


def test_a_document_is_a_short_lived_presigned_redirect_in_scope_and_404_out_of_it(
    client, bucket, s3_endpoint, village_a, grid_a, grid_b, settings
):
    settings.FILE_URL_SECONDS = 45
    household = factories.HouseholdFactory(village=village_a)
    content = files.pdf("证据")
    [attachment] = uploads.attach(household, [uploads.check_upload(_upload("笔录.pdf", content))], user=grid_a)
    url = reverse("attachment", args=[attachment.pk])

    client.force_login(grid_b)
    assert client.get(url).status_code == 404  # scope first: no URL is signed for anybody else

    client.force_login(grid_a)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Cache-Control"] == "private, no-store"
    location = response["Location"]
    assert location.startswith(f"{s3_endpoint}/{bucket.bucket_name}/attachments/")
    assert "X-Amz-Expires=45" in location and "X-Amz-Signature=" in location
    assert "response-content-disposition=attachment" in location
    status, headers, body = fetch(location)
    assert status == 200 and body == content
    assert headers["Content-Type"] == "application/pdf"
    assert headers["Content-Disposition"] == "attachment; filename*=utf-8''%E7%AC%94%E5%BD%95.pdf"

    # Without the signature the bucket refuses: its objects are private.
    unsigned = location.split("?", 1)[0]
    with pytest.raises(urllib.error.HTTPError) as refused:
        fetch(unsigned)
    assert refused.value.code == 403


def test_the_presigned_url_names_the_host_browsers_reach(client, bucket, village_a, grid_a, settings):
    settings.AWS_S3_PUBLIC_ENDPOINT_URL = "https://files.luocun.example"
    household = factories.HouseholdFactory(village=village_a)
    [attachment] = uploads.attach(household, [uploads.check_upload(_upload("a.pdf", files.pdf()))], user=grid_a)
    client.force_login(grid_a)
    location = client.get(reverse("attachment", args=[attachment.pk]))["Location"]
    assert location.startswith(f"https://files.luocun.example/{bucket.bucket_name}/attachments/")


def test_with_file_serving_stream_every_file_comes_through_django(client, bucket, village_a, grid_a, settings):
    settings.FILE_SERVING = "stream"
    household = factories.HouseholdFactory(village=village_a)
    content = files.pdf()
    [attachment] = uploads.attach(household, [uploads.check_upload(_upload("a.pdf", content))], user=grid_a)
    client.force_login(grid_a)
    response = client.get(reverse("attachment", args=[attachment.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="a.pdf"'
    assert response["Content-Length"] == str(len(content))
    assert response["Content-Security-Policy"] == "sandbox; default-src 'none'"
    assert b"".join(response.streaming_content) == content


def test_an_object_gone_from_the_bucket_is_not_found(client, bucket, village_a, grid_a):
    household = factories.HouseholdFactory(village=village_a)
    [attachment] = uploads.attach(household, [uploads.check_upload(_upload("a.pdf", files.pdf()))], user=grid_a)
    bucket.delete(attachment.file.name)
    client.force_login(grid_a)
    assert client.get(reverse("attachment", args=[attachment.pk])).status_code == 404


def test_a_failed_save_removes_its_object_from_the_bucket(bucket, village_a, grid_a):
    household = factories.HouseholdFactory(village=village_a)
    with pytest.raises(RuntimeError), uploads.files_removed_on_error():
        uploads.attach(household, [uploads.check_upload(_upload("a.jpg", files.jpeg()))], user=grid_a)
        raise RuntimeError("the record could not be saved")
    assert keys(bucket) == set()


def test_an_export_job_writes_its_file_to_the_bucket_and_only_its_owner_downloads_it(
    client, bucket, settings, head_a, leader, village_a, grid_a1, django_capture_on_commit_callbacks
):
    settings.EXPORT_ASYNC_ROWS = 2
    home = factories.HouseholdFactory(village=village_a, grid=grid_a1)
    for n in range(3):
        factories.ResidentFactory(household=home, name=f"甲{n}")
    client.force_login(head_a)
    with django_capture_on_commit_callbacks(execute=False):
        assert client.get(reverse("residents:export_residents"), {"format": "csv"}).status_code == 302
    from core.models import ExportJob

    job = ExportJob.objects.get()
    run_export(job.pk)
    job.refresh_from_db()
    assert job.status == ExportJob.Status.READY and job.file.name in keys(bucket)

    download = reverse("core:export_job_download", args=[job.pk])
    response = client.get(download)
    assert response.status_code == 302
    status, _, body = fetch(response["Location"])
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert status == 200 and len(rows) == 4 and {"甲0", "甲1", "甲2"} <= {cell for row in rows for cell in row}

    client.force_login(leader)
    assert client.get(download).status_code == 404


def test_an_import_file_is_read_from_the_bucket_and_deleted_after_the_commit(
    bucket, settings, leader, village_a, grid_a1, django_capture_on_commit_callbacks
):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    data = csv_sheet([person(1), person(2)])
    with django_capture_on_commit_callbacks(execute=True):
        job = create_job("residents", user=leader, uploaded=SimpleUploadedFile("居民.csv", data))
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DRY_RUN_DONE, job.errors
    assert job.file.name in keys(bucket)  # the upload waits in the bucket for the confirmation
    with django_capture_on_commit_callbacks(execute=True):
        commit = confirm_job(job=job, user=leader)
    commit.refresh_from_db()
    assert commit.status == ImportJob.Status.SUCCEEDED, commit.errors
    assert keys(bucket) == set()  # it held plain ID numbers: gone once imported
    run_import(commit.pk)  # a redelivered task does nothing


def test_a_pledges_signature_goes_to_the_bucket_and_is_streamed_only_within_scope(
    client, bucket, village_a, grid_a, grid_b
):
    from campaigns.models import Pledge
    from tests.campaigns.factories import PledgeFactory

    pledge = PledgeFactory(resident=factories.ResidentFactory(household=factories.HouseholdFactory(village=village_a)))
    assert Pledge.objects.get(pk=pledge.pk).image.name in keys(bucket)
    url = reverse("campaigns:pledge_image", args=[pledge.pk])

    client.force_login(grid_a)
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content) == bucket.open(pledge.image.name).read()

    client.force_login(grid_b)
    assert client.get(url).status_code == 404


def test_a_schools_seal_goes_to_the_bucket_and_only_its_school_reaches_it(
    client, bucket, middle_school, centre_school, school, school_c
):
    from tests.schools.factories import SchoolProfileFactory, checked_png

    profile = SchoolProfileFactory(school=middle_school)
    [seal] = uploads.attach(profile, [checked_png(name="公章.png")], user=school)
    assert seal.file.name in keys(bucket)
    url = reverse("attachment", args=[seal.pk])

    client.force_login(school)
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == bucket.open(seal.file.name).read()

    client.force_login(school_c)
    assert client.get(url).status_code == 404
