"""``GET /metrics``: the Prometheus text format, for the monitoring server only (``METRICS_TOKEN``).

* ``luocun_http_request_duration_seconds`` (histogram): each request's time in this process, by method, URL name
  and status class (``2xx``...), measured by :class:`RequestLatencyMiddleware`, the outermost middleware. With
  several gunicorn workers set ``PROMETHEUS_MULTIPROC_DIR`` (an empty directory, emptied at each start): every
  worker writes its figures there and the scrape adds them up (prometheus-client's multiprocess mode).
* ``luocun_celery_queue_length`` (gauge): messages waiting in each Celery queue (Redis list lengths).
* the collectors of ``settings.METRICS_COLLECTORS``, read at scrape time: ``notifications.metrics`` gives
  ``luocun_reminders_sent_total`` (overdue reminders claimed, by level) and ``luocun_deliveries_failed_total`` /
  ``luocun_deliveries_pending`` (outside deliveries given up after their retries, and those waiting, by channel).

The request must carry ``Authorization: Bearer <METRICS_TOKEN>``: 403 without it or with another token, 404 while
``METRICS_TOKEN`` is unset. Nothing here names a person or a number.
"""

from __future__ import annotations

import hmac
import logging
import os
import time

from django.conf import settings
from django.http import Http404, HttpResponse, HttpResponseForbidden
from django.utils.module_loading import import_string
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily

logger = logging.getLogger(__name__)

REQUEST_LATENCY = Histogram(
    "luocun_http_request_duration_seconds",
    "Time to answer a request, in seconds",
    ["method", "view", "status"],
    buckets=(0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
)
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
# kombu's Redis transport keeps a queue's messages in a list named after it, plus one list per priority step.
PRIORITY_SEPARATOR = "\x06\x16"
PRIORITY_STEPS = (3, 6, 9)


class RequestLatencyMiddleware:
    """Times every request (the outermost middleware, so the whole stack is counted)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        view = match.view_name if match is not None else "unresolved"  # a bounded set of labels: URL names
        method = request.method if request.method in METHODS else "other"
        REQUEST_LATENCY.labels(method, view, f"{response.status_code // 100}xx").observe(time.perf_counter() - started)
        return response


def queue_lengths() -> dict[str, int] | None:
    """Messages waiting per Celery queue, or None when the broker is not Redis (or does not answer)."""
    url = settings.CELERY_BROKER_URL
    if not url.startswith(("redis://", "rediss://")):
        return None
    import redis

    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)
        with client.pipeline(transaction=False) as pipe:
            for name in settings.CELERY_QUEUE_NAMES:
                pipe.llen(name)
                for step in PRIORITY_STEPS:
                    pipe.llen(f"{name}{PRIORITY_SEPARATOR}{step}")
            answers = pipe.execute()
    except Exception:  # the broker is down: the scrape still answers, without these figures
        logger.warning("metrics: the broker did not answer", exc_info=True)
        return None
    per_queue = 1 + len(PRIORITY_STEPS)
    return {
        name: sum(answers[index * per_queue : (index + 1) * per_queue])
        for index, name in enumerate(settings.CELERY_QUEUE_NAMES)
    }


class QueueCollector:
    """Messages waiting in each Celery queue, read from the broker at scrape time."""

    def collect(self):
        lengths = queue_lengths()
        if lengths is None:
            return
        queues = GaugeMetricFamily("luocun_celery_queue_length", "Messages waiting in a Celery queue", labels=["queue"])
        for name, length in lengths.items():
            queues.add_metric([name], length)
        yield queues


def exposition() -> bytes:
    """Every metric in the Prometheus text format."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        processes = CollectorRegistry()
        multiprocess.MultiProcessCollector(processes)
        text = generate_latest(processes)
    else:
        text = generate_latest(REGISTRY)
    application = CollectorRegistry(auto_describe=False)
    application.register(QueueCollector())
    for path in settings.METRICS_COLLECTORS:  # the apps' figures (by dotted path: core imports no app)
        application.register(import_string(path)())
    return text + generate_latest(application)


def _token_ok(request) -> bool:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(token.strip().encode(), settings.METRICS_TOKEN.encode())


@never_cache
@require_GET
def metrics_view(request):
    if not settings.METRICS_TOKEN:
        raise Http404
    if not _token_ok(request):
        return HttpResponseForbidden("metrics token required", content_type="text/plain")
    return HttpResponse(exposition(), content_type=CONTENT_TYPE_LATEST)
