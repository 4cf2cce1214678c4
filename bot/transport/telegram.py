"""The real transports: long polling by default, a webhook server (bot/transport/webhook.py)
when WEBHOOK_URL is set."""

from __future__ import annotations

import asyncio
import hashlib
import logging
from urllib.parse import urlparse

from telegram import Bot
from telegram.request import BaseRequest

from bot.app import ALLOWED_UPDATES, build_application
from bot.config import Settings
from bot.gc_tuning import tune_for_serving
from bot.transport.reachability import Sleep, until_reachable
from bot.transport.webhook import serve_webhook

log = logging.getLogger(__name__)


async def wait_for_telegram(settings: Settings, sleep: Sleep = asyncio.sleep,
                            request: BaseRequest | None = None) -> None:
    """Until getMe answers (see until_reachable). A token Telegram rejects (401/404) raises
    InvalidToken at once."""

    async def get_me() -> str:
        bot = Bot(settings.token or "", base_url=settings.api_base_url,
                  base_file_url=settings.api_file_url, request=request)
        try:
            await bot.initialize()
            return bot.username
        finally:
            await bot.shutdown()

    log.info("Telegram reached as @%s", await until_reachable("start-up", get_me, sleep))


def run_telegram(settings: Settings) -> None:
    """Blocks until SIGINT/SIGTERM; post_init and post_shutdown run around the loop (PTB's
    run_polling calls them, and serve_webhook does the same)."""
    asyncio.run(wait_for_telegram(settings))
    tune_for_serving()
    application = build_application(settings)
    if settings.webhook_url is None:
        application.run_polling(allowed_updates=ALLOWED_UPDATES)
        return
    asyncio.run(serve_webhook(application, settings, urlparse(settings.webhook_url).path or "/",
                              webhook_secret(settings), ALLOWED_UPDATES))


def webhook_secret(settings: Settings) -> str:
    """WEBHOOK_SECRET, or one derived from the token so it survives restarts."""
    if settings.webhook_secret:
        return settings.webhook_secret
    return hashlib.sha256(f"webhook:{settings.token}".encode()).hexdigest()[:48]
