import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "luocun_antifraud.settings.local")

app = Celery("luocun_antifraud")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
