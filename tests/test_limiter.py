"""The one send budget: global rate, lanes, group window, 429 pauses, 403s, 5xx, paid
broadcasts; the budget alone on a fake time, and the running bot through the local Bot API."""

from __future__ import annotations

import dataclasses
import time
from datetime import timedelta
from decimal import Decimal
from itertools import pairwise
from typing import Any

import pytest
from telegram.error import RetryAfter

from bot.config import ConfigError, Settings
from bot.features.checkin import CheckinService
from bot.features.checkin.service import KIND as CHECKIN
from bot.features.citizens import CitizenStore, Purpose
from bot.outbox import Priority
from bot.outbox.budget import (
    GROUP_PER_WINDOW,
    GROUP_PER_WINDOW_OUTBOX,
    Lane,
    SendBudget,
    paid_broadcast_stars,
)
from bot.outbox.limiter import OUTBOX, SendLimiter
from bot.outbox.model import Message, Status
from bot.outbox.sender import BLOCKED_CONSENT_VERSION
from bot.transport.local_api import Fault
from tests.conftest import CITIZEN, Harness, start_harness, stop_harness
from tests.fakes import FakeClock

GROUP = -100500


class FakeTime:
    def __init__(self) -> None:
        self.now = 0.0

    async def sleep(self, seconds: float) -> None:
        self.now += seconds


def budget(rate: float = 25, *, paid: bool = False) -> tuple[SendBudget, FakeTime]:
    fake = FakeTime()
    return SendBudget(rate, now=lambda: fake.now, sleep=fake.sleep, paid_broadcasts=paid), fake


def sends_in(b: SendBudget, fake: FakeTime, seconds: float, lane: Lane = Lane.BROADCAST,
             *, paid: bool = False) -> list[float]:
    """Send to ever new chats as fast as the budget lets; the times they went."""
    times: list[float] = []
    chat = 1
    while fake.now < seconds:
        wait = b.wait(lane, chat, paid=paid)
        if wait:
            fake.now += wait
            continue
        b.take(lane, chat, paid=paid)
        times.append(fake.now)
        chat += 1
    return [t for t in times if t < seconds]


async def drain_timed(bot: Harness, start: Any) -> list[tuple[float, str, bool]]:
    """Drain the outbox; (seconds since start, method, accepted) per Bot API call."""
    seen: list[tuple[float, str, bool]] = []
    sender = bot.application.bot_data["outbox_sender"]
    for _ in range(1000):
        before = len(bot.api.calls)
        wait = await sender.send_next()
        at = (bot.clock.now() - start).total_seconds()
        seen += [(at, c.method, c.ok) for c in bot.api.calls[before:]]
        if wait is None:
            return seen
        bot.clock.advance(seconds=wait.total_seconds())
    raise AssertionError("outbox did not drain")


async def queue(bot: Harness, chat: int, text: str, priority: Priority = Priority.BROADCAST,
                kind: str = "broadcast", **kw: Any) -> int | None:
    return await bot.ctx.outbox.enqueue(chat, Message(text), priority=priority, kind=kind, **kw)


# the budget alone ------------------------------------------------------------------------


@pytest.mark.parametrize("rate", [25, 1000])
def test_the_global_budget_is_the_rate_with_waits_computed_from_it(rate: int) -> None:
    b, fake = budget(rate)
    times = sends_in(b, fake, 10.0)
    burst = max(1, rate * 0.04)
    assert rate * 10 <= len(times) <= rate * 10 + burst
    assert all(round(t2 - t1, 6) in (0.0, round(1 / rate, 6)) for t1, t2 in pairwise(times))
    later = [t for t in times if t >= 1.0]
    assert later == sorted(later) and round(later[1] - later[0], 6) == round(1 / rate, 6)


def test_the_budget_is_cheap_enough_for_a_thousand_a_second() -> None:
    b, fake = budget(1000)
    started = time.perf_counter()
    sends = sends_in(b, fake, 20.0)
    assert len(sends) >= 20_000
    assert time.perf_counter() - started < 1.0, "well under a millisecond per message"


