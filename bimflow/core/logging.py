"""Structured JSON log lines, enabled with BIMFLOW_LOG_JSON=true."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        data = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "process": record.process,
        }
        if record.exc_info:
            data["exc"] = self.formatException(record.exc_info)
        for key in ("execution_id", "version_id", "task_id"):
            if hasattr(record, key):
                data[key] = getattr(record, key)
        return json.dumps(data, default=str)
