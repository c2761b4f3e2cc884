"""Logging set-up that never lets the bot token reach a log line."""

from __future__ import annotations

import logging
import re

_TOKEN_IN_TEXT = re.compile(r"\d{5,20}:[A-Za-z0-9_-]{30,}")


class RedactTokens(logging.Filter):
    """Replaces anything shaped like a bot token (or the configured one) with ***."""

    def __init__(self, secret: str | None = None) -> None:
        super().__init__()
        self._secret = secret

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if self._secret:
            message = message.replace(self._secret, "***")
        redacted = _TOKEN_IN_TEXT.sub("***", message)
        if redacted != record.getMessage():
            record.msg, record.args = redacted, None
        return True


def configure(level: str, secret: str | None = None) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactTokens(secret))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # httpx logs every request URL, and Bot API URLs carry the token.
    for noisy in ("httpx", "httpcore", "apscheduler", "aiogram.event", "alembic"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, logging.getLevelName(level)))
