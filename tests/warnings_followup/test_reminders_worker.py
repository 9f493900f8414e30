"""The overdue scan, run twice by a real Celery worker against the real broker: the village work group's robot
(a local HTTP server) receives exactly one message per case and level.

The worker is a subprocess on its own queue (as in tests/core/test_celery_worker.py), and the deliveries the scan
queues follow it onto that queue. The test polls what the worker writes: a marker task queued after the two scans
(the solo worker takes its queue in order, so once the marker ran both scans are done and every delivery they
queued is in the database), then the deliveries until none is pending. It must see the test's rows, so the test
commits them (``transaction=True``) and points the worker at the test database; that needs PostgreSQL (SQLite's
test database lives in this process's memory), which CI always runs.
"""

import datetime
import os
import subprocess
import sys
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from core.tasks import touch_file
from notifications.models import Delivery, DeliveryStatus, Notification, ReminderSent, VillageChannel
from tests import factories
from tests.notifications.robot import RobotServer
from tests.polling import wait_until
from warnings_followup.models import WarningStatus
from warnings_followup.tasks import scan_overdue

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]

PROJECT_ROOT = Path(settings.BASE_DIR)
CELERY = Path(sys.executable).with_name("celery")
WORKER_COMMAND = [
    str(CELERY),
    *("-A", "luocun_antifraud", "worker", "--pool=solo", "--concurrency=1", "--loglevel=INFO"),
    *("--without-gossip", "--without-mingle", "--without-heartbeat"),
]
WAIT_SECONDS = 90
DAY = datetime.timedelta(days=1)


def _uses_filesystem_broker() -> bool:
    return settings.CELERY_BROKER_URL.startswith("filesystem")


def _test_database_url() -> str:
    db = connection.settings_dict  # inside the test: the test database, not the one DATABASE_URL names
    credentials = quote(db["USER"] or "", safe="")
    if db.get("PASSWORD"):
        credentials += ":" + quote(db["PASSWORD"], safe="")
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or "5432"
    return f"postgres://{credentials}@{host}:{port}/{quote(db['NAME'], safe='')}"


def _worker_env() -> dict[str, str]:
    env = dict(os.environ)
    env["DJANGO_SETTINGS_MODULE"] = "luocun_antifraud.settings.test"
    env["DATABASE_URL"] = _test_database_url()
    env["CELERY_BROKER_URL"] = settings.CELERY_BROKER_URL
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(PROJECT_ROOT), env.get("PYTHONPATH")]))
    if _uses_filesystem_broker():
        options = settings.CELERY_BROKER_TRANSPORT_OPTIONS
        env["CELERY_BROKER_FILESYSTEM_DIR"] = str(Path(options["data_folder_out"]).parent)
        for key in ("data_folder_in", "data_folder_out", "processed_folder", "control_folder"):
            if options.get(key):
                Path(options[key]).mkdir(parents=True, exist_ok=True)
    return env


def _stop(worker: subprocess.Popen) -> None:
    if worker.poll() is None:
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait(timeout=10)


def test_a_real_worker_sends_each_overdue_reminder_once(village_a, grid_a, head_a, police, leader, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("the worker process cannot see SQLite's in-memory test database; CI runs PostgreSQL")
    today = timezone.localdate()
    one_day_late = factories.WarningFactory(
        village=village_a, status=WarningStatus.FOLLOWING_UP, next_visit_due=today - DAY
    )
    three_days_late = factories.WarningFactory(village=village_a, next_visit_due=today - 3 * DAY)
    queue = f"test_reminders_{uuid.uuid4().hex}"
    log_path = tmp_path / "worker.log"

    with RobotServer() as robot:
        VillageChannel.objects.create(village=village_a, webhook_url=robot.url, webhook_kind="wecom")
        with log_path.open("wb") as log:
            worker = subprocess.Popen(
                [*WORKER_COMMAND, "-Q", queue, "-n", f"{queue}@%h"],
                cwd=tmp_path,
                env=_worker_env(),
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        try:
            # The scan runs twice (beat fired twice, or the message was redelivered).
            scan_overdue.apply_async(kwargs={"today": today.isoformat()}, queue=queue)
            scan_overdue.apply_async(kwargs={"today": today.isoformat()}, queue=queue)
            marker = tmp_path / "scans-done.txt"
            touch_file.apply_async(args=[str(marker), "done"], queue=queue)
            waiting = {
                "timeout": WAIT_SECONDS,
                "alive": lambda: worker.poll() is None,
                "details": lambda: log_path.read_text(errors="replace"),
            }
            wait_until(marker.exists, what="the worker runs both scans", **waiting)
            webhooks = Delivery.objects.filter(channel="webhook")
            wait_until(
                lambda: webhooks.exists() and not webhooks.filter(status=DeliveryStatus.PENDING).exists(),
                what="the worker sends every delivery the scans queued",
                **waiting,
            )
        finally:
            _stop(worker)
            if _uses_filesystem_broker():
                folder = Path(settings.CELERY_BROKER_TRANSPORT_OPTIONS["data_folder_in"])
                for leftover in folder.glob(f"*.{queue}.msg"):
                    leftover.unlink(missing_ok=True)

    contents = robot.contents()
    assert len(contents) == 4, contents
    assert sum(one_day_late.external_id in text for text in contents) == 1  # the team
    assert sum(three_days_late.external_id in text for text in contents) == 3  # team, head, police and leadership
    assert len(set(contents)) == 4

    assert sorted(ReminderSent.objects.values_list("warning_id", "level")) == sorted(
        [
            (one_day_late.pk, "team"),
            (three_days_late.pk, "team"),
            (three_days_late.pk, "head"),
            (three_days_late.pk, "police_leadership"),
        ]
    )
    webhooks = Delivery.objects.filter(channel="webhook")
    assert {(row.status, row.attempts) for row in webhooks} == {(DeliveryStatus.SENT, 1)}
    assert Notification.objects.filter(recipient=grid_a, kind="warning.overdue.team").count() == 2
    assert Notification.objects.filter(recipient=police, kind__startswith="warning.overdue.").count() == 1
    for text in contents:
        assert one_day_late.person.id_number not in text and three_days_late.person.id_number not in text
