"""Structured logs: ``LOG_FORMAT=json`` writes one JSON object a line (for Loki, Elasticsearch, journald...).

The handlers keep their filters (``core.privacy.MaskNumbersFilter``), which run before the formatter: the
message, the traceback and the stack are already masked; the whole line is masked again for the extras.
"""

from __future__ import annotations

import datetime
import json
import logging

from core.privacy import mask_numbers

# A LogRecord's own attributes; anything else on a record came from ``extra=`` and goes into the line.
_RECORD_FIELDS = frozenset(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.datetime.fromtimestamp(record.created, tz=datetime.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "process": record.process,
        }
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        for key, value in vars(record).items():
            if key not in _RECORD_FIELDS and not key.startswith("_"):
                entry[key] = value
        # The filters masked the message; the extras (a request's path...) are masked here, on the whole line.
        return mask_numbers(json.dumps(entry, ensure_ascii=False, default=str))