def test_a_reply_takes_budget_at_once_and_the_outbox_only_gets_what_is_left() -> None:
    b, _ = budget(25)
    b.take(Lane.BROADCAST, 1)
    assert b.wait(Lane.BROADCAST, 2) == pytest.approx(0.04)
    assert b.wait(Lane.REPLY, 3) == 0.0, "a reply never waits behind the outbox"
    for chat in range(3, 8):
        b.take(Lane.REPLY, chat)
    assert b.wait(Lane.BROADCAST, 2) == pytest.approx(0.04 * 6), "the replies used the budget"
    assert b.wait(Lane.REPLY, 3) == 0.0, "even twice to the same chat"


def test_replies_alone_wait_only_once_they_booked_a_second_ahead() -> None:
    b, _ = budget(25)
    for chat in range(25):
        assert b.wait(Lane.REPLY, chat) == 0.0
        b.take(Lane.REPLY, chat)
    assert b.wait(Lane.REPLY, 99) == 0.0
    b.take(Lane.REPLY, 99)
    assert b.wait(Lane.REPLY, 100) == pytest.approx(0.04)


def test_proactive_messages_keep_a_second_per_chat_and_replies_count_for_it() -> None:
    b, fake = budget(25)
    b.take(Lane.REPLY, CITIZEN)
    assert b.wait(Lane.REMINDER, CITIZEN) == pytest.approx(1.0)
    fake.now = 1.0
    assert b.wait(Lane.REMINDER, CITIZEN) == 0.0


def test_a_group_never_gets_more_than_20_in_any_minute_and_the_outbox_leaves_room() -> None:
    b, fake = budget(25)
    outbox = sends_to_group(b, fake, Lane.ALERT, 300.0)
    assert all(round(t2 - t1, 6) >= 3.0 for t1, t2 in pairwise(outbox))
    assert max_in_a_minute(outbox) == GROUP_PER_WINDOW_OUTBOX

    b, fake = budget(25)
    mixed = sends_to_group(b, fake, Lane.ALERT, 30.0)
    mixed += sends_to_group(b, fake, Lane.REPLY, 300.0)
    assert max_in_a_minute(sorted(mixed)) == GROUP_PER_WINDOW, "no leak past 20 a minute"


def sends_to_group(b: SendBudget, fake: FakeTime, lane: Lane, until: float) -> list[float]:
    times = []
    while fake.now < until:
        wait = b.wait(lane, GROUP)
        if wait:
            fake.now += wait
            continue
        b.take(lane, GROUP)
        times.append(fake.now)
    return times


def max_in_a_minute(times: list[float]) -> int:
    return max(sum(1 for t in times if start <= t < start + 60) for start in times)


def test_a_pause_stops_every_lane_for_that_long_and_never_less() -> None:
    b, fake = budget(25, paid=True)
    b.pause(7)
    fake.now = 6.999
    for lane in Lane:
        assert b.wait(lane, 1) == pytest.approx(0.001)
        assert b.wait(lane, GROUP) == pytest.approx(0.001)
    assert b.wait(Lane.BROADCAST, 1, paid=True) == pytest.approx(0.001)
    b.pause(0.0005)  # a shorter one meanwhile never shortens it
    assert b.wait(Lane.REPLY, 1) == pytest.approx(0.001)
    fake.now = 7.0
    assert all(b.wait(lane, 1) == 0.0 for lane in Lane)
    b.pause(2)  # a later one lengthens it
    fake.now = 8.5
    assert b.wait(Lane.REPLY, 1) == pytest.approx(0.5)


