"""Enqueueing and pacing; no Telegram here."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from bot.clock import Clock
from bot.outbox.model import Message, Priority
from bot.outbox.storage import OutboxStore

GLOBAL_INTERVAL = timedelta(milliseconds=40)  # 25 messages/s, under Telegram's ~30/s
PRIVATE_INTERVAL = timedelta(seconds=1)  # ~1 message/s to one chat
GROUP_INTERVAL = timedelta(seconds=3)  # 20 messages/min into one group, all topics together
WEEK = timedelta(days=7)
UNSOLICITED_PER_WEEK = 2
"""At most this many proactive messages reach one citizen's chat in any seven days."""
RETENTION = timedelta(days=8)  # long enough for the weekly cap on unsolicited messages


class Outbox:
    """The one way to send proactively: a durable row first, the sender task does the rest."""

    def __init__(self, store: OutboxStore, clock: Clock) -> None:
        self.store = store
        self._clock = clock
        self.wake = asyncio.Event()

    async def enqueue(self, chat_id: int, message: Message, *, priority: Priority, kind: str,
                      citizen_id: int | None = None, key: str | None = None,
                      ref: int | None = None, at_most_once: bool = False,
                      not_before: datetime | None = None) -> int | None:
        """Queue a message; None when the idempotency key was queued before (nothing added)."""
        now = self._clock.now()
        item_id = await self.store.add(
            key=key, chat_id=chat_id, citizen_id=citizen_id, priority=priority, kind=kind,
            ref=ref, message=message, not_before=not_before or now, at_most_once=at_most_once,
            now=now,
        )
        self.wake.set()
        return item_id

    async def weekly_cap_reached(self, citizen_id: int) -> bool:
        """True when the citizen's chat has had (or has queued) UNSOLICITED_PER_WEEK messages
        the bot started on its own (check-ins, reminders, broadcasts) in the last seven days:
        another one must wait. Messages in a conversation with a person (relays, a consultant
        taking the case, staff notices) do not count."""
        since = self._clock.now() - WEEK
        count = await self.store.count_unsolicited(citizen_id, since, Priority.CHECKIN)
        return count >= UNSOLICITED_PER_WEEK

    async def purge_old(self) -> int:
        return await self.store.purge(self._clock.now() - RETENTION)


class Pacer:
    """Spacing between sends, globally and per chat; a 429 blocks one chat for its retry_after."""

    def __init__(self) -> None:
        self._last_global: datetime | None = None
        self._chat_free_at: dict[int, datetime] = {}

    def wait(self, chat_id: int, now: datetime) -> timedelta:
        """How long until a message to this chat may go; zero means now."""
        free_at = self._chat_free_at.get(chat_id, now)
        if self._last_global is not None:
            free_at = max(free_at, self._last_global + GLOBAL_INTERVAL)
        return max(free_at - now, timedelta(0))

    def sent(self, chat_id: int, now: datetime) -> None:
        self._last_global = now
        interval = GROUP_INTERVAL if chat_id < 0 else PRIVATE_INTERVAL
        self._chat_free_at[chat_id] = now + interval
        self._forget_old(now)

    def block(self, chat_id: int, until: datetime) -> None:
        self._chat_free_at[chat_id] = max(until, self._chat_free_at.get(chat_id, until))

    def _forget_old(self, now: datetime) -> None:
        if len(self._chat_free_at) > 10_000:
            self._chat_free_at = {c: t for c, t in self._chat_free_at.items() if t > now}
