"""gunicorn settings that the command line does not carry (`gunicorn --config gunicorn.conf.py ...`).

The access log writes each request line, query string included, before Django can refuse a full ID or
mobile number in it: this logger masks such numbers in the access and error logs (core.privacy).
"""

from gunicorn.glogging import Logger

from core.privacy import install_mask_filter


class MaskedNumbersLogger(Logger):
    """gunicorn's logger with the number mask on its access and error logs."""

    def setup(self, cfg):
        super().setup(cfg)
        for logger in (self.error_log, self.access_log):
            install_mask_filter(logger)


logger_class = MaskedNumbersLogger


def child_exit(server, worker):
    """With PROMETHEUS_MULTIPROC_DIR set, /metrics adds up every worker's figures: a worker that exits marks its
    live gauges dead, so its last values stop counting."""
    import os

    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
