"""Wiring only: builds the PTB Application, opens resources, registers every feature."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from telegram import Update
from telegram.ext import AIORateLimiter, Application, ApplicationBuilder, ContextTypes
from telegram.request import BaseRequest

from bot.clock import Clock, SystemClock
from bot.commands import publish_commands
from bot.config import Settings
from bot.context import AppContext, BotContext, open_app_context
from bot.dispatch import ChatOrderedProcessor
from bot.errors import register as register_errors
from bot.features.citizens.handlers import register as register_citizens
from bot.features.onboarding.handlers import register as register_onboarding
from bot.sweeps import run_sweeps

log = logging.getLogger(__name__)
CONSOLE_TOKEN = "1:console-mode-no-telegram-at-all"
SWEEP_INTERVAL_SECONDS = 30.0
ALLOWED_UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY, Update.MY_CHAT_MEMBER]

App = Application  # type: ignore[type-arg]


def build_application(settings: Settings, *, clock: Clock | None = None,
                      request: BaseRequest | None = None, sweeps: bool = True) -> App:
    """The real application; tests and console mode pass a local Bot API as `request`."""
    builder = (
        ApplicationBuilder()
        .token(settings.token or CONSOLE_TOKEN)
        .base_url(settings.api_base_url)
        .base_file_url(settings.api_file_url)
        .context_types(ContextTypes(context=BotContext))
        .concurrent_updates(ChatOrderedProcessor())
        .post_init(open_resources)
        .post_shutdown(close_resources)
    )
    if request is not None:
        builder = builder.request(request).get_updates_request(request)
    else:
        builder = builder.rate_limiter(AIORateLimiter(max_retries=3))
    application = builder.build()
    application.bot_data["settings"] = settings
    application.bot_data["clock"] = clock or SystemClock()
    application.bot_data["sweeps"] = sweeps
    register_citizens(application)
    register_onboarding(application)
    register_errors(application)
    return application


async def open_resources(application: App) -> None:
    """post_init: database, texts and dialogs, the command menu, and the sweep loop."""
    settings: Settings = application.bot_data["settings"]
    context = await open_app_context(settings, application.bot_data["clock"])
    application.bot_data["app"] = context
    await publish_commands(application.bot, context.texts)
    if application.bot_data["sweeps"]:
        application.bot_data["sweep_task"] = asyncio.create_task(
            run_sweeps({"dialog timeouts": context.onboarding.runner.expire_due},
                       SWEEP_INTERVAL_SECONDS),
            name="sweeps",
        )


async def close_resources(application: App) -> None:
    task: asyncio.Task[None] | None = application.bot_data.pop("sweep_task", None)
    if task is not None:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    context: AppContext | None = application.bot_data.pop("app", None)
    if context is not None:
        await context.db.close()
