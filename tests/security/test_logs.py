"""Threat: full ID and mobile numbers kept in log files.

By the time Django refuses a number in a URL, gunicorn (and any proxy) has logged the request line; an
exception message or a task's log line can carry a number too. Every log line written by the web
process (Django's handlers), gunicorn (access and error logs) and the Celery worker masks them.
"""

import datetime
import io
import logging
import runpy
from pathlib import Path
from types import SimpleNamespace

import pytest
from celery.signals import after_setup_logger, after_setup_task_logger

from core.privacy import mask_numbers
from core.validators import make_id_number

ID = make_id_number("440605", datetime.date(1948, 7, 9), 127)
MASKED_ID = ID[:6] + "********" + ID[-4:]
PHONE = "13912345678"
MASKED_PHONE = "139****5678"
ROOT = Path(__file__).resolve().parent.parent.parent


def assert_masked(text):
    assert ID not in text and ID.lower() not in text
    assert PHONE not in text
    assert MASKED_ID in text and MASKED_PHONE in text


@pytest.mark.parametrize(
    "line",
    [
        f"GET /api/v1/residents/?id_number={ID}&q={PHONE} HTTP/1.1",
        f"GET /residents/residents/?q={ID.lower()}&q=%2B86{PHONE} HTTP/1.1",
        f"q={ID.translate(str.maketrans('0123456789', '０１２３４５６７８９'))} tel=139-1234-5678",
        f"q={''.join('%EF%BC%9' + d if d.isdigit() else d for d in ID)} tel=139%201234%205678",
    ],
)
def test_numbers_are_masked_however_the_line_writes_them(line):
    masked = mask_numbers(line)
    assert ID not in masked.upper().replace("%EF%BC%9", "")
    assert "1234" not in masked.replace("%20", "").replace("139****5678", "")
    assert "****" in masked


def test_dates_times_and_unit_codes_are_left_alone():
    line = "[2024-01-05 13:45:12,345] GET /campaigns/coverage/?unit=440605124001-01 200 5123 0.013812"
    assert mask_numbers(line) == line


def _streams_of(logger_name):
    """The plain stream handlers a record of ``logger_name`` reaches (pytest's capture handlers aside)."""
    logger, handlers = logging.getLogger(logger_name), []
    while logger is not None:
        handlers += [h for h in logger.handlers if type(h) is logging.StreamHandler]
        logger = logger.parent if logger.propagate else None
    return handlers


@pytest.mark.parametrize("logger_name", ["django.request", "django.server", "django", "residents.tasks", "celery"])
def test_django_handlers_mask_every_line(logger_name):
    handlers = _streams_of(logger_name)
    assert handlers, f"no handler for {logger_name}"
    buffer = io.StringIO()
    previous = [handler.setStream(buffer) for handler in handlers]
    try:
        logger = logging.getLogger(logger_name)
        logger.warning("Bad Request: /residents/residents/?q=%s&tel=%s", ID, PHONE)
        try:
            raise ValueError(f"no resident with {ID} / {PHONE}")
        except ValueError:
            logger.exception("lookup failed")
    finally:
        for handler, stream in zip(handlers, previous, strict=True):
            handler.setStream(stream)
    assert_masked(buffer.getvalue())
    assert "Traceback" in buffer.getvalue()


@pytest.fixture
def gunicorn_logger(tmp_path):
    from gunicorn.config import Config

    cfg = Config()
    cfg.set("logger_class", runpy.run_path(str(ROOT / "gunicorn.conf.py"))["logger_class"])
    cfg.set("accesslog", str(tmp_path / "access.log"))
    cfg.set("errorlog", str(tmp_path / "error.log"))
    logger = cfg.logger_class(cfg)
    yield logger, tmp_path
    for log in (logger.access_log, logger.error_log):
        for handler in list(log.handlers):
            log.removeHandler(handler)
            handler.close()


def test_gunicorn_access_and_error_logs_mask_numbers(gunicorn_logger):
    logger, folder = gunicorn_logger
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": f"/api/v1/residents/?id_number={ID}&q={PHONE}",
        "PATH_INFO": "/api/v1/residents/",
        "QUERY_STRING": f"id_number={ID}&q={PHONE}",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "172.18.0.2",
        "HTTP_REFERER": f"https://luocun.example/registry/residents/?q={PHONE}",
    }
    response = SimpleNamespace(status="400 Bad Request", sent=120, headers=[])
    logger.access(response, SimpleNamespace(headers=[]), environ, datetime.timedelta(milliseconds=12))
    logger.error("Error handling request /residents/residents/?q=%s", ID)
    logger.error("Error handling request /residents/residents/?q=%s", PHONE)
    access = (folder / "access.log").read_text()
    assert "/api/v1/residents/?id_number=" in access
    assert_masked(access)
    assert_masked((folder / "error.log").read_text())


def test_the_image_starts_gunicorn_with_that_configuration():
    for path in ("Dockerfile", "docker-compose.yml"):
        assert "--config gunicorn.conf.py" in (ROOT / path).read_text(), path


@pytest.mark.parametrize("signal", [after_setup_logger, after_setup_task_logger])
def test_the_celery_worker_masks_numbers_after_it_takes_over_logging(signal):
    import luocun_antifraud.celery  # noqa: F401  (connects the signal handlers)

    buffer = io.StringIO()
    logger = logging.getLogger(f"test.worker.{signal.name}")
    logger.propagate = False
    logger.addHandler(logging.StreamHandler(buffer))
    logger.setLevel(logging.INFO)
    signal.send(sender=None, logger=logger, loglevel=logging.INFO, logfile=None, format="%(message)s", colorize=False)
    logger.info("Task residents.import_rows[1] row 3: %s already registered, phone %s", ID, PHONE)
    assert_masked(buffer.getvalue())
