"""Webhook mode: one HTTP server on PORT for Telegram's POSTs (at WEBHOOK_URL's path) and for
GET /healthz, the same checks as `python -m bot health`.

PTB's own `run_webhook` serves the Telegram path only, so the bot runs its application the way
PTB's custom-webhook example does: initialize, post_init, listen, setWebhook, start; and on
SIGTERM/SIGINT the reverse, with post_shutdown always run. The port is bound before setWebhook,
so Telegram's first POST never finds it closed.
"""

from __future__ import annotations

import asyncio
import json
import logging
import signal
from http import HTTPStatus
from typing import Any

import tornado.web
from telegram import Update
from tornado.httpserver import HTTPServer

from bot.clock import Clock
from bot.config import Settings
from bot.health.checks import run_checks
from bot.transport.reachability import until_reachable

log = logging.getLogger(__name__)
HEALTH_PATH = "/healthz"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"

App = Any  # telegram.ext.Application; Any keeps tornado's handler kwargs simple


class TelegramHook(tornado.web.RequestHandler):
    """Telegram's POST: the secret is checked before the body is read, then the update is kept in
    the inbox (committed), queued and answered 200 at once (the handlers run on the
    application's own tasks)."""

    SUPPORTED_METHODS = ("POST",)  # type: ignore[assignment]

    def initialize(self, bot_application: App, secret: str) -> None:
        self.bot_application = bot_application
        self.secret = secret

    async def post(self) -> None:
        if self.request.headers.get(SECRET_HEADER) != self.secret:
            raise tornado.web.HTTPError(HTTPStatus.FORBIDDEN)
        try:
            data = json.loads(self.request.body)
            if not isinstance(data, dict):
                raise TypeError("not a JSON object")
            update = Update.de_json(data, self.bot_application.bot)
        except (ValueError, TypeError, KeyError, AttributeError):
            log.warning("webhook: a POST that is not a Telegram update was refused")
            raise tornado.web.HTTPError(HTTPStatus.BAD_REQUEST) from None
        inbox = self.bot_application.bot.inbox
        if inbox is not None:
            try:
                await inbox.keep([update], {update.update_id: self.request.body.decode()})
            except Exception:  # Telegram delivers it again after a non-200
                log.exception("webhook: the inbox could not keep an update")
                raise tornado.web.HTTPError(HTTPStatus.SERVICE_UNAVAILABLE) from None
        await self.bot_application.update_queue.put(update)
        self.set_status(HTTPStatus.OK)

    def log_exception(self, *_args: Any) -> None:
        """Refusals are answered with their status; the body (a citizen's text) is never logged."""


class Health(tornado.web.RequestHandler):
    """200 when every check passes, 503 otherwise; JSON with one entry per check. The database
    path is left out: this answer may be reachable from outside."""

    SUPPORTED_METHODS = ("GET", "HEAD")  # type: ignore[assignment]

    def initialize(self, bot_settings: Settings, clock: Clock) -> None:
        self.bot_settings = bot_settings
        self.clock = clock

    async def get(self) -> None:
        checks = await run_checks(self.bot_settings, self.clock, show_path=False)
        healthy = all(check.ok for check in checks)
        self.set_status(HTTPStatus.OK if healthy else HTTPStatus.SERVICE_UNAVAILABLE)
        self.set_header("Content-Type", "application/json; charset=utf-8")
        self.set_header("Cache-Control", "no-store")
        self.finish(json.dumps({
            "ok": healthy,
            "checks": [{"name": c.name, "ok": c.ok, "detail": c.detail} for c in checks],
        }))

    async def head(self) -> None:
        await self.get()


class QuietApplication(tornado.web.Application):
    def log_request(self, handler: tornado.web.RequestHandler) -> None:
        """No access log: the bot's own log says what matters, without chat ids or bodies."""


def web_app(application: App, settings: Settings, clock: Clock, path: str,
            secret: str) -> tornado.web.Application:
    return QuietApplication([
        (rf"{path.rstrip('/')}/?", TelegramHook, {"bot_application": application,
                                                 "secret": secret}),
        (HEALTH_PATH, Health, {"bot_settings": settings, "clock": clock}),
    ])


async def serve_webhook(application: App, settings: Settings, path: str, secret: str,
                        allowed_updates: list[str]) -> None:
    """Runs until SIGTERM or SIGINT. A refused setWebhook (BadRequest) propagates."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    try:
        await application.initialize()
        await application.post_init(application)
        server = HTTPServer(web_app(application, settings, application.bot_data["clock"],
                                    path, secret))
        server.listen(settings.port, address="0.0.0.0")
        try:
            await until_reachable("setWebhook", lambda: application.bot.set_webhook(
                url=settings.webhook_url, secret_token=secret, allowed_updates=allowed_updates))
            log.info("Webhook registered; listening on port %d (%s and %s)", settings.port,
                     path, HEALTH_PATH)
            await application.start()
            await stop.wait()
        finally:
            server.stop()
            await server.close_all_connections()
            if application.running:
                await application.stop()
    finally:
        await application.shutdown()
        await application.post_shutdown(application)
