"""Development settings: `make run`. The only place with development keys (test.py takes them from here)."""

from .base import *  # noqa: F403
from .base import INSTALLED_APPS, env

DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = env("SECRET_KEY", default="dev-insecure-secret-key-change-me-0123456789abcdef")
FIELD_ENCRYPTION_KEYS = env.list("FIELD_ENCRYPTION_KEYS", default=["ZGV2LW9ubHkta2V5LWRvLW5vdC11c2UtaW4tcHJvZCE="])
FIELD_HASH_KEY = env("FIELD_HASH_KEY", default="dev-only-hash-key-do-not-use-in-production")
INSTALLED_APPS = [*INSTALLED_APPS, "demo"]  # seed_demo, seed_scale: never installed in production
