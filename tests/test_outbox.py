"""The durable outbox: priorities, pacing, Telegram's errors, and crashes."""

from __future__ import annotations

from itertools import pairwise

from bot.config import Settings
from bot.features.citizens import CitizenStore
from bot.outbox import Priority
from bot.outbox.model import Message, Status
from bot.transport.local_api import Fault
from tests.conftest import CITIZEN, Harness, crash_harness, start_harness, stop_harness
from tests.fakes import FakeClock

STAFF = -100500


def sent_texts(bot: Harness) -> list[str]:
    return [str(c.params["text"]) for c in bot.api.sent()]


async def queue(bot: Harness, chat: int, text: str, priority: Priority = Priority.CHECKIN,
                **kw: object) -> int | None:
    return await bot.ctx.outbox.enqueue(chat, Message(text), priority=priority, kind="test",
                                        **kw)  # type: ignore[arg-type]


async def test_more_important_rows_go_first(bot: Harness) -> None:
    await queue(bot, 1, "broadcast", Priority.BROADCAST)
    await queue(bot, 2, "check-in", Priority.CHECKIN)
    await queue(bot, STAFF, "urgent alert", Priority.URGENT_ALERT)
    await bot.drain()
    assert sent_texts(bot) == ["urgent alert", "check-in", "broadcast"]


async def test_one_chat_gets_at_most_one_message_a_second_and_a_group_one_per_3s(
        bot: Harness) -> None:
    for n in range(3):
        await queue(bot, CITIZEN, f"c{n}")
        await queue(bot, STAFF, f"s{n}")
    start = bot.clock.now()
    sent_at: list[tuple[str, float]] = []
    for _ in range(100):
        before = len(bot.api.sent())
        if await bot.drain(follow_time=False):
            for call in bot.api.sent()[before:]:
                sent_at.append((call.params["text"], (bot.clock.now() - start).total_seconds()))
        if len(sent_at) == 6:
            break
        bot.clock.advance(milliseconds=100)
    private = [t for text, t in sent_at if text.startswith("c")]
    group = [t for text, t in sent_at if text.startswith("s")]
    assert all(round(b - a, 6) >= 1.0 for a, b in pairwise(private))
    assert all(round(b - a, 6) >= 3.0 for a, b in pairwise(group))
    assert len(sent_at) == 6, "nothing is lost while pacing"


async def test_retry_after_holds_every_chat_for_exactly_that_long(bot: Harness) -> None:
    """Telegram's flood control is per bot: a 429 for one chat pauses all sending."""
    bot.api.fail(Fault("sendMessage", chat_id=CITIZEN, status=429,
                       description="Too Many Requests: retry after 7", retry_after=7))
    await queue(bot, CITIZEN, "to the throttled chat")
    await queue(bot, CITIZEN + 1, "to someone else")
    await bot.drain(follow_time=False)
    assert sent_texts(bot) == []
    bot.clock.advance(seconds=6.9)
    await bot.drain(follow_time=False)
    assert sent_texts(bot) == []
    bot.clock.advance(seconds=0.1)
    await bot.drain()
    assert sorted(sent_texts(bot)) == ["to someone else", "to the throttled chat"]


async def test_403_marks_the_citizen_gone_and_drops_their_queue(bot: Harness) -> None:
    await bot.say("/start")
    citizen = await bot.ctx.get(CitizenStore).by_user(CITIZEN)
    assert citizen is not None
    bot.api.fail(Fault("sendMessage", chat_id=CITIZEN, status=403))
    first = await queue(bot, CITIZEN, "one", citizen_id=citizen.id)
    second = await queue(bot, CITIZEN, "two", citizen_id=citizen.id)
    await bot.drain()
    assert first is not None and second is not None
    store = bot.ctx.outbox.store
    assert [(await store.get(first)).status, (await store.get(second)).status] == [  # type: ignore[union-attr]
        Status.FAILED, Status.CANCELLED]
    citizen = await bot.ctx.get(CitizenStore).by_user(CITIZEN)
    assert citizen is not None and not citizen.reachable


async def test_network_errors_are_retried_with_back_off_and_nothing_is_lost(
        bot: Harness) -> None:
    bot.api.fail(Fault("sendMessage", status=408, network=True, times=3))
    await queue(bot, CITIZEN, "eventually")
    start = bot.clock.now()
    await bot.drain()
    assert sent_texts(bot) == ["eventually"]
    assert len([c for c in bot.api.calls if c.method == "sendMessage"]) == 4, "3 timeouts, 1 ok"
    assert (bot.clock.now() - start).total_seconds() >= 2 + 4 + 8, "exponential back-off"


async def test_the_same_idempotency_key_is_queued_once(bot: Harness) -> None:
    assert await queue(bot, CITIZEN, "check-in", key="checkin:1:3") is not None
    assert await queue(bot, CITIZEN, "check-in", key="checkin:1:3") is None
    await bot.drain()
    assert sent_texts(bot) == ["check-in"]


async def test_crash_mid_send_never_duplicates_a_check_in_but_resends_an_alert(
        settings: Settings, clock: FakeClock) -> None:
    first = await start_harness(settings, clock)
    checkin = await queue(first, CITIZEN, "check-in", at_most_once=True)
    alert = await queue(first, STAFF, "alert", Priority.URGENT_ALERT)
    assert checkin is not None and alert is not None
    await first.ctx.outbox.store.mark_sending(checkin)  # the process dies right here
    await first.ctx.outbox.store.mark_sending(alert)
    await crash_harness(first)

    second = await start_harness(settings, clock)
    try:
        await second.application.bot_data["outbox_sender"].recover()
        await second.drain()
        assert sent_texts(second) == ["alert"]
        row = await second.ctx.outbox.store.get(checkin)
        assert row is not None and row.status is Status.UNCERTAIN
    finally:
        await stop_harness(second)


async def test_restart_during_a_429_back_off_keeps_the_wait(
        settings: Settings, clock: FakeClock) -> None:
    first = await start_harness(settings, clock)
    first.api.fail(Fault("sendMessage", chat_id=CITIZEN, status=429, retry_after=30,
                         description="Too Many Requests: retry after 30"))
    await queue(first, CITIZEN, "patient")
    await first.drain(follow_time=False)
    await crash_harness(first)

    second = await start_harness(settings, clock)
    try:
        await second.application.bot_data["outbox_sender"].recover()
        await queue(second, CITIZEN + 1, "queued after the restart")
        clock.advance(seconds=29)
        await second.drain(follow_time=False)
        assert sent_texts(second) == [], "the pause holds every chat after a restart too"
        clock.advance(seconds=1)
        await second.drain()
        assert sorted(sent_texts(second)) == ["patient", "queued after the restart"]
    finally:
        await stop_harness(second)
