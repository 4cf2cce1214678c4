"""A citizen who blocks the bot is gone until they come back (point 8); the bot in a group."""

from __future__ import annotations

import logging

import pytest

from bot.features.citizens import CitizenStore
from bot.transport.local_api import Fault
from tests.conftest import CITIZEN, Harness


async def test_kicked_marks_gone_and_member_marks_back(bot: Harness) -> None:
    await bot.say("/start")
    await bot.application.process_update(bot.updates.membership(CITIZEN, "kicked"))
    citizen = await bot.ctx.get(CitizenStore).by_user(CITIZEN)
    assert citizen is not None and not citizen.reachable
    assert citizen.blocked_at == bot.clock.now()
    await bot.application.process_update(bot.updates.membership(CITIZEN, "member"))
    citizen = await bot.ctx.get(CitizenStore).by_user(CITIZEN)
    assert citizen is not None and citizen.reachable


async def test_403_on_send_marks_the_citizen_gone(bot: Harness) -> None:
    await bot.say("/start")
    bot.api.fail(Fault("sendMessage", chat_id=CITIZEN, status=403))
    await bot.say("/help")
    citizen = await bot.ctx.get(CitizenStore).by_user(CITIZEN)
    assert citizen is not None and not citizen.reachable


async def test_blocking_by_a_stranger_is_ignored(bot: Harness) -> None:
    await bot.application.process_update(bot.updates.membership(999, "kicked"))
    assert await bot.ctx.get(CitizenStore).by_user(999) is None


async def test_being_added_to_a_group_logs_its_id_for_staff_chat_id(
        bot: Harness, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="bot.features.citizens.handlers"):
        await bot.application.process_update(bot.updates.added_to_group(-1001234567890, 42))
    assert ("the bot was added to supergroup -1001234567890; set STAFF_CHAT_ID=-1001234567890 "
            "if this is the staff group") in caplog.text
    assert "Admin" not in caplog.text and "Staff" not in caplog.text, "no names or titles"
