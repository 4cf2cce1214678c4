"""The running bot's sign of life: getMe every INTERVAL, each answer's time written down."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from telegram import Bot
from telegram.error import TelegramError

from bot.clock import Clock
from bot.health.storage import HeartbeatStore

log = logging.getLogger(__name__)
INTERVAL = timedelta(minutes=2)


class ApiHeartbeat:
    def __init__(self, bot: Bot, store: HeartbeatStore, clock: Clock) -> None:
        self._bot = bot
        self._store = store
        self._clock = clock
        self._next: datetime | None = None

    async def started(self) -> None:
        """Application.initialize() has just had getMe answered: that counts as the first."""
        now = self._clock.now()
        await self._store.record_ok(now)
        self._next = now + INTERVAL

    async def beat(self) -> int:
        """A sweep: ask getMe when it is time. Returns 0, as there is nothing to report."""
        now = self._clock.now()
        if self._next is not None and now < self._next:
            return 0
        self._next = now + INTERVAL
        try:
            await self._bot.get_me()
        except TelegramError as exc:
            log.warning("Bot API heartbeat: no answer (%s)", type(exc).__name__)
            return 0
        await self._store.record_ok(self._clock.now())
        return 0
