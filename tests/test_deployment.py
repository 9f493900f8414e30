"""Deployment files: docker-compose.yml, Dockerfile, .env.example and `check --deploy` on production settings.

None of these need a database or a Docker engine.
"""

import base64
import functools
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
COMPOSE_FILE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"
ENV_EXAMPLE = ROOT / ".env.example"
SETTINGS_DIR = ROOT / "luocun_antifraud" / "settings"

LONG_RUNNING_SERVICES = (
    "web",
    "worker",
    "beat",
    "db",
    "redis",
    "minio",
    "proxy",
    "web2",
    "pgbouncer",
    "worker-reminders",
    "worker-imports",
    "worker-exports",
    "worker-notifications",
    "backup",
)


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def dockerfile():
    return DOCKERFILE.read_text(encoding="utf-8")


def _venv_executable(name):
    path = Path(sys.executable).parent / name
    if not path.exists():
        pytest.fail(f"{name} is not installed next to {sys.executable} (it is pinned in requirements/dev.txt)")
    return str(path)


# --- docker-compose.yml ---------------------------------------------------------------------------


def test_compose_file_validates_against_compose_spec():
    result = subprocess.run(
        [_venv_executable("check-jsonschema"), "--builtin-schema", "vendor.compose-spec", str(COMPOSE_FILE)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_compose_has_every_service_with_a_healthcheck(compose):
    services = compose["services"]
    for name in LONG_RUNNING_SERVICES:
        assert name in services, f"service {name!r} missing"
        healthcheck = services[name].get("healthcheck")
        assert healthcheck, f"service {name!r} has no healthcheck"
        assert not healthcheck.get("disable"), f"healthcheck of {name!r} is disabled"
        assert healthcheck.get("test"), f"healthcheck of {name!r} has no test"


def test_compose_migrate_runs_once_before_the_app(compose):
    services = compose["services"]
    migrate = services["migrate"]
    assert "migrate" in " ".join(migrate["command"])
    assert migrate.get("restart") == "no"
    for name in ("web", "worker", "beat"):
        depends_on = services[name]["depends_on"]
        assert depends_on["migrate"]["condition"] == "service_completed_successfully", name
        assert depends_on["db"]["condition"] == "service_healthy", name
        assert depends_on["redis"]["condition"] == "service_healthy", name


def test_compose_beat_is_a_single_replica_with_the_database_scheduler(compose):
    beat = compose["services"]["beat"]
    assert beat.get("deploy", {}).get("replicas", 1) <= 1
    assert beat.get("scale", 1) <= 1
    command = " ".join(beat["command"])
    assert "django_celery_beat.schedulers:DatabaseScheduler" in command
    assert "--pidfile=" in command


def test_compose_declares_volumes(compose):
    volumes = compose.get("volumes") or {}
    assert {"postgres-data", "redis-data", "media"} <= set(volumes)
    services = compose["services"]
    assert any(v.startswith("postgres-data:") for v in services["db"]["volumes"])
    assert any(v.startswith("redis-data:") for v in services["redis"]["volumes"])
    assert any(v.startswith("media:") for v in services["web"]["volumes"])


def test_compose_requires_the_secrets_and_uses_production_settings(compose):
    for name in ("web", "worker", "beat", "migrate"):
        environment = compose["services"][name]["environment"]
        assert environment["DJANGO_SETTINGS_MODULE"] == "luocun_antifraud.settings.production", name
        for secret in ("SECRET_KEY", "FIELD_ENCRYPTION_KEYS", "FIELD_HASH_KEY"):
            assert environment[secret].startswith(f"${{{secret}:?"), f"{name}: {secret} must be required"
    assert "@${DB_HOST:-db}:5432/" in compose["services"]["web"]["environment"]["DATABASE_URL"]  # db by default


# --- the storage, scale and backup profiles (docs/operations.md) ----------------------------------------------

CADDYFILE = ROOT / "deploy" / "caddy" / "Caddyfile"
QUEUES = ("reminders", "imports", "exports", "notifications")
DIRECT_DATABASE = "@db:5432/"


def _profiled(compose, profile):
    return {name for name, service in compose["services"].items() if profile in service.get("profiles", [])}


def test_the_default_stack_starts_no_profiled_service(compose):
    unprofiled = {name for name, service in compose["services"].items() if not service.get("profiles")}
    assert unprofiled == {"db", "redis", "migrate", "web", "worker", "beat"}


def test_minio_stores_the_files_with_a_bucket_made_by_a_one_shot(compose):
    services = compose["services"]
    assert {"minio", "minio-bucket"} <= _profiled(compose, "storage") & _profiled(compose, "scale")
    assert services["minio"]["healthcheck"]["test"]
    assert any(v.startswith("minio-data:") for v in services["minio"]["volumes"])
    bucket = services["minio-bucket"]
    assert bucket["restart"] == "no" and bucket["depends_on"]["minio"]["condition"] == "service_healthy"
    script = " ".join(bucket["command"])
    assert "mc mb --ignore-existing" in script and "mc anonymous set none" in script  # private
    app = services["web"]["environment"]
    assert app["FILE_STORAGE"] == "${FILE_STORAGE:-local}"  # the disk stays the default
    assert app["AWS_S3_ENDPOINT_URL"].endswith("http://minio:9000}")


def test_scale_has_a_tls_proxy_before_two_web_replicas(compose):
    services = compose["services"]
    assert {"proxy", "web2", "pgbouncer", *(f"worker-{q}" for q in QUEUES)} <= _profiled(compose, "scale")
    proxy = services["proxy"]
    assert "./deploy/caddy/Caddyfile:/etc/caddy/Caddyfile:ro" in proxy["volumes"]
    assert {"web", "web2"} <= set(proxy["depends_on"])
    assert services["web2"]["command"] == services["web"]["command"]
    assert services["web2"]["environment"] == services["web"]["environment"]
    assert "ports" not in services["web2"]  # reached through the proxy only
    caddyfile = CADDYFILE.read_text(encoding="utf-8")
    assert "reverse_proxy web:8000 web2:8000" in caddyfile
    assert "health_uri /healthz" in caddyfile
    assert "lb_policy round_robin" in caddyfile and "sticky" not in caddyfile.replace("No sticky", "")
    assert "respond /metrics 404" in caddyfile  # the metrics never leave the internal network


def test_scale_puts_pgbouncer_in_transaction_mode_and_migrations_bypass_it(compose):
    services = compose["services"]
    bouncer = services["pgbouncer"]
    assert bouncer["environment"]["POOL_MODE"] == "transaction"
    assert bouncer["depends_on"]["db"]["condition"] == "service_healthy"
    assert "${DB_HOST:-db}" in services["web"]["environment"]["DATABASE_URL"]
    for name in ("migrate", "worker-exports"):  # locks across statements; a server-side cursor for the rows
        environment = services[name]["environment"]
        assert DIRECT_DATABASE in environment["DATABASE_URL"] and environment["PGBOUNCER"] == "false", name


def test_scale_runs_a_worker_per_queue_and_every_task_has_a_queue(compose, settings):
    from celery import current_app

    import luocun_antifraud.celery  # noqa: F401  (the app, with every task)

    services = compose["services"]
    for queue in QUEUES:
        worker = services[f"worker-{queue}"]
        command = " ".join(worker["command"])
        assert f"--queues={queue}" in command and f"--hostname={queue}@%h" in command
        assert f"-d {queue}@" in " ".join(worker["healthcheck"]["test"])
    assert "--queues=${WORKER_QUEUES:-celery,reminders,imports,exports,notifications}" in services["worker"]["command"]
    assert set(settings.CELERY_QUEUE_NAMES) == {"celery", *QUEUES}

    current_app.loader.import_default_modules()
    router = current_app.amqp.router
    routed = {
        name: (router.route({}, name).get("queue").name if router.route({}, name).get("queue") else "celery")
        for name in current_app.tasks
        if not name.startswith("celery.")
    }
    assert routed["warnings_followup.scan_overdue"] == "reminders"
    assert routed["notifications.deliver"] == "notifications"
    assert routed["residents.run_import"] == "imports"
    assert routed["core.run_export"] == "exports"
    assert set(routed.values()) <= set(settings.CELERY_QUEUE_NAMES)


def test_the_backup_profile_dumps_nightly_with_the_script(compose):
    backup = compose["services"]["backup"]
    assert backup["profiles"] == ["backup"]
    assert "bash /deploy/backup.sh" in " ".join(backup["command"])
    assert "./deploy:/deploy:ro" in backup["volumes"] and any(v.startswith("backups:") for v in backup["volumes"])
    assert backup["healthcheck"]["test"]
    assert {"minio-data", "caddy-data", "backups"} <= set(compose["volumes"])


def test_production_settings_for_a_county_deployment(tmp_path):
    """FILE_STORAGE=s3, PGBOUNCER=true, a replica and JSON logs, as the scale profile sets them."""
    code = (
        "from django.conf import settings as s; import json; print(json.dumps(["
        "s.STORAGES['default']['BACKEND'], s.STORAGES['default']['OPTIONS']['bucket_name'],"
        "s.STORAGES['default']['OPTIONS']['querystring_expire'], s.STORAGES['default']['OPTIONS']['default_acl'],"
        "s.DATABASES['default']['DISABLE_SERVER_SIDE_CURSORS'], s.DATABASES['default']['OPTIONS']['prepare_threshold'],"
        "s.DATABASES['replica']['HOST'], s.REPLICA_READS, s.LOGGING['handlers']['console']['formatter']]))"
    )
    env = production_env(tmp_path)
    env.update(
        FILE_STORAGE="s3",
        AWS_STORAGE_BUCKET_NAME="county-files",
        AWS_S3_ENDPOINT_URL="http://minio:9000",
        DATABASE_URL="postgres://antifraud:x@pgbouncer:5432/antifraud",
        PGBOUNCER="true",
        DATABASE_REPLICA_URL="postgres://antifraud:x@replica:5432/antifraud",
        LOG_FORMAT="json",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    import json

    answer = json.loads(result.stdout.strip().splitlines()[-1])
    assert answer == ["storages.backends.s3.S3Storage", "county-files", 60, None, True, None, "replica", True, "json"]


# --- Dockerfile -----------------------------------------------------------------------------------


def test_dockerfile_runs_gunicorn_with_production_settings(dockerfile):
    assert re.search(r"^FROM python:3\.11-slim-bookworm\b", dockerfile, re.M)
    assert "ENV" in dockerfile and "DJANGO_SETTINGS_MODULE=luocun_antifraud.settings.production" in dockerfile
    assert "PYTHONDONTWRITEBYTECODE=1" in dockerfile
    assert "PYTHONUNBUFFERED=1" in dockerfile
    cmd = next(line for line in dockerfile.splitlines() if line.startswith("CMD "))
    assert "gunicorn luocun_antifraud.wsgi:application" in cmd
    assert "0.0.0.0:8000" in cmd
    assert "--access-logfile -" in cmd
    assert re.search(r"^EXPOSE 8000$", dockerfile, re.M)
    assert re.search(r"^USER (?!root\b)\w+", dockerfile, re.M), "the image must not run as root"
    assert "collectstatic --noinput" in dockerfile
    assert "compiletranslations" in dockerfile


def test_dockerfile_declares_a_healthcheck_on_healthz(dockerfile):
    assert re.search(r"^HEALTHCHECK ", dockerfile, re.M)
    assert "/healthz" in dockerfile
    assert "urllib" in dockerfile


def test_dockerfile_does_not_bake_secrets_into_env(dockerfile):
    # Build-time placeholders may appear only in the RUN line, never as ENV/ARG.
    instructions = re.findall(r"^(ENV|ARG)\b(.*(?:\\\n.*)*)", dockerfile, re.M)
    for _, body in instructions:
        for secret in ("SECRET_KEY", "FIELD_ENCRYPTION_KEYS", "FIELD_HASH_KEY"):
            assert secret not in body, f"{secret} must not be set with ENV/ARG"


# --- .env.example ---------------------------------------------------------------------------------


def test_env_example_documents_every_setting():
    source = "\n".join(p.read_text(encoding="utf-8") for p in SETTINGS_DIR.glob("*.py"))
    read_by_settings = set(re.findall(r"\benv(?:\.\w+)?\(\s*[\"']([A-Z][A-Z0-9_]*)[\"']", source))
    assert {"SECRET_KEY", "FIELD_ENCRYPTION_KEYS", "DATABASE_URL"} <= read_by_settings  # the regex works
    documented = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]*)=", ENV_EXAMPLE.read_text(encoding="utf-8"), re.M))
    assert read_by_settings - documented == set()


# --- manage.py check --deploy ---------------------------------------------------------------------


def production_env(tmp_path) -> dict:
    from cryptography.fernet import Fernet

    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="luocun_antifraud.settings.production",
        SECRET_KEY=secrets.token_urlsafe(64),
        FIELD_ENCRYPTION_KEYS=Fernet.generate_key().decode(),
        FIELD_HASH_KEY=base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
        ALLOWED_HOSTS="antifraud.example.org",
        DATABASE_URL=f"sqlite:///{tmp_path / 'x.sqlite3'}",
    )
    # Check the defaults of production.py, not whatever the calling shell overrides.
    for name in ("DEBUG", "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "REDIS_URL", "CELERY_BROKER_URL"):
        env.pop(name, None)
    return env


def test_production_settings_pass_check_deploy(tmp_path):
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=production_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=180,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "no issues" in output, output


def test_production_has_no_demo_data_commands(tmp_path):
    """The demo app (seed_demo, seed_scale) is installed by the local and test settings only."""
    code = "from django.conf import settings; print('demo' in settings.INSTALLED_APPS)"
    env = production_env(tmp_path)
    run = functools.partial(subprocess.run, cwd=ROOT, env=env, capture_output=True, text=True, timeout=180)
    shell = run([sys.executable, "manage.py", "shell", "-c", code])
    assert shell.stdout.strip().splitlines()[-1] == "False", shell.stderr
    seed = run([sys.executable, "manage.py", "seed_demo", "--force"])
    assert seed.returncode != 0 and "Unknown command: 'seed_demo'" in seed.stderr


def test_production_api_answers_json_only(tmp_path):
    """DRF's browsable HTML API needs inline styles, which the CSP refuses: production renders JSON only."""
    code = "from django.conf import settings; print(settings.REST_FRAMEWORK['DEFAULT_RENDERER_CLASSES'])"
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env=production_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.stdout.strip().splitlines()[-1] == "['rest_framework.renderers.JSONRenderer']", (
        result.stdout + result.stderr
    )


def test_servers_default_to_production_settings_and_development_keys_live_only_in_local_settings():
    root = Path(__file__).resolve().parent.parent / "luocun_antifraud"
    for entry_point in ("wsgi.py", "asgi.py", "celery.py"):
        assert '"luocun_antifraud.settings.production"' in (root / entry_point).read_text(), entry_point
    base = (root / "settings" / "base.py").read_text()
    assert "dev-insecure" not in base and "dev-only" not in base and "SECRET_KEY =" not in base


def pins(path: Path) -> dict[str, str]:
    found = {}
    for line in path.read_text().splitlines():
        match = re.match(r"^([A-Za-z0-9_.\-]+)==(\S+)", line)
        if match:
            found[re.sub(r"[-_.]+", "-", match.group(1)).lower()] = match.group(2)
    return found


def test_requirements_are_split_into_runtime_and_development_sets_pinned_with_hashes():
    root = Path(__file__).resolve().parent.parent
    runtime, development = root / "requirements" / "runtime.txt", root / "requirements" / "dev.txt"
    for compiled in (runtime, development):
        text = compiled.read_text()
        assert pins(compiled) and text.count("==") == len(pins(compiled))
        assert all("--hash=sha256:" in block for block in re.split(r"\n(?=[A-Za-z0-9])", text) if "==" in block)
    runtime_pins, development_pins = pins(runtime), pins(development)
    assert {name: development_pins.get(name) for name in runtime_pins} == runtime_pins  # the same versions
    assert "pytest" in development_pins and "pytest" not in runtime_pins and "gunicorn" in runtime_pins
    dockerfile = (root / "Dockerfile").read_text()
    assert "--require-hashes -r requirements/runtime.txt" in dockerfile and "dev.txt" not in dockerfile
