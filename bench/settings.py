"""Settings of the real-scale benchmarks (``bench.pages`` and its siblings): the test settings, plus

* ``ROOT_URLCONF = "bench.urls"``: the project's URLs and the floor view, which lives only here;
* files on disk in a temporary ``MEDIA_ROOT`` (the test settings keep them in memory, which would count an
  export's file in the worker's memory);
* a cache of its own (Redis under a per-run key prefix when ``REDIS_URL`` is set, else local memory), so that
  nothing cached by an earlier run or another database is ever read;
* Celery's in-memory broker: nothing the benchmark queues reaches a real worker;
* ``CONN_MAX_AGE`` from ``BENCH_CONN_MAX_AGE`` (the gunicorn server of ``bench.visit_posters`` keeps its
  connections for 60 s, as production does).
"""

import os
import tempfile
import uuid
import warnings

from luocun_antifraud.settings.test import *  # noqa: F403
from luocun_antifraud.settings.test import DATABASES, REDIS_URL

ROOT_URLCONF = "bench.urls"
MEDIA_ROOT = os.environ.get("BENCH_MEDIA_ROOT") or tempfile.mkdtemp(prefix="luocun-bench-media-")
SENDFILE_ROOT = str(MEDIA_ROOT)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
_prefix = os.environ.get("BENCH_CACHE_PREFIX") or f"bench-{uuid.uuid4().hex[:12]}"
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": _prefix,
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "KEY_PREFIX": _prefix}}
CELERY_BROKER_URL = "memory://"
CELERY_BROKER_TRANSPORT_OPTIONS = {}
DATABASES["default"]["CONN_MAX_AGE"] = int(os.environ.get("BENCH_CONN_MAX_AGE", "0"))
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
LOGGING = {**LOGGING, "root": {**LOGGING["root"], "level": os.environ.get("LOG_LEVEL", "WARNING")}}  # noqa: F405
warnings.filterwarnings("ignore", "No directory at", UserWarning)  # whitenoise, without collectstatic
LOGGING["loggers"] = {**LOGGING["loggers"], "django.request": {"level": "ERROR"}}  # 403/404 of roles' pages
