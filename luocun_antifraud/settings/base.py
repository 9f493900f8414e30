"""Settings shared by every environment. Values come from the environment (django-environ)."""

from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _
from kombu import Queue

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

# SECRET_KEY, FIELD_ENCRYPTION_KEYS and FIELD_HASH_KEY: required from the environment in production; development
# values live only in local.py (and test.py, which takes them from there).
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.forms",  # the widget templates, so that templates/django/forms/ can override them
    # third party
    "crispy_forms",
    "crispy_bootstrap5",
    "django_filters",
    "import_export",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "django_celery_beat",
    "simple_history",
    "axes",
    "csp",
    "django_htmx",
    # ours
    "core",
    "organization",
    "audit",
    "residents",
    "notifications",
    "campaigns",
    "publicity",
    "warnings_followup",
    "schools",
    "education",
    "fraud_cases",
    "assessment",
    "field",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Under /api/: a query parameter counts once (400 otherwise), and every error answer is JSON.
    "core.api_middleware.ApiErrorsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # No full ID or mobile numbers in query strings (they end up in access logs): 400, use a POST body.
    "core.privacy.NumbersInURLMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "core.faults.RejectNulMiddleware",  # a NUL byte in the path or query: 400 before any view or query
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "core.middleware.IdleSessionTimeoutMiddleware",
    # axes must be last
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "luocun_antifraud.urls"

# Widgets render through TEMPLATES, so templates/django/forms/widgets/ can say "请选择" for an empty choice.
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "organization.context_processors.navigation",
                "notifications.context_processors.unread",
            ],
        },
    },
]

WSGI_APPLICATION = "luocun_antifraud.wsgi.application"
ASGI_APPLICATION = "luocun_antifraud.asgi.application"

# Database: SQLite by default so nothing needs installing; PostgreSQL via DATABASE_URL.
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "organization.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Django's model backend reading the user's unit and roles in the same query; the plain one stays for the
    # sessions opened before it (a session remembers the backend that logged it in).
    "organization.backends.UserBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Passwords: at least 10 characters, not common, not all digits, not like the username, not the demo password
# nor a name of this site with digits (organization.passwords).
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "organization.passwords.GuessablePasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Sessions: 12 hours at most, 30 minutes idle (the reliability goals).
SESSION_COOKIE_AGE = 12 * 60 * 60
# Read from the cache, written to the database too; the database alone while the cache is down.
SESSION_ENGINE = "core.sessions"
SESSION_IDLE_TIMEOUT = env.int("SESSION_IDLE_TIMEOUT", default=30 * 60)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

# Login lockout: 10 failures in 15 minutes lock the account for that address; 30 failures from one
# address, whatever the usernames, lock the address (django-axes, organization.lockout). The address
# is the client's, read behind TRUSTED_PROXY_COUNT proxies as the access log reads it.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=10)
LOGIN_ADDRESS_FAILURE_LIMIT = env.int("LOGIN_ADDRESS_FAILURE_LIMIT", default=30)
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "core.http.client_ip"
AXES_HANDLER = "organization.lockout.AddressLimitHandler"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"

# Internationalisation: Simplified Chinese by default, English available.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(BASE_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Evidence uploads (core.uploads): the largest file accepted of each kind, in MB.
UPLOAD_LIMITS_MB = {"image": 10, "document": 20, "audio": 20, "video": 100}
# Stored files leave through scoped views (core.serving) and django-sendfile2: "simple" reads them in Django;
# behind nginx, "django_sendfile.backends.nginx" answers X-Accel-Redirect to SENDFILE_URL, an `internal`
# location aliasing MEDIA_ROOT, and nginx streams the file. /media/ itself is never served.
SENDFILE_BACKEND = env("SENDFILE_BACKEND", default="django_sendfile.backends.simple")
SENDFILE_ROOT = str(MEDIA_ROOT)
SENDFILE_URL = env("SENDFILE_URL", default="/protected-media")
# Spreadsheet imports (core.workbooks): the upload request checks the zip's sizes, the worker reads the rows.
IMPORT_MAX_ROWS = env.int("IMPORT_MAX_ROWS", default=200_000)  # data rows of one sheet
IMPORT_MAX_SHEET_MB = env.int("IMPORT_MAX_SHEET_MB", default=50)  # each worksheet part, unpacked
IMPORT_MAX_SHARED_STRINGS_MB = env.int("IMPORT_MAX_SHARED_STRINGS_MB", default=20)  # the shared strings, unpacked
IMPORT_MAX_UNPACKED_MB = env.int("IMPORT_MAX_UNPACKED_MB", default=100)  # every part together, unpacked
IMPORT_MAX_ZIP_RATIO = env.int("IMPORT_MAX_ZIP_RATIO", default=100)  # unpacked/packed of a part over 1 MB
IMPORT_MAX_ZIP_ENTRIES = env.int("IMPORT_MAX_ZIP_ENTRIES", default=200)
IMPORT_READER_MEMORY_MB = env.int("IMPORT_READER_MEMORY_MB", default=1024)  # the worker's reading process
IMPORT_READER_SECONDS = env.int("IMPORT_READER_SECONDS", default=120)

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Field encryption for sensitive personal information (ID, phone, bank numbers).
# FIELD_ENCRYPTION_KEYS: comma-separated Fernet keys, newest first (rotation: prepend a new key,
# run `manage.py rotate_field_keys`, then drop the old one). FIELD_HASH_KEY: the keyed-hash secret. Both are set
# by the environment-specific modules (production requires them).

