"""Each chat's kept updates, handled by the one worker holding the chat's advisory lock, in
`update_id` order (bot/workers/__init__.py has the whole design).

The lock is let go once the chat has nothing left, and only after what its updates wrote and
their `done` marks are committed, so the next holder finds the chat exactly as it was left.
After letting go, the holder looks once more: an update kept while it held the lock (whose
keeper failed to get the lock) is taken then, by it or by that keeper.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable

from telegram import Bot, Update

from bot.clock import Clock
from bot.inbox.intake import MAX_STARTS
from bot.inbox.storage import InboxStore
from bot.workers.storage import ConnectionLost, WorkerSession

log = logging.getLogger(__name__)
CONCURRENT_UPDATES = 64  # as the one-process update processor (bot/dispatch.py)
STOP_GRACE = 5.0
"""Seconds a stop waits for the updates being handled (the rest stay kept, for another
worker or the next start)."""
PARSED_KEPT = 10_000  # updates parsed by this worker's webhook, waiting for their chat's turn
ORPHAN_INTERVAL = 1.0
"""Seconds between looks for chats with kept updates that nobody holds (their worker died)."""

Handle = Callable[[Update], Awaitable[None]]


def lock_name(chat_id: int | None) -> str:
    return f"chat:{'' if chat_id is None else chat_id}"


class ChatPump:
    def __init__(self, worker: str, store: InboxStore, session: WorkerSession,
                 reopen: Callable[[], Awaitable[WorkerSession]], bot: Bot, handle: Handle,
                 committed: Callable[[], Awaitable[None]], taken: Callable[[int | None], None],
                 clock: Clock) -> None:
        """`worker`: this worker's name (its origin); `handle`: the application's handlers
        for one update; `committed`: waits for the database's queued writes; `taken`: called
        when this worker takes a chat another worker handled since (its cache forgets that
        chat's citizen)."""
        self._worker = worker
        self._store = store
        self._session = session
        self._reopen = reopen
        self._bot = bot
        self._handle = handle
        self._committed = committed
        self._taken = taken
        self._clock = clock
        self._slots = asyncio.Semaphore(CONCURRENT_UPDATES)
        self._active: dict[int | None, asyncio.Task[None]] = {}
        self._again: set[int | None] = set()
        self._stopping = False
        self._parsed: OrderedDict[int, Update] = OrderedDict()  # kept here, by update id

    def kept_here(self, update: Update) -> None:
        """The webhook parsed this update already: not parsed again if this worker takes
        it (another worker takes it from its body)."""
        self._parsed[update.update_id] = update
        if len(self._parsed) > PARSED_KEPT:
            self._parsed.popitem(last=False)

    def offer(self, chat_id: int | None) -> None:
        """A chat has (or may have) kept updates: take them unless another worker does."""
        if self._stopping:
            return  # kept: another worker takes it
        if chat_id in self._active:
            self._again.add(chat_id)  # the running pass looks again before it ends
            return
        self._active[chat_id] = asyncio.get_running_loop().create_task(self._pump(chat_id),
                                                                       name="chat pump")

    async def watch_orphans(self) -> None:
        """Forever: offer every chat with kept updates; the ones their worker holds stay
        theirs (the lock says no), the ones of a worker that died are taken over. A lost
        lock session is opened again here."""
        while True:
            try:
                if self._session.lost:
                    self._session = await self._reopen()
                    log.warning("workers: chat lock connection opened again")
                for chat_id in await self._store.pending_chats():
                    if chat_id not in self._active:
                        self.offer(chat_id)
            except Exception:
                log.exception("workers: looking for chats nobody holds failed; will retry")
            await asyncio.sleep(ORPHAN_INTERVAL)

    async def close(self) -> None:
        """A stop: no new pass starts, and a pass in flight ends after the update it is
        handling (cancelled after STOP_GRACE); what they leave stays kept, for another
        worker or the next start."""
        self._stopping = True
        tasks = list(self._active.values())
        if tasks:
            _done, late = await asyncio.wait(tasks, timeout=STOP_GRACE)
            for task in late:
                task.cancel()
            await asyncio.gather(*late, return_exceptions=True)

    async def settled(self) -> None:
        """Until no pass is in flight here (one may start another: waited for too)."""
        while self._active:
            await asyncio.gather(*self._active.values(), return_exceptions=True)

    @property
    def session(self) -> WorkerSession:
        return self._session

    @property
    def active_chats(self) -> int:
        return len(self._active)

    async def _pump(self, chat_id: int | None) -> None:
        name = lock_name(chat_id)
        try:
            while True:
                self._again.discard(chat_id)
                if not await self._session.try_lock(name):
                    return  # its holder looks again after letting go
                try:
                    await self._drain(chat_id)
                except BaseException:
                    await self._session.unlock(name)
                    raise
                more = await self._session.unlock_and_look(name, chat_id)
                if self._stopping or not (more or chat_id in self._again):
                    return
        except ConnectionLost as exc:  # if the session is lost, its locks went with it
            log.error("workers: the chat lock session failed (%s); the chat's updates wait "
                      "for a worker", exc)
        except Exception:
            log.exception("workers: handling a chat's updates failed; they wait for a retry")
        finally:
            # Here, not in a done callback: an offer between this pass's last look and a
            # callback would count on a pass that has ended.
            self._active.pop(chat_id, None)

    async def _drain(self, chat_id: int | None) -> None:
        while not self._stopping:
            rows, mine = await self._session.take(chat_id, self._worker)
            if not rows:
                return
            if not mine:
                self._taken(chat_id)  # another worker handled it since this one: forget
            for update_id, body, starts in rows:
                if self._stopping:
                    break
                update = self._readable(update_id, body, starts)
                if update is not None:
                    async with self._slots:
                        await self._handle(update)
                self._store.done(update_id, self._clock.now())
            await self._committed()

    def _readable(self, update_id: int, body: str, starts: int) -> Update | None:
        parsed = self._parsed.pop(update_id, None)
        if starts > MAX_STARTS:
            log.error("update %d given up: its handling never finished in %d tries",
                      update_id, MAX_STARTS)
            return None
        if parsed is not None:
            return parsed
        try:
            return Update.de_json(json.loads(body), self._bot)
        except (ValueError, TypeError, KeyError) as exc:
            log.error("update %d given up: it cannot be read back (%s)", update_id,
                      type(exc).__name__)
            return None
