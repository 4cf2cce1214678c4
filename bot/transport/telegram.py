"""The real transports: long polling by default, a webhook server when WEBHOOK_URL is set."""

from __future__ import annotations

import hashlib
from urllib.parse import urlparse

from bot.app import ALLOWED_UPDATES, build_application
from bot.config import Settings


def run_telegram(settings: Settings) -> None:
    """Blocks until SIGINT/SIGTERM; PTB calls post_init/post_shutdown around the loop."""
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