async def test_a_reply_waits_out_the_pause_and_its_own_429_pauses_the_outbox(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "1")  # as bot/app.py does
    b, fake = budget(25)
    limiter = SendLimiter(b)
    attempts: list[float] = []

    async def telegram(**_: Any) -> bool:
        attempts.append(fake.now)
        if len(attempts) == 1:
            raise RetryAfter(timedelta(seconds=5))
        return True

    ok = await limiter.process_request(telegram, (), {}, "sendMessage", {"chat_id": 1}, None)
    assert ok is True and attempts == [0.0, 5.0], "tried again after the pause, not before"
    b.pause(3)
    outbox_calls: list[float] = []

    async def refused(**_: Any) -> bool:
        outbox_calls.append(fake.now)
        raise RetryAfter(timedelta(seconds=4))

    with pytest.raises(RetryAfter):  # the outbox sender reschedules its own row
        await limiter.process_request(refused, (), {}, "sendMessage", {"chat_id": 2},
                                      OUTBOX)
    assert outbox_calls == [5.0] and b.wait(Lane.BROADCAST, 3) == pytest.approx(4.0)
    await limiter.process_request(telegram, (), {}, "sendMessage", {"chat_id": 1}, None)
    assert attempts[-1] == pytest.approx(9.0), "the reply waited out the outbox's 429 too"


def test_paid_broadcasts_have_their_own_thousand_a_second_and_a_price() -> None:
    b, fake = budget(25, paid=True)
    assert 1000 <= len(sends_in(b, fake, 1.0, paid=True)) <= 1040
    assert paid_broadcast_stars(1) == Decimal("0.1")
    assert paid_broadcast_stars(100_000) == Decimal(10_000)
    assert paid_broadcast_stars(0) == 0


def test_send_rate_and_broadcast_paid_settings() -> None:
    assert Settings.from_env({}).send_rate == 25
    assert not Settings.from_env({}).broadcast_paid
    custom = Settings.from_env({"SEND_RATE": "1000", "BROADCAST_PAID": "1"})
    assert custom.send_rate == 1000 and custom.broadcast_paid
    for bad in ("0", "-5", "fast"):
        with pytest.raises(ConfigError, match="SEND_RATE"):
            Settings.from_env({"SEND_RATE": bad})


# the running bot ---------------------------------------------------------------------


async def test_a_citizen_chatting_during_a_broadcast_is_answered_before_queued_rows(
        bot: Harness) -> None:
    for chat in range(1, 31):
        await queue(bot, 10_000 + chat, f"broadcast {chat}")
    await bot.drain(follow_time=False)  # the budget allows one now, the rest must wait
    start = bot.clock.now()
    replies = await bot.say("/start")
    assert replies and bot.clock.now() == start, "answered at once, without waiting"
    sends = [c.chat_id for c in bot.api.sent()]
    assert sends[0] == 10_001 and sends[1:] and set(sends[1:]) == {CITIZEN}
    await bot.drain()
    assert len(bot.api.sent()) == 30 + len(replies)
    spent = (bot.clock.now() - start).total_seconds()
    assert spent >= (29 + len(replies) - 1) * 0.04, "the replies' budget was taken from it"


async def test_a_429_storm_pauses_everything_for_retry_after_and_never_less(
        bot: Harness) -> None:
    bot.api.fail(Fault("sendMessage", status=429, retry_after=5, times=3,
                       description="Too Many Requests: retry after 5"))
    for chat in range(1, 11):
        await queue(bot, chat, f"to {chat}", kind="test")
    start = bot.clock.now()
    calls = [(t, ok) for t, method, ok in await drain_timed(bot, start)
             if method == "sendMessage"]
    refused = [t for t, ok in calls if not ok]
    assert refused == [0.0, 5.0, 10.0], "each call after a 429 waited all of retry_after"
    assert all(t >= 15.0 for t, ok in calls if ok) and len([1 for _, ok in calls if ok]) == 10
    rows = [await bot.ctx.outbox.store.get(i) for i in range(1, 11)]
    assert all(r is not None and r.status is Status.SENT for r in rows), "nothing lost"


async def test_a_reply_during_a_pause_waits_for_its_end(bot: Harness) -> None:
    bot.api.fail(Fault("sendMessage", status=429, retry_after=30, times=1,
                       description="Too Many Requests: retry after 30"))
    await queue(bot, 77, "refused", kind="test")
    start = bot.clock.now()
    await bot.drain(follow_time=False)
    assert await bot.say("/start"), "the reply goes, late"
    assert (bot.clock.now() - start).total_seconds() >= 30.0


