"""The inbox: no update is lost between Telegram's delivery and the end of its handling.

Telegram forgets an update once its delivery is confirmed: for long polling, by the next
getUpdates (PTB's updater asks for it as soon as it has queued the batch, before any of it is
handled); for a webhook, by the 200. A `kill -9` in between used to lose the citizen's message.
So every update is written to the `inbox` table and committed before it is confirmed
(`keep`: the bot's getUpdates, bot/lean_bot.py, and the webhook's POST), and marked handled
when its handler has finished (`done`). At the next start the ones not marked are put back on
the update queue first, in their order (`replay`).

Telegram may deliver an update again (it was not confirmed before the crash, or a webhook's
200 was lost): the primary key drops the repeat, and the update processor (bot/dispatch.py)
skips it (`claim`). What an update was already handled for is on disk with it (replies wait
for the commit of what they show), so a replay after a crash between a reply and its `done`
answers once more: a citizen may see a reply twice, never none.

An update whose handling ends the process again and again (it never gets to `done`) is given
up after MAX_STARTS starts and logged, so one bad update cannot keep the bot from starting.
Updates that never came through `keep` (console mode, tests) pass untouched.
"""

from __future__ import annotations

import asyncio
import enum
import json
import logging
from collections.abc import Mapping, Sequence
from datetime import timedelta

from telegram import Bot, Update

from bot.clock import Clock
from bot.inbox.storage import InboxStore

log = logging.getLogger(__name__)
MAX_STARTS = 5
KEEP_HANDLED = timedelta(days=2)
"""How long a handled update's id is kept to know a repeat (Telegram keeps updates 24 h)."""


class Claim(enum.Enum):
    HANDLE = "kept: handle it, then mark it done"
    SKIP = "a repeat of an update kept already"
    PASS = "never kept (console mode, tests): handle it, nothing to mark"


class Inbox:
    def __init__(self, store: InboxStore, clock: Clock) -> None:
        self._store = store
        self._clock = clock
        self._kept: set[int] = set()
        self._handling: set[int] = set()
        self._repeats: set[int] = set()

    async def keep(self, updates: Sequence[Update], bodies: Mapping[int, str] | None = None
                   ) -> None:
        """Writes the updates and waits for their commit; after this their delivery may be
        confirmed. `bodies`: their JSON as Telegram sent it, by id (bot/inbox/raw.py); one
        missing there is encoded from PTB's object, which costs far more."""
        fresh = await self._store.add(
            [(u.update_id, chat_key(u), (bodies or {}).get(u.update_id) or u.to_json())
             for u in updates], self._clock.now())
        for update in updates:
            if update.update_id in fresh:
                self._kept.add(update.update_id)
            else:
                log.info("update %d delivered again; the first one is handled", update.update_id)
                self._repeats.add(update.update_id)

    def claim(self, update: object) -> Claim:
        """Called by the update processor before it handles an update."""
        if not isinstance(update, Update):
            return Claim.PASS
        update_id = update.update_id
        if update_id in self._kept:
            self._kept.remove(update_id)
            self._handling.add(update_id)
            return Claim.HANDLE
        if update_id in self._handling or update_id in self._repeats:
            self._repeats.discard(update_id)
            return Claim.SKIP
        return Claim.PASS

    def done(self, update_id: int) -> None:
        self._handling.discard(update_id)
        self._store.done(update_id, self._clock.now())

    async def replay(self, queue: asyncio.Queue[object], bot: Bot) -> int:
        """At start-up, before updates are fetched: what was kept but not handled goes back on
        the queue, oldest first. Returns how many."""
        replayed = 0
        for update_id, body, starts in await self._store.restart():
            if starts > MAX_STARTS:
                log.error("update %d given up: its handling never finished in %d starts",
                          update_id, MAX_STARTS)
                self._store.done(update_id, self._clock.now())
                continue
            try:
                update = Update.de_json(json.loads(body), bot)
            except (ValueError, TypeError, KeyError) as exc:  # not from this PTB's Update
                log.error("update %d given up: it cannot be read back (%s)", update_id,
                          type(exc).__name__)
                self._store.done(update_id, self._clock.now())
                continue
            self._kept.add(update_id)
            queue.put_nowait(update)
            replayed += 1
        if replayed:
            log.warning("%d update(s) kept before the last stop but not handled: handled now",
                        replayed)
        return replayed

    async def purge_old(self) -> None:
        """The sweep: handled updates' ids older than KEEP_HANDLED go."""
        await self._store.purge_done(self._clock.now() - KEEP_HANDLED)


def chat_key(update: object) -> int | None:
    """The chat an update's handling is ordered by; updates without a chat (e.g. inline
    queries) by user."""
    if not isinstance(update, Update):
        return None
    if update.effective_chat is not None:
        return update.effective_chat.id
    if update.effective_user is not None:
        return update.effective_user.id
    return None
