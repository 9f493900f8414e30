"""A chaos tester stops Redis, stops the database and types NUL bytes: every answer stays honest, never a 500.

Redis down (broker and cache at a closed port): an import upload and its confirmation succeed, the jobs
wait, and the periodic sweep queues them once the broker is back. Database down: 503 with ``Retry-After``
and a short page (JSON under /api/). A NUL byte in a path or a parameter: 400 (or 404), never 500.
"""

import contextlib
import datetime
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.utils import OperationalError
from django.urls import reverse
from django.utils import timezone

from core import imports
from core.models import ImportJob
from tests.residents.test_import import person, xlsx_sheet

pytestmark = pytest.mark.django_db

CLOSED_PORT = "redis://127.0.0.1:1/0"  # nothing listens on port 1


def _reset_producers(app):
    """Forget the producers built for the previous broker URL."""
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def redis_down(settings):
    """The broker and the cache point at a port where nothing answers, as when Redis has stopped."""
    from luocun_antifraud.celery import app

    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CLOSED_PORT}}
    original = app.conf.broker_url
    app.conf.broker_url = CLOSED_PORT
    _reset_producers(app)
    yield
    app.conf.broker_url = original
    _reset_producers(app)


@pytest.fixture
def villages(village_a, village_b, grid_a1, grid_b1):
    return village_a, village_b


def later(minutes=6):
    return timezone.now() + datetime.timedelta(minutes=minutes)


class TestRedisDown:
    def test_an_import_uploaded_while_redis_is_down_is_accepted_and_queued_when_it_returns(
        self, client, leader, villages, redis_down, django_capture_on_commit_callbacks, caplog
    ):
        client.force_login(leader)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                reverse("residents:import_start"), {"file": SimpleUploadedFile("居民.xlsx", xlsx_sheet([person(1)]))}
            )
        job = ImportJob.objects.get()
        assert response.status_code == 302 and response["Location"] == reverse("residents:import_job", args=[job.pk])
        assert "Connection refused" in caplog.text  # it really tried the closed port
        assert job.status == ImportJob.Status.PENDING
        assert client.get(response["Location"]).status_code == 200  # the page waits, without its progress cache

    def test_a_confirmation_while_redis_is_down_succeeds_and_the_commit_waits(
        self, client, leader, villages, redis_down, django_capture_on_commit_callbacks
    ):
        check = ImportJob.objects.create(
            kind="residents",
            created_by=leader,
            status=ImportJob.Status.DRY_RUN_DONE,
            file="imports/upload.xlsx",
            total_rows=1,
        )
        client.force_login(leader)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("residents:import_confirm", args=[check.pk]))
        commit = ImportJob.objects.get(source=check)
        assert response.status_code == 302 and response["Location"] == reverse("residents:import_job", args=[commit.pk])
        assert commit.status == ImportJob.Status.PENDING

    def test_the_sweep_queues_the_waiting_job_once_the_broker_is_back(
        self, client, leader, villages, settings, django_capture_on_commit_callbacks
    ):
        from luocun_antifraud.celery import app

        settings.CELERY_TASK_ALWAYS_EAGER = False
        original = app.conf.broker_url
        app.conf.broker_url = CLOSED_PORT
        _reset_producers(app)
        try:
            client.force_login(leader)
            with django_capture_on_commit_callbacks(execute=True):
                client.post(
                    reverse("residents:import_start"),
                    {"file": SimpleUploadedFile("居民.xlsx", xlsx_sheet([person(1)]))},
                )
            assert imports.sweep_stale_jobs(now=later()) == {"requeued": 0, "failed": 0}  # still down
        finally:
            app.conf.broker_url = original
            _reset_producers(app)
        job = ImportJob.objects.get()
        with mock.patch("core.tasks.run_import.delay") as delivered:
            assert imports.sweep_stale_jobs(now=later()) == {"requeued": 1, "failed": 0}
        delivered.assert_called_once_with(job.pk)


@contextlib.contextmanager
def database_down():
    def refuse(self):
        raise OperationalError('connection to server at "127.0.0.1", port 5432 failed: Connection refused')

    with mock.patch.object(BaseDatabaseWrapper, "ensure_connection", refuse):
        yield


class TestDatabaseDown:
    def test_a_page_answers_503_with_retry_after_and_a_short_page(self, client, leader):
        client.force_login(leader)
        client.raise_request_exception = False
        with database_down():
            response = client.get(reverse("home"))
        assert response.status_code == 503
        assert int(response["Retry-After"]) > 0
        body = response.content.decode()
        assert "暂时无法使用" in body and len(body) < 2000

    def test_the_api_answers_503_in_json(self, client, leader):
        client.force_login(leader)
        client.raise_request_exception = False
        with database_down():
            response = client.get("/api/v1/coverage/")
        assert response.status_code == 503
        assert response["Retry-After"]
        assert response.json()["detail"]

    def test_another_error_is_still_a_500(self, client, leader):
        client.force_login(leader)
        client.raise_request_exception = False
        with mock.patch("organization.views.render", side_effect=RuntimeError("a bug")):
            response = client.get(reverse("home"))
        assert response.status_code == 500


# Every one of these answered 500 before: PostgreSQL refuses NUL in text.
NUL_URLS = [
    "/verify/%00/",
    "/organization/?q=%00",
    "/campaigns/coverage/?unit=%00",
    "/campaigns/coverage/export.xlsx?unit=%00",
    "/campaigns/print/pledge-forms/?unit=%00",
    "/publicity/volunteers/?q=%00",
    "/publicity/venues/?q=%00",
    "/api/v1/coverage/?unit=%00",
    "/residents/residents/?q=ab%00cd",
    "/warnings/?status=%00&page=%00",
]
PARAMETERS = ["unit", "q", "village", "period", "status", "page", "school", "grid", "kind", "code"]


class TestNulBytes:
    @pytest.mark.parametrize("url", NUL_URLS)
    def test_a_nul_byte_is_a_bad_request(self, client, leader, police, url):
        for user in (leader, police):
            client.force_login(user)
            assert client.get(url).status_code in (400, 404), url

    @pytest.mark.parametrize("parameter", PARAMETERS)
    def test_a_nul_byte_in_any_common_parameter_is_refused(self, client, leader, parameter):
        client.force_login(leader)
        assert client.get(f"/campaigns/coverage/?{parameter}=a%00").status_code == 400
        assert client.get(f"/api/v1/coverage/?{parameter}=%00").status_code == 400

    def test_the_api_answers_json(self, client, leader):
        client.force_login(leader)
        response = client.get("/api/v1/coverage/?unit=%00")
        assert response.status_code == 400 and response.json()["detail"]

    def test_the_verification_page_refuses_it_without_login(self, client):
        assert client.get("/verify/%00/").status_code == 400
