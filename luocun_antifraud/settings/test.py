"""Test settings: SQLite by default, PostgreSQL when DATABASE_URL is set, Redis when REDIS_URL is set."""

from .base import *  # noqa: F403
from .base import INSTALLED_APPS
from .local import FIELD_ENCRYPTION_KEYS, FIELD_HASH_KEY, SECRET_KEY  # noqa: F401  (development keys)

DEBUG = False
INSTALLED_APPS = [*INSTALLED_APPS, "demo"]  # seed_demo, seed_scale: never installed in production
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
AXES_ENABLED = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# A second alias on the same test database, as a replica would be (Django's test mirror): the replica router's
# tests turn REPLICA_READS on; every other test reads from "default".
DATABASES["replica"] = {**DATABASES["default"], "TEST": {"MIRROR": "default"}}  # noqa: F405
REPLICA_READS = False
# The idle stamp is rewritten once a minute in production; in tests only once per session (600 s), so that a
# query count measured across a minute's boundary does not count the session's UPDATE.
SESSION_IDLE_STAMP_SECONDS = 600
