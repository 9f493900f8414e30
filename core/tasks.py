"""Tasks of the core app. ``touch_file`` exists only so a test can prove a real worker runs tasks."""

from pathlib import Path

from celery import shared_task


@shared_task(name="core.touch_file")
def touch_file(path: str, content: str) -> None:
    """Write ``content`` to ``path``: used only by tests/core/test_celery_worker.py; needs no database."""
    Path(path).write_text(content, encoding="utf-8")
