# syntax=docker/dockerfile:1
# Luocun anti-fraud platform: one image for web (gunicorn), Celery worker, Celery beat and migrations.
# docker-compose.yml shows how the services are wired; .env.example lists the settings.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=luocun_antifraud.settings.production \
    STATIC_ROOT=/app/staticfiles \
    MEDIA_ROOT=/app/media \
    CELERY_BROKER_FILESYSTEM_DIR=/app/var/celery-broker \
    GUNICORN_WORKERS=3 \
    GUNICORN_TIMEOUT=60

WORKDIR /app

# Unprivileged user that owns only the writable directories (media, var).
RUN groupadd --system --gid 1000 app \
    && useradd --system --uid 1000 --gid app --home-dir /app --shell /usr/sbin/nologin app

# Dependencies first so the layer is cached while only the code changes.
# The runtime set only (no test tools), every pin with its hashes; each has a manylinux wheel
# (psycopg-binary, cryptography, pillow...), so no compiler is needed.
COPY requirements/runtime.txt requirements/runtime.txt
RUN pip install --no-compile --require-hashes -r requirements/runtime.txt

COPY . .

# Compile translations and collect static files at build time with the production settings.
# The secrets below are throw-away placeholders that exist only for this RUN line (they are not
# ENV, so they never reach the running container); real values come from the environment at run time.
RUN export SECRET_KEY=build-time-placeholder-not-used-at-runtime \
        ALLOWED_HOSTS=localhost \
        FIELD_ENCRYPTION_KEYS=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA= \
        FIELD_HASH_KEY=build-time-placeholder \
    && python manage.py compiletranslations \
    && python manage.py collectstatic --noinput \
    && mkdir -p /app/media /app/var/celery-broker \
    && chown -R app:app /app/media /app/var

USER app

EXPOSE 8000

# /healthz checks the database and the broker; 200 when both answer, 503 otherwise.
# No curl in the slim image, so use the standard library. The Host header must be in ALLOWED_HOSTS
# and X-Forwarded-Proto stops SECURE_SSL_REDIRECT from redirecting the plain-HTTP probe.
HEALTHCHECK --interval=30s --timeout=10s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, sys, urllib.request; host = os.environ.get('ALLOWED_HOSTS', '').split(',')[0].strip().lstrip('.'); host = 'localhost' if host in ('', '*') else host; req = urllib.request.Request('http://127.0.0.1:8000/healthz', headers={'Host': host, 'X-Forwarded-Proto': 'https'}); sys.exit(0 if urllib.request.urlopen(req, timeout=8).status == 200 else 1)"]

# sh -c so GUNICORN_WORKERS / GUNICORN_TIMEOUT can be tuned per deployment; exec keeps gunicorn as PID 1.
CMD ["sh", "-c", "exec gunicorn luocun_antifraud.wsgi:application --config gunicorn.conf.py --bind 0.0.0.0:8000 --workers ${GUNICORN_WORKERS} --timeout ${GUNICORN_TIMEOUT} --graceful-timeout 30 --keep-alive 5 --max-requests 1000 --max-requests-jitter 100 --access-logfile - --error-logfile -"]
