"""Shutting down never hangs: a background task that died does not keep the database open."""

from __future__ import annotations

import asyncio
import logging
from types import SimpleNamespace
from typing import Literal

import pytest

from bot.app import close_resources
from bot.db import Database
from tests.conftest import Harness


async def test_a_failed_background_task_is_logged_and_the_database_still_closes(
        caplog: pytest.LogCaptureFixture) -> None:
    db = await Database.open(":memory:")

    async def broken() -> None:
        raise RuntimeError("disk I/O error")

    task = asyncio.create_task(broken(), name="sweeps")
    await asyncio.sleep(0)  # let it fail, as a sweep would between two ticks
    application = SimpleNamespace(bot_data={"tasks": [task], "app": SimpleNamespace(db=db)})
    with caplog.at_level(logging.ERROR):
        await close_resources(application)  # type: ignore[arg-type]
    assert "background task sweeps failed" in caplog.text
    with pytest.raises(ValueError):
        await db.fetch_all("SELECT 1")  # closed


class _SeenWaiting(asyncio.Event):
    """The outbox's wake event, telling the test when the sender has started its idle wait."""

    def __init__(self) -> None:
        super().__init__()
        self.waiting = asyncio.Event()

    async def wait(self) -> Literal[True]:
        self.waiting.set()
        return await super().wait()


async def test_the_sender_stops_when_a_cancel_comes_as_it_is_woken(bot: Harness) -> None:
    """The race a loaded machine hit: a send ends (waking the idle sender) in the same moment
    as the shutdown's cancel. The cancel must win, or the stop waits on the next idle wait."""
    wake = _SeenWaiting()
    bot.ctx.outbox.wake = wake
    task = asyncio.create_task(bot.application.bot_data["outbox_sender"].run())
    await asyncio.wait_for(wake.waiting.wait(), 5)
    wake.set()
    task.cancel()
    done, _ = await asyncio.wait([task], timeout=5)
    assert task in done and task.cancelled()
