"""Wiring only: builds the PTB Application, opens resources, and loops over the features
(bot/features/enabled.py) for their handlers, outbox hooks, start-up steps and sweeps."""

from __future__ import annotations

import asyncio
import gc
import logging
import os

from telegram import Update
from telegram.ext import Application, ApplicationBuilder, ContextTypes
from telegram.request import BaseRequest, HTTPXRequest

from bot.cache import ChangeFeed, CitizenCache
from bot.cache.storage import ChangeStore
from bot.clock import Clock, SystemClock
from bot.commands import publish_commands
from bot.config import Settings
from bot.context import AppContext, BotContext, open_app_context
from bot.dispatch import ChatOrderedProcessor
from bot.errors import register as register_errors
from bot.feature import Feature, Sweep
from bot.features.citizens import CitizenStore
from bot.features.enabled import FEATURES
from bot.handler_index import index_stages
from bot.health.heartbeat import ApiHeartbeat
from bot.health.stack_dump import install_stack_dump
from bot.health.storage import HeartbeatStore
from bot.inbox import Inbox, InboxStore
from bot.lean_bot import LeanBot
from bot.outbox.limiter import SendLimiter, limiter_of
from bot.outbox.sender import OutboxSender
from bot.scheduler.sweeps import run_sweeps
from bot.workers.announce import AnnouncingCache
from bot.workers.wiring import Worker, several_workers

log = logging.getLogger(__name__)
CONSOLE_TOKEN = "1:console-mode-no-telegram-at-all"
SWEEP_INTERVAL_SECONDS = 10.0
ALLOWED_UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY, Update.MY_CHAT_MEMBER]

App = Application  # type: ignore[type-arg]


def build_application(settings: Settings, *, clock: Clock | None = None,
                      request: BaseRequest | None = None, background: bool = True,
                      features: tuple[Feature, ...] = FEATURES) -> App:
    """The real application; tests and console mode pass a local Bot API as `request`."""
    # Opt in to PTB's coming behaviour (durations as timedelta) instead of a warning per 429.
    os.environ.setdefault("PTB_TIMEDELTA", "1")
    clock = clock or SystemClock()
    bot = LeanBot(
        settings.token or CONSOLE_TOKEN, base_url=settings.api_base_url,
        base_file_url=settings.api_file_url,
        # the sizes ApplicationBuilder gives its own HTTPXRequests
        request=request or HTTPXRequest(connection_pool_size=256),
        get_updates_request=request or HTTPXRequest(connection_pool_size=1),
        rate_limiter=SendLimiter.for_settings(settings, clock))
    application = (
        ApplicationBuilder()
        .bot(bot)
        .context_types(ContextTypes(context=BotContext))
        .concurrent_updates(ChatOrderedProcessor())
        .post_init(open_resources)
        .post_shutdown(close_resources)
        .build()
    )
    application.bot_data["settings"] = settings
    application.bot_data["clock"] = clock
    application.bot_data["background"] = background
    application.bot_data["features"] = features
    for feature in features:
        if feature.handlers is not None:
            feature.handlers(application, settings)
    index_stages(application)
    register_errors(application)
    return application


async def open_resources(application: App) -> None:
    """post_init: database, texts, every feature's services and dialogs, the command menu, the
    outbox sender with the features' hooks, the Bot API heartbeat, sweeps."""
    settings: Settings = application.bot_data["settings"]
    features: tuple[Feature, ...] = application.bot_data["features"]
    install_stack_dump()
    shared = several_workers(settings) and application.bot_data["background"]
    cache = AnnouncingCache() if shared else CitizenCache()
    context = await open_app_context(settings, application.bot_data["clock"], features,
                                     cache=cache)
    application.bot_data["app"] = context
    changes = ChangeFeed(ChangeStore(context.db), cache)
    await changes.start()
    limiter_of(application.bot).committed = context.db.flush  # replies show what is on disk
    await publish_commands(application.bot, context.texts, features)
    sender = OutboxSender(application.bot, context.outbox, context.get(CitizenStore),
                          context.clock, context.emit)
    for feature in features:
        for kind, hook in feature.on_sent.items():
            sender.on_sent(kind, hook(context))
        if feature.on_start is not None:
            await feature.on_start(context, application.bot, sender)
    application.bot_data["outbox_sender"] = sender
    heartbeat = ApiHeartbeat(application.bot, HeartbeatStore(context.db), context.clock)
    await heartbeat.started()
    inbox = Inbox(InboxStore(context.db), context.clock)
    sweeps = application.bot_data["sweeps"] = _sweeps(context, changes, heartbeat, inbox)
    if shared:
        assert isinstance(cache, AnnouncingCache)
        worker = application.bot_data["worker"] = await Worker.start(
            application, context, cache,
            lambda: [sender.run(), run_sweeps(sweeps, SWEEP_INTERVAL_SECONDS)])
        application.bot_data["intake"] = worker.intake
    else:
        await _one_process(application, sender, sweeps, inbox)
    # What start-up built (libraries, texts, dialogs, lexicons, the model) lives as long as the
    # process: kept out of the cyclic collector's full passes, which otherwise walk all of it
    # and hold up replies for tens of milliseconds.
    gc.freeze()


async def _one_process(application: App, sender: OutboxSender, sweeps: dict[str, Sweep],
                       inbox: Inbox) -> None:
    """This process alone takes the updates, sends and sweeps."""
    if application.bot_data["background"]:
        application.bot_data["tasks"] = [
            asyncio.create_task(sender.run(), name="outbox"),
            asyncio.create_task(run_sweeps(sweeps, SWEEP_INTERVAL_SECONDS), name="sweeps"),
        ]
    # Updates kept before the last stop but not handled go first; then the transport's own.
    await inbox.replay(application.update_queue, application.bot)
    if isinstance(application.bot, LeanBot):
        application.bot.keep_updates_in(inbox)
    processor = application.update_processor
    if isinstance(processor, ChatOrderedProcessor):
        processor.inbox = inbox

    async def intake(update: Update, body: str) -> None:
        """The webhook's POST: kept (committed), then queued for the handlers."""
        await inbox.keep([update], {update.update_id: body})
        await application.update_queue.put(update)

    application.bot_data["intake"] = intake


def _sweeps(context: AppContext, changes: ChangeFeed, heartbeat: ApiHeartbeat,
            inbox: Inbox) -> dict[str, Sweep]:
    """The shared ones (what other processes changed first, timers, outbox and inbox
    retention, heartbeat) and every feature's own."""
    sweeps: dict[str, Sweep] = {"changes by other processes": changes.apply,
                                "timers": context.scheduler.fire_due,
                                "outbox retention": context.outbox.purge_old,
                                "inbox retention": inbox.purge_old}
    for feature in context.features:
        sweeps.update({name: make(context) for name, make in feature.sweeps.items()})
    sweeps["bot api heartbeat"] = heartbeat.beat
    return sweeps


async def close_resources(application: App) -> None:
    gc.unfreeze()
    worker: Worker | None = application.bot_data.pop("worker", None)
    if worker is not None:
        await worker.close()
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
