"""Import jobs never wait forever: the periodic scan queues undelivered jobs again and fails abandoned ones."""

import datetime

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from core import imports
from core.models import ImportJob

pytestmark = pytest.mark.django_db


@pytest.fixture
def queued(monkeypatch):
    sent = []
    monkeypatch.setattr(imports, "queue_job", sent.append)
    return sent


def job(user, *, status=ImportJob.Status.PENDING, age=datetime.timedelta(minutes=10), **fields):
    """A job created ``age`` ago (and started then, when it is running)."""
    then = timezone.now() - age
    started = then if status == ImportJob.Status.RUNNING else None
    created = ImportJob.objects.create(kind="residents", created_by=user, status=status, started_at=started, **fields)
    ImportJob.objects.filter(pk=created.pk).update(created_at=then)
    return created


def test_a_job_the_broker_never_delivered_is_queued_again(head_a, queued):
    waiting = job(head_a)
    fresh = job(head_a, age=datetime.timedelta(minutes=1))
    assert imports.sweep_stale_jobs() == {"requeued": 1, "failed": 0}
    assert queued == [waiting.pk]
    assert fresh.pk not in queued


def test_a_requeued_job_still_runs_once(head_a, queued, monkeypatch):
    waiting = job(head_a)
    imports.sweep_stale_jobs()
    ImportJob.objects.filter(pk=waiting.pk).update(status=ImportJob.Status.RUNNING)  # the first delivery claimed it
    assert imports.run_job(job_id=waiting.pk) is None  # the second finds it claimed


def test_while_the_broker_is_down_the_scan_tries_again_later(head_a, monkeypatch, caplog):
    def down(pk):
        raise ConnectionError("broker down")

    monkeypatch.setattr(imports, "queue_job", down)
    waiting = job(head_a)
    assert imports.sweep_stale_jobs() == {"requeued": 0, "failed": 0}
    waiting.refresh_from_db()
    assert waiting.status == ImportJob.Status.PENDING
    assert "could not be queued again" in caplog.text


def test_a_job_whose_worker_died_fails_with_a_message_and_its_file_goes(head_a, queued):
    stuck = job(head_a, status=ImportJob.Status.RUNNING, age=datetime.timedelta(hours=3), dry_run=False)
    stuck.file.save("upload.xlsx", ContentFile(b"PK\x03\x04"), save=True)
    name = stuck.file.name
    running = job(head_a, status=ImportJob.Status.RUNNING, age=datetime.timedelta(minutes=30))

    assert imports.sweep_stale_jobs() == {"requeued": 0, "failed": 1}
    stuck.refresh_from_db()
    running.refresh_from_db()
    assert stuck.status == ImportJob.Status.FAILED
    assert "没有导入任何数据" in stuck.errors[0]["message"]
    assert not default_storage.exists(name)
    assert running.status == ImportJob.Status.RUNNING


def test_the_scan_runs_every_five_minutes(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["queue stalled import jobs again"]
    assert entry["task"] == "core.sweep_import_jobs"