# Celery. Without REDIS_URL / CELERY_BROKER_URL the broker is kombu's filesystem transport:
# it needs no server, so `make run` works on a machine with only Python.
REDIS_URL = env("REDIS_URL", default="")
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL or "filesystem://")
CELERY_BROKER_FILESYSTEM_DIR = Path(
    env("CELERY_BROKER_FILESYSTEM_DIR", default=str(BASE_DIR / "var" / "celery-broker"))
)
if CELERY_BROKER_URL.startswith("filesystem"):
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_BROKER_FILESYSTEM_DIR / "out"),
        "data_folder_out": str(CELERY_BROKER_FILESYSTEM_DIR / "out"),
        "processed_folder": str(CELERY_BROKER_FILESYSTEM_DIR / "processed"),
        "control_folder": str(CELERY_BROKER_FILESYSTEM_DIR / "control"),
        "store_processed": False,
    }
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_BROKER_CONNECTION_TIMEOUT = 3
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.5}
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# The plan's rules (intervals, thresholds): defaults in core.rules.DEFAULTS, each settable as RULE_<NAME>.
from core.rules import DEFAULTS as _PLAN_RULE_DEFAULTS  # noqa: E402

PLAN_RULES = {name: env.int(f"RULE_{name}", default=value) for name, value in _PLAN_RULE_DEFAULTS.items()}

# Housekeeping schedules; beat copies them into its database table (editable in the admin). The
# reminder schedules are created by a data migration of the notifications app.
CELERY_BEAT_SCHEDULE = {
    "purge unconfirmed import uploads": {
        "task": "residents.purge_import_files",
        "schedule": crontab(minute="30", hour="3"),
    },
    "queue stalled import jobs again": {
        "task": "core.sweep_import_jobs",
        "schedule": crontab(minute="*/5"),
    },
    "purge export files a day old": {
        "task": "core.purge_export_files",
        "schedule": crontab(minute="15"),
    },
}

# An export of more rows than this runs as a background job (core.exports): the file is written by the
# worker and downloaded when ready; smaller ones are answered at once. Files are deleted after EXPORT_KEEP_HOURS.
EXPORT_ASYNC_ROWS = env.int("EXPORT_ASYNC_ROWS", default=20_000)
EXPORT_KEEP_HOURS = env.int("EXPORT_KEEP_HOURS", default=24)

# Cache: Redis when available; otherwise files, so that the web server and the worker share it
# (import progress is published through the cache).
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(BASE_DIR / "var" / "cache"),
        }
    }

# API tokens expire API_TOKEN_DAYS days after they were issued, and die when the password changes.
API_TOKEN_DAYS = env.int("API_TOKEN_DAYS", default=90)
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "organization.tokens.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "core.api.Pagination",
    "PAGE_SIZE": 50,
    # django-filter, refusing empty or ill-typed values of typed filters (400) instead of ignoring them.
    "DEFAULT_FILTER_BACKENDS": ["core.api.FilterBackend"],
    # drf-spectacular, plus the 400/401/403/404 every operation can answer (core.api_schema.AutoSchema).
    "DEFAULT_SCHEMA_CLASS": "core.api_schema.AutoSchema",
    "EXCEPTION_HANDLER": "core.api.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Luocun Anti-Fraud API",
    "DESCRIPTION": "罗村反诈 — API for the police platform and other outside systems.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema maps every endpoint: outside systems read it with their token, anonymous callers get 401.
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    # One name per choice list shared across apps (outside systems generate clients from these names).
    "ENUM_NAME_OVERRIDES": {
        "FraudTypeEnum": "warnings_followup.models.FraudType",
        "CaseSourceEnum": "fraud_cases.models.CaseSource",
    },
}

