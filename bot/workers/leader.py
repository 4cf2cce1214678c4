"""The leader's lease: the advisory lock `leader`, on a connection of its own. While this
worker holds it, it runs what only one worker may (the outbox sender, the sweeps); when the
connection is lost, or one of those dies, it stops them and tries again. A worker that is not
leading tries for the lock every LEADER_POLL seconds, so a leader killed with `kill -9` (its
connection, and so the lock, ends with it) is followed within about that long."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from bot.workers.storage import ConnectionLost, WorkerSession

log = logging.getLogger(__name__)
LEADER = "leader"
LEADER_POLL = 1.0
"""Seconds between tries for the lock, and between checks that the lock's connection lives."""

Duties = Callable[[], list[Coroutine[Any, Any, None]]]


class Leadership:
    def __init__(self, url: str, duties: Duties) -> None:
        self._url = url
        self._duties = duties

    async def run(self) -> None:
        """Until cancelled (a stop): then the duties are cancelled and awaited."""
        while True:
            session: WorkerSession | None = None
            try:
                session = await WorkerSession.open(self._url)
                while not await session.try_lock(LEADER):  # noqa: ASYNC110 (the server's lock)
                    await asyncio.sleep(LEADER_POLL)
                await self._lead(session)
            except ConnectionLost as exc:
                log.warning("workers: the leader's lock connection failed (%s); trying again",
                            exc)
            except Exception:  # never a worker that stops trying to lead
                log.exception("workers: leading failed; trying again")
            finally:
                if session is not None:
                    await session.close()  # the lock, if held, goes with it
            await asyncio.sleep(LEADER_POLL)

    async def _lead(self, session: WorkerSession) -> None:
        log.info("workers: this worker leads (outbox sender and sweeps)")
        tasks = [asyncio.create_task(duty) for duty in self._duties()]
        try:
            while True:
                done, _ = await asyncio.wait(tasks, timeout=LEADER_POLL,
                                             return_when=asyncio.FIRST_COMPLETED)
                if done:
                    for task in done:
                        if not task.cancelled() and task.exception() is not None:
                            log.error("workers: a leader's duty failed", exc_info=task.exception())
                    return  # the lock goes with the connection; try again from the start
                await session.ping()
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            log.info("workers: this worker no longer leads")
