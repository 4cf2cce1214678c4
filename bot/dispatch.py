"""Per-chat ordered, cross-chat concurrent update processing.

PTB's concurrent mode alone runs a chat's updates in any order. This processor keeps one FIFO
lock per active chat and only then takes one of `workers` slots, so updates of one chat are
handled strictly in arrival order, while a slow chat holds at most one slot and never stalls
the others: its queued updates wait on its own lock, not on the shared slots.

With an inbox (bot/inbox), a repeat of an update already kept is skipped, and a kept update is
marked done once its handling has finished (not when it was cancelled by a stop: it is then
handled at the next start).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Coroutine
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

from bot.inbox import Claim, Inbox, chat_key

QUEUE_BOUND = 100_000  # PTB's own semaphore only bounds waiting tasks; real work is `workers`


class ChatOrderedProcessor(BaseUpdateProcessor):
    def __init__(self, workers: int = 64) -> None:
        super().__init__(max_concurrent_updates=QUEUE_BOUND)
        self._workers = asyncio.Semaphore(workers)
        self._chats: dict[int, _ChatLock] = {}
        self.inbox: Inbox | None = None  # set once the database is open

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        claim = Claim.PASS if self.inbox is None else self.inbox.claim(update)
        if claim is Claim.SKIP:
            if isinstance(coroutine, Coroutine):
                coroutine.close()  # never to be awaited: no "was never awaited" warning
            return
        await self._in_order(update, coroutine)
        if claim is Claim.HANDLE and self.inbox is not None and isinstance(update, Update):
            self.inbox.done(update.update_id)

    async def _in_order(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = chat_key(update)
        if key is None:
            async with self._workers:
                await coroutine
            return
        chat = self._chats.get(key)
        if chat is None:
            chat = self._chats[key] = _ChatLock()
        chat.waiting += 1
        try:
            async with chat.lock, self._workers:
                await coroutine
        finally:
            chat.waiting -= 1
            if chat.waiting == 0:
                del self._chats[key]

    async def initialize(self) -> None:
        """Nothing to open: locks are created per chat on demand."""

    async def shutdown(self) -> None:
        """Nothing to close: in-flight updates finish under PTB's own shutdown."""

    @property
    def active_chats(self) -> int:
        return len(self._chats)


class _ChatLock:
    __slots__ = ("lock", "waiting")

    def __init__(self) -> None:
        self.lock = asyncio.Lock()
        self.waiting = 0
