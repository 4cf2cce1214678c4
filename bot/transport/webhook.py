"""Webhook mode: one HTTP server on PORT for Telegram's POSTs (at WEBHOOK_URL's path) and for
GET /healthz, the same checks as `python -m bot health`.

It follows PTB's custom-webhook example (Starlette served by uvicorn): initialize, post_init,
listen, setWebhook, start; and on SIGTERM/SIGINT the reverse, with post_shutdown always run.
The port is bound before setWebhook, so Telegram's first POST never finds it closed. It is
bound with SO_REUSEPORT: several workers (bot/workers) may listen on one port, and the kernel
shares the connections among them.

A POST is answered 200 as soon as its update is kept in the inbox (committed); what is done
with it then is the application's `intake` (bot/app.py): queued for this process's handlers,
or, with several workers, handed to the worker that holds its chat.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import signal
import socket
from collections.abc import Awaitable, Callable, Iterator
from http import HTTPStatus
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from telegram import Update

from bot.clock import Clock
from bot.config import ConfigError, Settings
from bot.health.checks import run_checks
from bot.transport.reachability import until_reachable
from bot.workers.wiring import Worker, several_workers

log = logging.getLogger(__name__)
HEALTH_PATH = "/healthz"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
STOP_GRACE_SECONDS = 5  # open connections get this long to finish at a stop

App = Any  # telegram.ext.Application
Intake = Callable[[Update, str], Awaitable[None]]
"""(the update, its JSON as Telegram sent it): kept, then handed on; raises if not kept."""


def web_app(application: App, settings: Settings, clock: Clock, path: str,
            secret: str) -> Starlette:
    async def telegram(request: Request) -> Response:
        """The secret is checked before the body is read; a body that is not an update is
        refused with 400; an update the inbox could not keep with 503 (Telegram delivers it
        again)."""
        if request.headers.get(SECRET_HEADER) != secret:
            return Response(status_code=HTTPStatus.FORBIDDEN)
        body = await request.body()
        try:
            data = json.loads(body)
            if not isinstance(data, dict):
                raise TypeError("not a JSON object")
            update = Update.de_json(data, application.bot)
        except (ValueError, TypeError, KeyError, AttributeError):
            log.warning("webhook: a POST that is not a Telegram update was refused")
            return Response(status_code=HTTPStatus.BAD_REQUEST)
        intake: Intake = application.bot_data["intake"]
        try:
            await intake(update, body.decode("utf-8", errors="replace"))
        except Exception:
            log.exception("webhook: the inbox could not keep an update")
            return Response(status_code=HTTPStatus.SERVICE_UNAVAILABLE)
        return Response(status_code=HTTPStatus.OK)

    async def health(request: Request) -> Response:
        """200 when every check passes, 503 otherwise; JSON with one entry per check. The
        database's place is left out: this answer may be reachable from outside."""
        checks = await run_checks(settings, clock, show_path=False)
        healthy = all(check.ok for check in checks)
        return JSONResponse(
            {"ok": healthy,
             "checks": [{"name": c.name, "ok": c.ok, "detail": c.detail} for c in checks]},
            status_code=HTTPStatus.OK if healthy else HTTPStatus.SERVICE_UNAVAILABLE,
            headers={"Cache-Control": "no-store"})

    hook = path.rstrip("/") or "/"
    routes = [Route(hook, telegram, methods=["POST"]),
              Route(HEALTH_PATH, health, methods=["GET", "HEAD"])]
    if hook != "/":
        routes.append(Route(f"{hook}/", telegram, methods=["POST"]))
    return Starlette(routes=routes)


class _Server(uvicorn.Server):
    """uvicorn's server, without its own signal handlers: serve_webhook has them."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


def listening_socket(port: int, *, shared: bool) -> socket.socket:
    """Bound on every address; `shared`: with the other workers on this machine. It listens
    once the server serves it (asyncio calls listen), so no connection waits in the backlog
    of a worker that is still starting."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if shared and hasattr(socket, "SO_REUSEPORT"):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind(("0.0.0.0", port))
    return sock


async def serve_webhook(application: App, settings: Settings, path: str, secret: str,
                        allowed_updates: list[str]) -> None:
    """Runs until SIGTERM or SIGINT. A refused setWebhook (BadRequest) propagates. The port
    is taken first of all: a second bot on a SQLite file's port stops before it has opened
    the file, let alone sent anything."""
    try:
        sock = listening_socket(settings.port, shared=several_workers(settings))
    except OSError as exc:
        raise ConfigError(
            f"PORT: cannot listen on port {settings.port} ({exc.strerror or exc}); is another "
            "bot running there? On SQLite only one may (several workers need DATABASE_URL, "
            "docs/deploy.md)") from None
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    try:
        await application.initialize()
        await application.post_init(application)
        server = _Server(uvicorn.Config(
            web_app(application, settings, application.bot_data["clock"], path, secret),
            log_config=None, access_log=False, lifespan="off", server_header=False,
            timeout_graceful_shutdown=STOP_GRACE_SECONDS))
        serving = asyncio.create_task(server.serve(sockets=[sock]), name="webhook server")
        try:
            while not server.started:  # listening before Telegram is told where
                if serving.done():
                    await serving  # start-up failed: its error
                    return
                await asyncio.sleep(0.01)
            await until_reachable("setWebhook", lambda: application.bot.set_webhook(
                url=settings.webhook_url, secret_token=secret, allowed_updates=allowed_updates))
            log.info("Webhook registered; listening on port %d (%s and %s)", settings.port,
                     path, HEALTH_PATH)
            await application.start()
            await stop.wait()
        finally:
            server.should_exit = True
            await serving
            worker: Worker | None = application.bot_data.pop("worker", None)
            if worker is not None:  # its updates in hand are finished while the bot can send
                await worker.close()
            if application.running:
                await application.stop()
    finally:
        sock.close()
        await application.shutdown()
        await application.post_shutdown(application)