async def test_403_marks_the_citizen_blocked_withdraws_consents_and_stops_all_contact(
        bot: Harness) -> None:
    await bot.say("/start")
    citizens = bot.ctx.get(CitizenStore)
    citizen = await citizens.by_user(CITIZEN)
    assert citizen is not None
    await citizens.record_consents(citizen.id, {Purpose.CHECKINS: True, Purpose.WEBINARS: True,
                                                Purpose.JOB_CLUB: False}, "test-1",
                                   bot.clock.now())
    await bot.ctx.scheduler.set(CheckinService.key(citizen.id), CHECKIN, citizen.id,
                                bot.clock.now().replace(year=2027))
    bot.api.fail(Fault("sendMessage", chat_id=CITIZEN, status=403))
    refused = await queue(bot, CITIZEN, "broadcast", citizen_id=citizen.id)
    later = await queue(bot, CITIZEN, "reminder", Priority.REMINDER, kind="test",
                        citizen_id=citizen.id, not_before=bot.clock.now().replace(year=2027))
    await bot.drain()
    store = bot.ctx.outbox.store
    assert refused is not None and later is not None
    assert (await store.get(refused)).status is Status.FAILED  # type: ignore[union-attr]
    assert (await store.get(later)).status is Status.CANCELLED  # type: ignore[union-attr]
    gone = await citizens.by_user(CITIZEN)
    assert gone is not None and not gone.reachable
    consents = await citizens.consents(citizen.id)
    assert not any(r.granted for r in consents.values())
    assert {p for p, r in consents.items() if r.text_version == BLOCKED_CONSENT_VERSION} == {
        Purpose.CHECKINS, Purpose.WEBINARS}, "recorded as withdrawals, only of what was given"
    assert await bot.ctx.scheduler.get(CheckinService.key(citizen.id)) is None


async def test_5xx_is_retried_with_back_off(bot: Harness) -> None:
    bot.api.fail(Fault("sendMessage", status=502, description="Bad Gateway", times=2))
    bot.api.fail(Fault("sendMessage", status=500, description="Internal", times=1))
    await queue(bot, CITIZEN, "eventually", kind="test")
    seen = [(t, ok) for t, method, ok in await drain_timed(bot, bot.clock.now())
            if method == "sendMessage"]
    assert seen == [(0.0, False), (2.0, False), (6.0, False), (14.0, True)]


async def test_broadcast_paid_sends_broadcast_rows_paid_at_up_to_1000_a_second(
        settings: Settings, clock: FakeClock) -> None:
    paid = await start_harness(dataclasses.replace(settings, broadcast_paid=True), clock)
    try:
        for chat in range(1, 201):
            await queue(paid, chat, "news")
        await queue(paid, 500, "not a broadcast", kind="test")
        start = clock.now()
        await paid.drain()
        assert (clock.now() - start).total_seconds() < 0.25, "200 in well under 8 s at 25/s"
        flags = {c.params.get("text"): c.params.get("allow_paid_broadcast")
                 for c in paid.api.sent()}
        assert flags == {"news": True, "not a broadcast": None}
    finally:
        await stop_harness(paid)


async def test_without_broadcast_paid_nothing_is_paid(bot: Harness) -> None:
    await queue(bot, 1, "news")
    await bot.drain()
    assert [c.params.get("allow_paid_broadcast") for c in bot.api.sent()] == [None]


async def test_403_on_a_direct_reply_does_the_same(bot: Harness) -> None:
    await bot.say("/start")
    citizens = bot.ctx.get(CitizenStore)
    citizen = await citizens.by_user(CITIZEN)
    assert citizen is not None
    await citizens.record_consents(citizen.id, {Purpose.WEBINARS: True}, "test-1",
                                   bot.clock.now())
    queued = await queue(bot, CITIZEN, "news", citizen_id=citizen.id)
    bot.api.fail(Fault("sendMessage", chat_id=CITIZEN, status=403))
    await bot.say("/help")
    consents = await citizens.consents(citizen.id)
    assert not consents[Purpose.WEBINARS].granted
    assert consents[Purpose.WEBINARS].text_version == BLOCKED_CONSENT_VERSION
    row = await bot.ctx.outbox.store.get(queued or 0)
    assert row is not None and row.status is Status.CANCELLED
