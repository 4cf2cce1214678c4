"""Calls to Telegram that must succeed before the bot can run: tried again with back-off while
Telegram cannot be reached, one log line per failed try. Anything else (a rejected token, a
refused webhook) is raised at once."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

from telegram.error import BadRequest, NetworkError, RetryAfter

log = logging.getLogger(__name__)
FIRST_RETRY_SECONDS = 1.0
LONGEST_RETRY_SECONDS = 60.0

Sleep = Callable[[float], Awaitable[None]]
T = TypeVar("T")


async def until_reachable(what: str, attempt: Callable[[], Awaitable[T]],
                          sleep: Sleep = asyncio.sleep) -> T:
    """attempt() until it does not fail on the network, waiting twice as long after each
    failure (up to a minute), or as long as a 429 asks."""
    delay = FIRST_RETRY_SECONDS
    while True:
        try:
            return await attempt()
        except BadRequest:  # a NetworkError in PTB's hierarchy, but Telegram did answer
            raise
        except RetryAfter as exc:
            wait = _seconds(exc.retry_after)
            log.warning("%s: Telegram asks to wait %.0f s before the next try", what, wait)
            await sleep(wait)
        except NetworkError as exc:  # TimedOut is a NetworkError too
            log.warning("%s: Telegram is not reachable (%s: %s); trying again in %.0f s",
                        what, type(exc).__name__, exc.message, delay)
            await sleep(delay)
            delay = min(delay * 2, LONGEST_RETRY_SECONDS)


def _seconds(value: object) -> float:
    total = getattr(value, "total_seconds", None)
    return float(total()) if callable(total) else float(value)  # type: ignore[arg-type]
