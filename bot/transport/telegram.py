"""The real transports: long polling by default, a webhook server when WEBHOOK_URL is set."""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Awaitable, Callable
from urllib.parse import urlparse

from telegram import Bot
from telegram.error import InvalidToken, NetworkError, RetryAfter
from telegram.request import BaseRequest

from bot.app import ALLOWED_UPDATES, build_application
from bot.config import Settings

log = logging.getLogger(__name__)
FIRST_RETRY_SECONDS = 1.0
LONGEST_RETRY_SECONDS = 60.0

Sleep = Callable[[float], Awaitable[None]]


async def wait_for_telegram(settings: Settings, sleep: Sleep = asyncio.sleep,
                            request: BaseRequest | None = None) -> None:
    """Until getMe answers: one log line per failed try, waiting twice as long each time (up to
    a minute). A token Telegram rejects (401/404) raises InvalidToken at once."""
    delay = FIRST_RETRY_SECONDS
    while True:
        bot = Bot(settings.token or "", base_url=settings.api_base_url,
                  base_file_url=settings.api_file_url, request=request)
        try:
            await bot.initialize()
        except InvalidToken:
            raise
        except RetryAfter as exc:
            wait = _seconds(exc.retry_after)
            log.warning("Telegram asks to wait %.0f s before the next try", wait)
            await sleep(wait)
            continue
        except NetworkError as exc:  # TimedOut is a NetworkError too
            log.warning("Telegram is not reachable (%s: %s); trying again in %.0f s",
                        type(exc).__name__, exc.message, delay)
            await sleep(delay)
            delay = min(delay * 2, LONGEST_RETRY_SECONDS)
            continue
        finally:
            await bot.shutdown()
        log.info("Telegram reached as @%s", bot.username)
        return


def _seconds(value: object) -> float:
    total = getattr(value, "total_seconds", None)
    return float(total()) if callable(total) else float(value)  # type: ignore[arg-type]


def run_telegram(settings: Settings) -> None:
    """Blocks until SIGINT/SIGTERM; PTB calls post_init/post_shutdown around the loop."""
    asyncio.run(wait_for_telegram(settings))
    application = build_application(settings)
    if settings.webhook_url is None:
        application.run_polling(allowed_updates=ALLOWED_UPDATES)
        return
    application.run_webhook(
        listen="0.0.0.0",
        port=settings.port,
        url_path=urlparse(settings.webhook_url).path.lstrip("/"),
        webhook_url=settings.webhook_url,
        secret_token=webhook_secret(settings),
        allowed_updates=ALLOWED_UPDATES,
    )


def webhook_secret(settings: Settings) -> str:
    """WEBHOOK_SECRET, or one derived from the token so it survives restarts."""
    if settings.webhook_secret:
        return settings.webhook_secret
    return hashlib.sha256(f"webhook:{settings.token}".encode()).hexdigest()[:48]
