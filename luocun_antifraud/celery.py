import os

from celery import Celery
from celery.signals import after_setup_logger, after_setup_task_logger

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "luocun_antifraud.settings.production")

app = Celery("luocun_antifraud")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@after_setup_logger.connect
@after_setup_task_logger.connect
def mask_numbers_in_worker_logs(logger=None, **kwargs):
    """The worker replaces the root logger's handlers (worker_hijack_root_logger): mask full ID and mobile
    numbers in its lines too, as LOGGING does for the web process."""
    from core.privacy import install_mask_filter

    if logger is not None:
        install_mask_filter(logger)