# Content Security Policy (django-csp 4): only our own origin; no CDN anywhere.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:", "blob:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "frame-ancestors": [NONE],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
    }
}
# How many reverse proxies stand in front (each appends to X-Forwarded-For); 0 when none.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Every handler masks full ID and mobile numbers in its lines (core.privacy.MaskNumbersFilter); gunicorn's
# logs get the same filter in gunicorn.conf.py, Celery's in luocun_antifraud/celery.py.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"mask_numbers": {"()": "core.privacy.MaskNumbersFilter"}},
    "formatters": {
        "django.server": {"()": "django.utils.log.ServerFormatter", "format": "[{server_time}] {message}", "style": "{"}
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["mask_numbers"]},
        "django.server": {"class": "logging.StreamHandler", "formatter": "django.server", "filters": ["mask_numbers"]},
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # Replace Django's own handlers (runserver's request lines, the DEBUG console) by filtered ones:
        # "django" then logs through the root's console.
        "django": {"handlers": []},
        "django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False},
    },
}
AXES_VERBOSE = False

# Outside channels for reminders and notifications (notifications.channels).
# SMS_BACKEND: a dotted path to a notifications.channels.BaseSMSBackend subclass (the console one logs).
SMS_BACKEND = env("SMS_BACKEND", default="notifications.channels.ConsoleSMSBackend")
WEBHOOK_TIMEOUT = env.float("WEBHOOK_TIMEOUT", default=5.0)  # seconds, per attempt to post to a group robot
DELIVERY_MAX_RETRIES = env.int("DELIVERY_MAX_RETRIES", default=5)  # retries, exponential back-off 30 s ... 600 s

# --- County deployment (docs/operations.md): object storage, PgBouncer, a read replica, queues, metrics, logs ----

# Files (attachments, signatures, seals, import and export files): the disk under MEDIA_ROOT by default;
# FILE_STORAGE=s3 puts them in an S3-compatible bucket (MinIO in docker-compose.yml) through django-storages.
# They still leave only through the scoped views (core.serving): a presigned URL living FILE_URL_SECONDS
# (FILE_SERVING=redirect) or streamed through Django (FILE_SERVING=stream). Images shown in pages are always
# streamed, since the pages' CSP allows images from this origin only.
FILE_STORAGE = env.str("FILE_STORAGE", default="local")
if FILE_STORAGE not in ("local", "s3"):
    raise ValueError(f"FILE_STORAGE must be 'local' or 's3', not {FILE_STORAGE!r}")
FILE_SERVING = env.str("FILE_SERVING", default="redirect")
if FILE_SERVING not in ("redirect", "stream"):
    raise ValueError(f"FILE_SERVING must be 'redirect' or 'stream', not {FILE_SERVING!r}")
FILE_URL_SECONDS = env.int("FILE_URL_SECONDS", default=60)
# What browsers reach for a presigned URL when it differs from the endpoint the servers use (MinIO behind a
# proxy): the URL is signed for this host.
AWS_S3_PUBLIC_ENDPOINT_URL = env.str("AWS_S3_PUBLIC_ENDPOINT_URL", default="")


def s3_storage(**overrides) -> dict:
    """The ``STORAGES`` entry of the S3 bucket described by the AWS_* variables (``overrides`` win)."""
    options = {
        "bucket_name": env.str("AWS_STORAGE_BUCKET_NAME", default="luocun-files"),
        "endpoint_url": env.str("AWS_S3_ENDPOINT_URL", default="") or None,
        "region_name": env.str("AWS_S3_REGION_NAME", default="us-east-1"),
        "access_key": env.str("AWS_ACCESS_KEY_ID", default="") or None,
        "secret_key": env.str("AWS_SECRET_ACCESS_KEY", default="") or None,
        "addressing_style": env.str("AWS_S3_ADDRESSING_STYLE", default="path"),  # MinIO: path
        "location": env.str("AWS_LOCATION", default=""),  # a prefix inside the bucket
        "signature_version": "s3v4",
        "default_acl": None,  # private objects: the bucket's policy, never public-read
        "querystring_auth": True,
        "querystring_expire": FILE_URL_SECONDS,
        "file_overwrite": False,
    }
    encryption = env.str("AWS_S3_SSE", default="")  # e.g. AES256: the store encrypts every object at rest
    if encryption:
        options["object_parameters"] = {"ServerSideEncryption": encryption}
    options.update(overrides)
    return {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options}


