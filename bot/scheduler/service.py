"""Firing due timers through the handler registered for their kind."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

from bot.clock import Clock
from bot.scheduler.model import Next, Timer
from bot.scheduler.storage import TimerStore

log = logging.getLogger(__name__)
RETRY_AFTER_FAILURE = timedelta(minutes=5)
CLAIM = timedelta(minutes=2)
"""With several workers: how long a timer being fired is kept from the others."""

Handler = Callable[[Timer], Awaitable[Next | None]]


class Scheduler:
    def __init__(self, store: TimerStore, clock: Clock) -> None:
        self._store = store
        self._clock = clock
        self._handlers: dict[str, Handler] = {}
        self.claims = False  # several workers (bot/workers): claim each timer before firing

    def handle(self, kind: str, handler: Handler) -> None:
        self._handlers[kind] = handler

    async def set(self, key: str, kind: str, citizen_id: int | None, due_at: datetime,
                  data: dict[str, Any] | None = None) -> None:
        await self._store.set(key, kind, citizen_id, due_at, data or {})

    async def get(self, key: str) -> Timer | None:
        return await self._store.get(key)

    async def cancel(self, key: str) -> None:
        await self._store.delete(key)

    async def fire_due(self) -> int:
        """Fire every due timer once; a failing handler is retried later, never lost."""
        fired = 0
        now = self._clock.now()
        due = (await self._store.claim_due(now, now + CLAIM) if self.claims
               else await self._store.due(now))
        for timer in due:
            handler = self._handlers.get(timer.kind)
            if handler is None:
                log.error("timer %s: no handler for kind %s", timer.key, timer.kind)
                continue
            try:
                following = await handler(timer)
            except Exception:
                log.exception("timer of kind %s failed; retrying later", timer.kind)
                await self._store.set(timer.key, timer.kind, timer.citizen_id,
                                      self._clock.now() + RETRY_AFTER_FAILURE, timer.data)
                continue
            if following is None:
                await self._store.delete(timer.key)
            else:
                await self._store.set(timer.key, timer.kind, timer.citizen_id,
                                      following.due_at, following.data)
            fired += 1
        return fired
