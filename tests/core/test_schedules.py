from celery import current_app
from django.conf import settings


def test_every_beat_schedule_names_a_registered_task():
    current_app.loader.import_default_modules()
    for name, entry in settings.CELERY_BEAT_SCHEDULE.items():
        assert entry["task"] in current_app.tasks, name
