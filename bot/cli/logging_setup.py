"""Logging for every sub-command: one stream handler that keeps the token, citizens' texts and
library noise out of the log."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from bot.log_privacy import PrivacyFilter


class _RedactingFormatter(logging.Formatter):
    """PTB puts the token into some error texts (e.g. InvalidToken): never let it reach a log."""

    def __init__(self, fmt: str, secrets: Sequence[str]) -> None:
        super().__init__(fmt)
        self._secrets = [s for s in secrets if s]

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        for secret in self._secrets:
            text = text.replace(secret, "***")
        return text


def configure_logging(level: str, secrets: Sequence[str]) -> None:
    from telegram.error import InvalidToken

    handler = logging.StreamHandler()
    # A rejected token is reported as one configuration line by main(); no traceback for it
    # from PTB's start-up retry loop.
    handler.addFilter(lambda r: not (r.exc_info and isinstance(r.exc_info[1], InvalidToken)))
    handler.addFilter(PrivacyFilter())  # every logger, every level: no texts, names, payloads
    handler.setFormatter(_RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s",
                                             secrets))
    logging.basicConfig(level=level, handlers=[handler], force=True)
    # httpx logs request URLs, which contain the bot token: keep it quiet.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    if level != "DEBUG":
        logging.getLogger("telegram").setLevel(logging.WARNING)
        logging.getLogger("aiosqlite").setLevel(logging.WARNING)
        logging.getLogger("transitions").setLevel(logging.WARNING)
