"""Logging: secret tokens in URLs (calendar feeds) never reach the logs."""
from __future__ import annotations

import logging
import re

_FEED_TOKEN = re.compile(r"(/calendar/)[^/\s]+")


class MaskSecrets(logging.Filter):
    """Replace the token of calendar feed URLs in log records with ``***``."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.args:
            record.args = tuple(_FEED_TOKEN.sub(r"\1***", a) if isinstance(a, str) else a for a in record.args)
        if isinstance(record.msg, str):
            record.msg = _FEED_TOKEN.sub(r"\1***", record.msg)
        return True


def mask_secrets() -> None:
    """Install the filter on the loggers that write request lines (werkzeug, gunicorn)."""
    for name in ("werkzeug", "gunicorn.access", "coordination"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, MaskSecrets) for f in logger.filters):
            logger.addFilter(MaskSecrets())
