"""The outbox's wake-up (bot/outbox/service.py), heard by every worker: a row queued by one
worker wakes the leader's sender at once instead of at its next idle look."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable


class SharedWake(asyncio.Event):
    def __init__(self, announce: Callable[[], Awaitable[None]]) -> None:
        super().__init__()
        self._announce = announce
        self._pending: asyncio.Task[None] | None = None
        self._again = False

    def set(self) -> None:
        """Here, and in the other workers: one notice in flight at a time, and one more after
        it when this came while it was on its way (it may have reached the leader before the
        row that called this was committed)."""
        super().set()
        if self._pending is None or self._pending.done():
            self._pending = asyncio.get_running_loop().create_task(self._tell())
        else:
            self._again = True

    def set_here(self) -> None:
        """Another worker's notice: nothing to pass on."""
        super().set()

    async def _tell(self) -> None:
        while True:
            self._again = False
            await self._announce()
            if not self._again:
                return

    async def close(self) -> None:
        if self._pending is not None:
            self._pending.cancel()
            await asyncio.gather(self._pending, return_exceptions=True)
