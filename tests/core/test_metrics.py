"""The monitoring server scrapes /metrics with its token: request latency, queue depth, reminders, failed deliveries."""

import datetime
import json
import logging
import os
import subprocess
import sys
import uuid

import pytest
import redis
from django.urls import reverse
from prometheus_client.parser import text_string_to_metric_families

from core.logging import JsonFormatter
from core.privacy import MaskNumbersFilter
from notifications.models import Delivery, DeliveryChannel, DeliveryStatus, ReminderLevel, ReminderSent
from tests import factories

pytestmark = pytest.mark.django_db

URL = reverse("metrics")
TOKEN = "a-long-random-metrics-token"


@pytest.fixture
def token(settings):
    settings.METRICS_TOKEN = TOKEN
    return {"Authorization": f"Bearer {TOKEN}"}


def families(response) -> dict:
    return {family.name: family for family in text_string_to_metric_families(response.content.decode())}


def samples(family, name=None) -> dict:
    return {tuple(sorted(s.labels.items())): s.value for s in family.samples if name is None or s.name == name}


def test_without_a_configured_token_metrics_do_not_exist(client, settings):
    settings.METRICS_TOKEN = ""
    assert client.get(URL, headers={"Authorization": "Bearer "}).status_code == 404


def test_a_scrape_without_the_token_or_with_another_is_refused(client, token):
    assert client.get(URL).status_code == 403
    assert client.get(URL, headers={"Authorization": "Bearer wrong"}).status_code == 403
    assert client.get(URL, headers={"Authorization": f"Basic {TOKEN}"}).status_code == 403
    assert client.get(URL, {"token": TOKEN}).status_code == 403  # never in the query string (access logs)


def test_a_signed_in_user_still_needs_the_token(client, token, leader):
    client.force_login(leader)
    assert client.get(URL).status_code == 403


def test_the_scrape_is_prometheus_text_with_request_latency(client, token):
    client.get(reverse("healthz"))
    response = client.get(URL, headers=token)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=")
    latency = families(response)["luocun_http_request_duration_seconds"]
    assert latency.type == "histogram"
    counts = samples(latency, "luocun_http_request_duration_seconds_count")
    assert counts[(("method", "GET"), ("status", "2xx"), ("view", "healthz"))] >= 1


def test_reminders_sent_and_failed_deliveries_are_counted(client, token, village_a):
    warning = factories.WarningFactory(village=village_a)
    for level in (ReminderLevel.choices[0][0], ReminderLevel.choices[-1][0]):
        ReminderSent.objects.create(warning=warning, due_date=datetime.date(2026, 3, 1), level=level)
    for n, status in enumerate([DeliveryStatus.FAILED, DeliveryStatus.FAILED, DeliveryStatus.PENDING, "sent"]):
        Delivery.objects.create(
            channel=DeliveryChannel.SMS,
            recipient_key=f"village:{village_a.pk}",
            village=village_a,
            dedupe_key=f"event-{n}",
            summary="…",
            status=status,
        )
    found = families(client.get(URL, headers=token))
    assert found["luocun_reminders_sent"].type == "counter"
    assert sum(samples(found["luocun_reminders_sent"], "luocun_reminders_sent_total").values()) == 2
    assert samples(found["luocun_deliveries_failed"], "luocun_deliveries_failed_total") == {(("channel", "sms"),): 2}
    assert samples(found["luocun_deliveries_pending"]) == {(("channel", "sms"),): 1}


def test_the_depth_of_each_celery_queue_is_read_from_redis(client, token, settings):
    assert settings.REDIS_URL, "the queue depth is read from Redis: run the tests with REDIS_URL, as CI does"
    queue = f"test-queue-{uuid.uuid4().hex[:8]}"
    settings.CELERY_BROKER_URL = settings.REDIS_URL
    settings.CELERY_QUEUE_NAMES = ["celery", queue]
    broker = redis.Redis.from_url(settings.REDIS_URL)
    try:
        broker.lpush(queue, "a", "b", "c")
        broker.lpush(f"{queue}\x06\x166", "d")  # a message of priority 6 (kombu keeps one list per step)
        found = families(client.get(URL, headers=token))
    finally:
        broker.delete(queue, f"{queue}\x06\x166")
    assert samples(found["luocun_celery_queue_length"])[(("queue", queue),)] == 4


def test_the_scrape_answers_when_the_broker_is_down(client, token, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    response = client.get(URL, headers=token)
    assert response.status_code == 200
    assert "luocun_celery_queue_length" not in families(response)


def test_json_log_lines_keep_numbers_masked():
    record = logging.LogRecord("core", logging.WARNING, __file__, 1, "call %s about %s", ("13912345678", "x"), None)
    record.path = "/residents/?q=440605199001011234"  # an extra that no filter looked at
    assert MaskNumbersFilter().filter(record)
    line = JsonFormatter().format(record)
    entry = json.loads(line)
    assert entry["level"] == "WARNING" and entry["logger"] == "core"
    assert "13912345678" not in line and "440605199001011234" not in line
    assert entry["message"].startswith("call ") and entry["path"].startswith("/residents/?q=")


def test_log_format_json_gives_every_handler_the_json_formatter():
    code = (
        "import django, logging; django.setup();"
        "from django.conf import settings;"
        "print(sorted({h.get('formatter') for h in settings.LOGGING['handlers'].values()}));"
        "logging.getLogger('core').warning('phone 13912345678')"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "luocun_antifraud.settings.test",
        "LOG_FORMAT": "json",
    }
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "['json']"
    entry = json.loads(done.stderr.strip().splitlines()[-1])
    assert entry["logger"] == "core" and entry["message"] == "phone 139****5678"
