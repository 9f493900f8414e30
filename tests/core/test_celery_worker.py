"""A real Celery worker runs our tasks, against the broker the settings name (Redis or the filesystem).

Each run uses its own queue so that other users of the same Redis (or broker folder) cannot take the
message, nor this worker theirs.
"""

import os
import subprocess
import sys
import uuid
from pathlib import Path
from unittest import mock

import pytest
from django.conf import settings
from django.db import transaction

from core.tasks import touch_file
from tests.polling import wait_until

pytestmark = pytest.mark.celery_worker

PROJECT_ROOT = Path(settings.BASE_DIR)
CELERY = Path(sys.executable).with_name("celery")
WORKER_COMMAND = [
    str(CELERY),
    *("-A", "luocun_antifraud", "worker", "--pool=solo", "--concurrency=1", "--loglevel=INFO"),
    *("--without-gossip", "--without-mingle", "--without-heartbeat"),
]
WAIT_SECONDS = 60


def _uses_filesystem_broker() -> bool:
    return settings.CELERY_BROKER_URL.startswith("filesystem")


def _worker_env() -> dict[str, str]:
    """The test process's environment, pinned to the very broker this process publishes to."""
    env = dict(os.environ)
    env["DJANGO_SETTINGS_MODULE"] = "luocun_antifraud.settings.test"
    env["CELERY_BROKER_URL"] = settings.CELERY_BROKER_URL
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(PROJECT_ROOT), env.get("PYTHONPATH")]))
    if _uses_filesystem_broker():
        options = settings.CELERY_BROKER_TRANSPORT_OPTIONS
        env["CELERY_BROKER_FILESYSTEM_DIR"] = str(Path(options["data_folder_out"]).parent)
    return env


def _prepare_filesystem_broker() -> None:
    options = settings.CELERY_BROKER_TRANSPORT_OPTIONS
    for key in ("data_folder_in", "data_folder_out", "processed_folder", "control_folder"):
        if options.get(key):
            Path(options[key]).mkdir(parents=True, exist_ok=True)


def _stop(worker: subprocess.Popen) -> None:
    if worker.poll() is None:
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait(timeout=10)


def test_real_worker_runs_a_task(tmp_path):
    queue = f"test_touch_file_{uuid.uuid4().hex}"
    target = tmp_path / "touched.txt"
    content = f"worker ran {queue}"
    log_path = tmp_path / "worker.log"
    if _uses_filesystem_broker():
        _prepare_filesystem_broker()

    with log_path.open("wb") as log:
        worker = subprocess.Popen(
            [*WORKER_COMMAND, "-Q", queue, "-n", f"{queue}@%h"],
            cwd=tmp_path,  # whatever the worker leaves in its working directory stays out of the repository
            env=_worker_env(),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        touch_file.apply_async(args=[str(target), content], queue=queue)

        wait_until(
            lambda: target.exists() and target.read_text(encoding="utf-8") == content,
            timeout=WAIT_SECONDS,
            what=f"the worker runs the task (broker {settings.CELERY_BROKER_URL.split('@')[-1]})",
            alive=lambda: worker.poll() is None,
            details=lambda: log_path.read_text(errors="replace"),
        )
    finally:
        _stop(worker)
        if _uses_filesystem_broker():  # a message the worker never took would lie in the shared folder forever
            for leftover in Path(settings.CELERY_BROKER_TRANSPORT_OPTIONS["data_folder_in"]).glob(f"*.{queue}.msg"):
                leftover.unlink(missing_ok=True)


def test_task_queued_in_a_rolled_back_transaction_is_never_published(db, tmp_path, django_capture_on_commit_callbacks):
    target = tmp_path / "never.txt"

    with mock.patch.object(touch_file, "apply_async") as apply_async:
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            with pytest.raises(RuntimeError), transaction.atomic():
                transaction.on_commit(lambda: touch_file.delay(str(target), "rolled back"))
                raise RuntimeError("roll back")
        assert callbacks == []
        apply_async.assert_not_called()

        # The same code in a transaction that commits does publish: the patch above is really in the path.
        with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
            transaction.on_commit(lambda: touch_file.delay(str(target), "committed"))
        assert len(callbacks) == 1
        apply_async.assert_called_once_with((str(target), "committed"), {})

    assert not target.exists()
