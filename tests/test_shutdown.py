"""Shutting down never hangs: a background task that died does not keep the database open."""

from __future__ import annotations

import asyncio
import logging
from types import SimpleNamespace

import pytest

from bot.app import close_resources
from bot.db import Database


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
