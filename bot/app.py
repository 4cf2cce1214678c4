"""Wiring only: builds the PTB Application, opens resources, registers every feature."""

from __future__ import annotations

import asyncio
import logging
import os
from functools import partial

from telegram import Update
from telegram.ext import Application, ApplicationBuilder, ContextTypes
from telegram.request import BaseRequest

from bot.clock import Clock, SystemClock
from bot.commands import publish_commands
from bot.config import Settings
from bot.context import AppContext, BotContext, open_app_context
from bot.dispatch import ChatOrderedProcessor
from bot.errors import register as register_errors
from bot.features.care.handlers import register as register_care
from bot.features.cases.alerts import ALERT_KIND
from bot.features.cases.handlers import register as register_cases
from bot.features.citizens.handlers import register as register_citizens
from bot.features.onboarding.handlers import register as register_onboarding
from bot.features.privacy.handlers import register as register_privacy
from bot.features.workspace.handlers import register as register_workspace
from bot.health.heartbeat import ApiHeartbeat
from bot.health.storage import HeartbeatStore
from bot.outbox import OutboxItem
from bot.outbox.sender import OutboxSender
from bot.sweeps import run_sweeps

log = logging.getLogger(__name__)
CONSOLE_TOKEN = "1:console-mode-no-telegram-at-all"
SWEEP_INTERVAL_SECONDS = 10.0
ALLOWED_UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY, Update.MY_CHAT_MEMBER]

App = Application  # type: ignore[type-arg]


def build_application(settings: Settings, *, clock: Clock | None = None,
                      request: BaseRequest | None = None, background: bool = True) -> App:
    """The real application; tests and console mode pass a local Bot API as `request`."""
    # Opt in to PTB's coming behaviour (durations as timedelta) instead of a warning per 429.
    os.environ.setdefault("PTB_TIMEDELTA", "1")
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
    application = builder.build()
    application.bot_data["settings"] = settings
    application.bot_data["clock"] = clock or SystemClock()
    application.bot_data["background"] = background
    # Callback handlers of staff and care first: onboarding's catch-all answers the rest.
    register_citizens(application)
    register_cases(application, settings.staff_chat_id)
    register_workspace(application, settings.staff_chat_id)
    register_privacy(application, settings.staff_chat_id)
    register_care(application)
    register_onboarding(application)
    register_errors(application)
    return application


async def open_resources(application: App) -> None:
    """post_init: database, texts and dialogs, the command menu, the outbox sender, the Bot API
    heartbeat, sweeps."""
    settings: Settings = application.bot_data["settings"]
    context = await open_app_context(settings, application.bot_data["clock"])
    application.bot_data["app"] = context
    await publish_commands(application.bot, context.texts)
    await context.staff.bootstrap_admins(settings.admin_ids)
    await context.topics.check(application.bot)
    sender = OutboxSender(application.bot, context.outbox, context.citizens, context.clock)
    sender.on_sent(ALERT_KIND, partial(_alert_sent, context))
    sender.resolve_topics(partial(context.topics.resolve, application.bot))
    application.bot_data["outbox_sender"] = sender
    heartbeat = ApiHeartbeat(application.bot, HeartbeatStore(context.db), context.clock)
    await heartbeat.started()
    if application.bot_data["background"]:
        application.bot_data["tasks"] = [
            asyncio.create_task(sender.run(), name="outbox"),
            asyncio.create_task(run_sweeps({
                "timers": context.scheduler.fire_due,
                "onboarding timeouts": context.onboarding.runner.expire_due,
                "check-in timeouts": context.checkins.runner.expire_due,
                "case re-alerts": context.alerts.realert_due,
                "outbox retention": context.outbox.purge_old,
                "risk decision retention": context.care.forget_old_words,
                "bot api heartbeat": heartbeat.beat,
            }, SWEEP_INTERVAL_SECONDS), name="sweeps"),
        ]


async def _alert_sent(context: AppContext, item: OutboxItem, message_id: int) -> None:
    await context.alerts.delivered(item, message_id)
    await context.topics.anchor(item, message_id)


async def close_resources(application: App) -> None:
    tasks: list[asyncio.Task[None]] = application.bot_data.pop("tasks", [])
    for task in tasks:
        task.cancel()
    try:
        for task in tasks:
            try:
                await task
            except asyncio.CancelledError:
                pass
            except Exception:  # a task that died (e.g. a database error) is logged, not fatal
                log.exception("background task %s failed", task.get_name())
    finally:
        context: AppContext | None = application.bot_data.pop("app", None)
        if context is not None:
            await context.db.close()  # its thread must not keep the process alive
