"""One worker's part in the whole (bot/workers/__init__.py): built by bot/app.py in webhook
mode on PostgreSQL, instead of the one-process update queue, sender and sweeps."""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import Coroutine
from typing import Any

from telegram import Update
from telegram.ext import Application

from bot.cache.storage import ChangeStore
from bot.clock import to_db
from bot.config import Settings
from bot.context import AppContext
from bot.inbox import InboxStore, chat_key
from bot.workers.announce import AnnouncingCache
from bot.workers.leader import Duties, Leadership
from bot.workers.listener import OUTBOX_NOTICE, ChangeListener
from bot.workers.pump import ChatPump
from bot.workers.storage import ConnectionLost, WorkerSession
from bot.workers.wake import SharedWake

log = logging.getLogger(__name__)


def several_workers(settings: Settings) -> bool:
    """Webhook mode on PostgreSQL: one of any number of workers (one is fine too)."""
    return settings.webhook_url is not None and settings.database_url is not None


class Worker:
    def __init__(self, context: AppContext, pump: ChatPump, wake: SharedWake,
                 tasks: list[asyncio.Task[None]]) -> None:
        self._context = context
        self.pump = pump
        self._wake = wake
        self._tasks = tasks

    @classmethod
    async def start(cls, application: Application,  # type: ignore[type-arg]
                    context: AppContext, cache: AnnouncingCache, duties: Duties) -> Worker:
        """`duties`: what the worker runs while it leads (the sender, the sweeps)."""
        url = context.settings.database_url
        assert url is not None
        origin = secrets.token_hex(6)
        changes = ChangeStore(context.db)
        cache.announce_with(lambda citizen_id: changes.announce(origin, citizen_id))
        context.scheduler.claims = True
        session = await WorkerSession.open(url)

        def taken(chat_id: int | None) -> None:
            citizen_id = cache.aliased(("user", chat_id))
            if citizen_id is not None:
                cache.forget_citizen(citizen_id)

        pump = ChatPump(origin, InboxStore(context.db), session, lambda: WorkerSession.open(url),
                        application.bot, application.process_update, context.db.flush, taken,
                        context.clock)

        async def tell_outbox() -> None:
            try:
                await pump.session.notify(f"{OUTBOX_NOTICE}:{origin}")
            except ConnectionLost:
                log.warning("workers: could not wake the leader's sender; it looks by itself")

        wake = SharedWake(tell_outbox)
        context.outbox.wake = wake
        listener = ChangeListener(url, origin, cache, wake)
        tasks: list[Coroutine[Any, Any, None]] = [
            listener.run(), Leadership(url, duties).run(), pump.watch_orphans()]
        log.info("workers: this worker takes updates from the inbox by chat")
        return cls(context, pump, wake, [asyncio.create_task(t) for t in tasks])

    async def intake(self, update: Update, body: str) -> None:
        """The webhook's POST: kept (committed) in the inbox, then offered to the pump."""
        chat = chat_key(update)
        if await self.pump.session.keep(update.update_id, chat, body,
                                        to_db(self._context.clock.now())):
            self.pump.kept_here(update)
        self.pump.offer(chat)

    async def close(self) -> None:
        """At a stop, before the bot's connections close: the updates being handled are
        finished first (bot/workers/pump.py), then the leader's duties (with the sender's own
        grace for its sends in flight) and the listener stop."""
        await self.pump.close()
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self._wake.close()
        await self.pump.session.close()