if FILE_STORAGE == "s3":
    STORAGES["default"] = s3_storage()

# The replica (optional): read-only pages (dashboards, indicators, reports, case analysis) read from
# DATABASE_REPLICA_URL, a streaming replica of the primary; every write goes to the primary
# (luocun_antifraud.db_router). Without it everything reads from "default".
DATABASE_REPLICA_URL = env.str("DATABASE_REPLICA_URL", default="")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = env.db_url_config(DATABASE_REPLICA_URL)
    DATABASES["replica"]["CONN_HEALTH_CHECKS"] = True
DATABASE_ROUTERS = ["luocun_antifraud.db_router.ReplicaRouter"]
REPLICA_READS = env.bool("REPLICA_READS", default=bool(DATABASE_REPLICA_URL))
# The views whose GET requests read from the replica (URL names).
REPLICA_READ_VIEWS = [
    "assessment:dashboard",
    "assessment:village",
    "assessment:bulletin",
    "assessment:indicators",
    "assessment:report_list",
    "assessment:report_detail",
    "assessment:report_docx",
    "assessment:report_xlsx",
    "indicators",  # GET /api/v1/indicators/
    "fraud_cases:analysis",
    "fraud_cases:analysis_export",
]
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1,
    "luocun_antifraud.db_router.ReplicaReadsMiddleware",
)

# PgBouncer in transaction mode in front of PostgreSQL: a server connection belongs to a client only for one
# transaction, so no server-side cursors (.iterator() then fetches on the client) and no prepared statements.
PGBOUNCER = env.bool("PGBOUNCER", default=False)
if PGBOUNCER:
    for _alias in DATABASES.values():
        _alias["DISABLE_SERVER_SIDE_CURSORS"] = True
        _alias.setdefault("OPTIONS", {})["prepare_threshold"] = None

# Celery queues: a worker per queue in the `scale` profile of docker-compose.yml (`-Q reminders` ...); a worker
# started without -Q consumes every queue listed here.
CELERY_TASK_DEFAULT_QUEUE = "celery"
CELERY_QUEUE_NAMES = ["celery", "reminders", "imports", "exports", "notifications"]
CELERY_TASK_QUEUES = [Queue(name, routing_key=name) for name in CELERY_QUEUE_NAMES]
CELERY_TASK_ROUTES = {
    "notifications.*": {"queue": "notifications"},
    "residents.*": {"queue": "imports"},  # residents.run_import, residents.purge_import_files
    "core.sweep_import_jobs": {"queue": "imports"},
    "core.run_export": {"queue": "exports"},
    "core.purge_export_files": {"queue": "exports"},
    "warnings_followup.*": {"queue": "reminders"},
    "education.*": {"queue": "reminders"},
    "publicity.*": {"queue": "reminders"},
    "assessment.*": {"queue": "reminders"},
}

# GET /metrics (Prometheus text format) answers only with `Authorization: Bearer <METRICS_TOKEN>`; 404 while unset.
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")
METRICS_COLLECTORS = ["notifications.metrics.DeliveryCollector"]  # the apps' figures, read at scrape time
MIDDLEWARE.insert(0, "core.metrics.RequestLatencyMiddleware")

# LOG_FORMAT=json: one JSON object a line (core.logging.JsonFormatter), numbers still masked by the filters.
LOG_FORMAT = env.str("LOG_FORMAT", default="text")
if LOG_FORMAT == "json":
    LOGGING["formatters"]["json"] = {"()": "core.logging.JsonFormatter"}
    for _handler in LOGGING["handlers"].values():
        _handler["formatter"] = "json"
elif LOG_FORMAT != "text":
    raise ValueError(f"LOG_FORMAT must be 'text' or 'json', not {LOG_FORMAT!r}")
