"""A citizen who blocks the bot is gone until they come back (point 8)."""

from __future__ import annotations

from bot.transport.local_api import Fault
from tests.conftest import CITIZEN, Harness


async def test_kicked_marks_gone_and_member_marks_back(bot: Harness) -> None:
    await bot.say("/start")
    await bot.application.process_update(bot.updates.membership(CITIZEN, "kicked"))
    citizen = await bot.ctx.citizens.by_user(CITIZEN)
    assert citizen is not None and not citizen.reachable
    assert citizen.blocked_at == bot.clock.now()
    await bot.application.process_update(bot.updates.membership(CITIZEN, "member"))
    citizen = await bot.ctx.citizens.by_user(CITIZEN)
    assert citizen is not None and citizen.reachable


async def test_403_on_send_marks_the_citizen_gone(bot: Harness) -> None:
    await bot.say("/start")
    bot.api.fail(Fault("sendMessage", chat_id=CITIZEN, status=403))
    await bot.say("/help")
    citizen = await bot.ctx.citizens.by_user(CITIZEN)
    assert citizen is not None and not citizen.reachable


async def test_blocking_by_a_stranger_is_ignored(bot: Harness) -> None:
    await bot.application.process_update(bot.updates.membership(999, "kicked"))
    assert await bot.ctx.citizens.by_user(999) is None
