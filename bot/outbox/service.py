"""Enqueueing; no Telegram here. Pacing is bot/outbox/budget.py."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import datetime, timedelta

from bot.clock import Clock
from bot.db import Transaction
from bot.outbox.model import Addressed, MediaKind, Message, Priority
from bot.outbox.storage import OutboxStore

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

    async def enqueue_many(self, rows: Sequence[Addressed], *, priority: Priority, kind: str,
                           ref: int | None = None, at_most_once: bool = False,
                           not_before: datetime | None = None) -> int:
        """Queue many messages in one transaction (as `enqueue`, keys make it idempotent);
        returns how many were added."""
        now = self._clock.now()
        added = await self.store.add_many(rows, priority=priority, kind=kind, ref=ref,
                                          not_before=not_before or now,
                                          at_most_once=at_most_once, now=now)
        if added:
            self.wake.set()
        return added

    async def add_file(self, kind: MediaKind, filename: str, content: bytes,
                       tx: Transaction | None = None) -> int:
        """Keep bytes to send as a photo or document; returns the `upload_id` for `Media`.
        They are uploaded once, by the first message that needs them (bot/outbox/sender.py);
        call `store.release_file` when no message will need them any more. `tx`: stored in
        the same transaction as the row that names it, so a crash leaves no file unnamed."""
        return await self.store.add_file(kind, filename, content, self._clock.now(), tx)

    async def weekly_capped(self) -> set[int]:
        """Every citizen for whom `weekly_cap_reached` is true, in one query."""
        since = self._clock.now() - WEEK
        counts = await self.store.count_unsolicited_all(since, Priority.CHECKIN)
        return {citizen for citizen, n in counts.items() if n >= UNSOLICITED_PER_WEEK}

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

