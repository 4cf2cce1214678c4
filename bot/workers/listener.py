"""What the other workers (and the CLI) announce, heard on a session of its own: a citizen's
notice makes this worker forget that citizen, an outbox notice wakes its sender."""

from __future__ import annotations

import asyncio
import logging

from bot.cache.memory import CitizenCache
from bot.workers.storage import ConnectionLost, WorkerSession
from bot.workers.wake import SharedWake

log = logging.getLogger(__name__)
RECONNECT_SECONDS = 1.0
OUTBOX_NOTICE = "o"


class ChangeListener:
    def __init__(self, url: str, origin: str, cache: CitizenCache, wake: SharedWake) -> None:
        self._url = url
        self._origin = origin
        self._cache = cache
        self._wake = wake
        self.listening = asyncio.Event()

    async def run(self) -> None:
        """Until cancelled. Whenever it is not listening, notices may be missed: so once it
        listens (again) the whole cache is forgotten and the sender looks again."""
        while True:
            session: WorkerSession | None = None
            try:
                session = await WorkerSession.open(self._url)
                await session.listen()
                self._cache.clear()  # what changed before LISTEN was not heard
                self._wake.set_here()
                self.listening.set()
                async for payload in session.notices():
                    self.hear(payload)
                raise ConnectionError("the listening connection ended")
            except ConnectionLost as exc:
                log.warning("workers: not listening for changes (%s); trying again", exc)
            except Exception:  # never a dead listener, whose cache would go stale for good
                log.exception("workers: listening for changes failed; trying again")
            finally:
                self.listening.clear()
                if session is not None:
                    await session.close()
            self._cache.clear()
            await asyncio.sleep(RECONNECT_SECONDS)

    def hear(self, payload: str) -> None:
        kind, _, rest = payload.partition(":")
        origin, _, citizen = rest.partition(":")
        if origin == self._origin:
            return  # this worker's own change: its cache has it already
        if kind == OUTBOX_NOTICE:
            self._wake.set_here()
        elif citizen:
            self._cache.forget_citizen(int(citizen))
        else:
            self._cache.clear()
