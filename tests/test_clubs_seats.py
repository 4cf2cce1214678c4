"""Job clubs (issue 12): timed seat offers (Accept / No thanks, SEAT_OFFER_HOURS counted outside
quiet hours, no answer -> the next one), race-free promotion, an offer surviving a restart, and
the seat freed by leaving, /stop, /delete, a consent withdrawn or a blocked bot."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

import pytest

from bot.cli.club_report import COLUMNS, club_rows
from bot.config import ConfigError, Settings
from bot.features.checkin import CheckinService
from bot.features.checkin.timing import ContactRules
from bot.features.citizens import CitizenStore, Purpose
from bot.features.clubs.model import JoinResult, OfferStatus
from bot.features.clubs.offers import offer_window
from bot.outbox import Priority
from bot.outbox.model import Message
from bot.scheduler import Timer
from bot.transport.local_api import Fault
from tests.club_helpers import (
    ZONE,
    citizen,
    create,
    join,
    last_buttons,
    press,
    service,
    store,
)
from tests.conftest import Harness, crash_harness, start_harness, stop_harness
from tests.fakes import FakeClock

ANNA, BO, CARL, DITTE = 5201, 5202, 5203, 5204
RULES = ContactRules((datetime(1, 1, 1, 20).time(), datetime(1, 1, 1, 8).time()), True, ZONE)


def local(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=ZONE)


def test_the_offer_window_counts_only_time_outside_quiet_hours() -> None:
    offered, expires = offer_window(RULES, local("2026-11-24 10:00"), timedelta(hours=24))
    assert offered == local("2026-11-24 10:00")
    assert expires.astimezone(ZONE) == local("2026-11-26 10:00"), "10 h + 12 h + 2 h"
    offered, expires = offer_window(RULES, local("2026-11-27 21:00"), timedelta(hours=24))
    assert offered.astimezone(ZONE) == local("2026-11-30 08:00"), "after the weekend"
    assert expires.astimezone(ZONE) == local("2026-12-01 20:00")
    always = ContactRules(None, False, ZONE)
    assert offer_window(always, local("2026-11-24 10:00"), timedelta(hours=24))[1] == local(
        "2026-11-25 10:00")


async def full_club_with_waitlist(bot: Harness, *waiting: int) -> None:
    """Capacity 1: Anna has the seat, the others wait in this order."""
    await create(bot, capacity=1)
    for user in (ANNA, *waiting):
        await citizen(bot, user)
        await join(bot, user)


async def offered_to(bot: Harness, user: int) -> int:
    """The id of the open seat offer in the user's chat (from its Accept button)."""
    accept = next(data for label, data in last_buttons(bot, user) if label == "Accept")
    return int(accept.split("|")[2])


async def test_a_freed_seat_is_offered_and_accepted(bot: Harness) -> None:
    await full_club_with_waitlist(bot, BO, CARL)
    await press(bot, ANNA, "club|leave|1")
    await bot.drain()
    offer = bot.api.texts(BO)[-1]
    assert offer == ("Good news: a seat has become free in «Job club» (next meeting Tuesday 1 "
                     "December at 14:00). Would you like it? It is kept for you until Thursday 26 "
                     "November at 10:00; after that it goes to the next on the waitlist.")
    assert CARL not in [c.chat_id for c in bot.api.sent() if "Good news" in c.params["text"]]
    _header, line = await bot.say("/clubs", user=CARL)
    assert line.endswith("Seats left: 0 of 1\n\nYou are number 2 on the waitlist.")
    offer_id = await offered_to(bot, BO)
    bot.clock.advance(hours=12)
    [taken] = await press(bot, BO, f"club|offer|{offer_id}|yes")
    assert taken.startswith("The seat is yours – welcome to «Job club»!")
    row = dict(zip(COLUMNS, (await club_rows(bot.ctx.settings))[0], strict=True))
    assert (row["members"], row["waitlist"], row["avg_wait_days"], row["dropped_out"]) == (
        1, 1, "0.5", 1)
    bo = await bot.ctx.get(CitizenStore).by_user(BO)
    assert bo is not None and await store(bot).members(1) == [bo.id]
    await bot.drain()
    assert bot.api.sent(BO, method="sendDocument"), "the calendar file with the seat"
    assert await press(bot, BO, f"club|offer|{offer_id}|yes") == [
        "This seat offer is no longer open. /clubs shows the clubs and where you stand."]
    assert await bot.ctx.scheduler.get(f"club-offer:{offer_id}") is None


async def test_danish_offer_buttons(bot: Harness) -> None:
    await create(bot, capacity=1)
    await citizen(bot, ANNA)
    await join(bot, ANNA)
    await citizen(bot, BO, "da")
    await join(bot, BO)
    await press(bot, ANNA, "club|leave|1")
    await bot.drain()
    assert [label for label, _data in last_buttons(bot, BO)] == ["Ja tak", "Nej tak"]


async def test_no_thanks_and_no_answer_pass_the_seat_on(bot: Harness) -> None:
    await full_club_with_waitlist(bot, BO, CARL, DITTE)
    await press(bot, ANNA, "club|leave|1")
    await bot.drain()
    [declined] = await press(bot, BO, f"club|offer|{await offered_to(bot, BO)}|no")
    assert declined.startswith("Noted – the seat goes to the next on the waitlist")
    await bot.drain()
    carl_offer = await offered_to(bot, CARL)
    timer = await bot.ctx.scheduler.get(f"club-offer:{carl_offer}")
    assert timer is not None
    assert timer.due_at.astimezone(ZONE) == local("2026-11-26 10:00")
    bot.clock.advance(hours=47)  # Thursday 09:00 local: still open
    await bot.ctx.scheduler.fire_due()
    assert (await store(bot).offer(carl_offer)).status is OfferStatus.OPEN  # type: ignore[union-attr]
    bot.clock.advance(hours=1)
    await bot.ctx.scheduler.fire_due()
    await bot.drain()
    assert bot.api.texts(CARL)[-1].startswith("The seat in «Job club» was kept for you until "
                                              "Thursday 26 November at 10:00")
    assert bot.api.texts(DITTE)[-1].startswith("Good news: a seat has become free")
    await bot.say("/clubs", user=CARL)
    assert bot.buttons(CARL) == ["Waitlist"], "off the waitlist, may join it again"


async def test_an_offer_holds_its_seat_against_double_taps_and_newcomers(bot: Harness) -> None:
    await full_club_with_waitlist(bot, BO)
    carl, ditte = await citizen(bot, CARL), await citizen(bot, DITTE)
    await press(bot, ANNA, "club|leave|1")
    await bot.drain()
    offer_id = await offered_to(bot, BO)
    bo = await bot.ctx.get(CitizenStore).by_user(BO)
    assert bo is not None
    now = bot.clock.now()
    accept = service(bot).answer_offer
    *replies, carl_joined, ditte_joined = await asyncio.gather(
        accept(bo, offer_id, True), accept(bo, offer_id, True),
        store(bot).join(1, carl.id, now), store(bot).join(1, ditte.id, now))
    joins = [carl_joined, ditte_joined]
    assert sum(str(r).startswith("The seat is yours") for r in replies) == 1
    assert await store(bot).members(1) == [bo.id], "one seat, one member"
    assert [j.result for j in joins] == [JoinResult.WAITLISTED] * 2  # type: ignore[union-attr]


@pytest.mark.parametrize("after_deadline", [timedelta(seconds=-1), timedelta(0)])
async def test_an_accept_racing_the_deadline_never_gives_the_seat_twice(
        bot: Harness, after_deadline: timedelta) -> None:
    await full_club_with_waitlist(bot, BO, CARL)
    await press(bot, ANNA, "club|leave|1")
    offer = await store(bot).offer(1)
    bo = await bot.ctx.get(CitizenStore).by_user(BO)
    assert offer is not None and bo is not None and offer.citizen_id == bo.id
    bot.clock.advance(seconds=(offer.expires_at + after_deadline - bot.clock.now())
                      .total_seconds())
    timer = Timer(f"club-offer:{offer.id}", "club-offer", bo.id, offer.expires_at,
                  {"offer": offer.id})
    await asyncio.gather(service(bot).answer_offer(bo, offer.id, True),
                         service(bot).fire_offer_expiry(timer))
    seats = await store(bot).seats(1)
    assert seats.taken + seats.offered == 1, "one seat: a member or an open offer, never both"
    accepted = await store(bot).members(1) == [bo.id]
    assert accepted == (after_deadline < timedelta(0))


async def test_an_open_offer_and_its_deadline_survive_a_restart(settings: Settings,
                                                                clock: FakeClock) -> None:
    first = await start_harness(settings, clock)
    await full_club_with_waitlist(first, BO, CARL)
    await press(first, ANNA, "club|leave|1")
    await first.drain()
    offer_id = await offered_to(first, BO)
    await crash_harness(first)
    second = await start_harness(settings, clock, api=first.api)
    try:
        timer = await second.ctx.scheduler.get(f"club-offer:{offer_id}")
        assert timer is not None and timer.due_at.astimezone(ZONE) == local("2026-11-26 10:00")
        clock.advance(hours=49)
        await second.ctx.scheduler.fire_due()
        await second.drain()
        assert second.api.texts(BO)[-1].startswith("The seat in «Job club» was kept for you")
        assert second.api.texts(CARL)[-1].startswith("Good news: a seat has become free")
        carl_offer = await offered_to(second, CARL)
        [taken] = await press(second, CARL, f"club|offer|{carl_offer}|yes")
        assert taken.startswith("The seat is yours")
    finally:
        await stop_harness(second)


# the seat freed ---------------------------------------------------------------------------
async def test_stop_frees_the_seat_at_once(bot: Harness) -> None:
    await full_club_with_waitlist(bot, BO)
    await bot.say("/stop", user=ANNA)
    await bot.drain()  # no sweep needed
    assert bot.api.texts(BO)[-1].startswith("Good news: a seat has become free")
    assert await store(bot).members(1) == []


async def test_switching_job_clubs_off_frees_the_seat_at_once(bot: Harness) -> None:
    await full_club_with_waitlist(bot, BO)
    anna = await bot.ctx.get(CitizenStore).by_user(ANNA)
    assert anna is not None
    await bot.ctx.get(CitizenStore).record_consents(anna.id, {Purpose.JOB_CLUB: False}, "test",
                                                    bot.clock.now())
    await service(bot).citizen_changed(anna.id)  # what the menu's save emits (CITIZEN_CHANGED)
    await bot.drain()
    assert bot.api.texts(BO)[-1].startswith("Good news: a seat has become free")


async def test_delete_frees_the_seat_at_once(bot: Harness) -> None:
    await full_club_with_waitlist(bot, BO)
    await bot.say("/delete", user=ANNA)
    await bot.tap("Yes, delete everything", user=ANNA)
    await bot.drain()
    assert bot.api.texts(BO)[-1].startswith("Good news: a seat has become free")
    seats = await store(bot).seats(1)
    assert (seats.taken, seats.offered) == (0, 1)


async def test_a_403_frees_the_seat_at_once(bot: Harness) -> None:
    await full_club_with_waitlist(bot, BO)
    await bot.drain()
    bot.api.fail(Fault("sendMessage", chat_id=ANNA, status=403))
    anna = await bot.ctx.get(CitizenStore).by_user(ANNA)
    assert anna is not None
    await bot.ctx.outbox.enqueue(anna.chat_id, Message("hello"), priority=Priority.REMINDER,
                                 kind="test")
    await bot.drain()
    assert await store(bot).members(1) == []
    assert bot.api.texts(BO)[-1].startswith("Good news: a seat has become free")


async def test_blocking_the_bot_frees_the_seat_at_once(bot: Harness) -> None:
    await full_club_with_waitlist(bot, BO)
    await bot.application.process_update(bot.updates.membership(ANNA, "kicked"))
    await bot.drain()  # no sweep needed
    assert await store(bot).members(1) == []
    assert bot.api.texts(BO)[-1].startswith("Good news: a seat has become free")


def test_the_club_settings_are_read_and_checked() -> None:
    settings = Settings.from_env({"SEAT_OFFER_HOURS": "48", "CLUB_REMINDER_MINUTES": "90",
                                  "CLUB_WAITLIST_ALERT": "5"})
    assert (settings.seat_offer, settings.club_reminder, settings.club_waitlist_alert) == (
        timedelta(hours=48), timedelta(minutes=90), 5)
    defaults = Settings.from_env({})
    assert (defaults.seat_offer, defaults.club_reminder, defaults.club_waitlist_alert) == (
        timedelta(hours=24), timedelta(minutes=60), 8)
    with pytest.raises(ConfigError, match="SEAT_OFFER_HOURS"):
        Settings.from_env({"SEAT_OFFER_HOURS": "0"})


async def test_ending_the_contact_in_a_check_in_frees_the_seat_at_once(bot: Harness) -> None:
    await full_club_with_waitlist(bot, BO)
    anna = await bot.ctx.get(CitizenStore).by_user(ANNA)
    assert anna is not None
    await bot.ctx.get(CitizenStore).record_consents(anna.id, {Purpose.CHECKINS: True}, "test",
                                                    bot.clock.now())
    await bot.ctx.get(CheckinService).ensure_scheduled(anna.id)
    await bot.say("/menu", user=ANNA)  # done with the welcome: a check-in may come
    bot.clock.advance(days=2)
    await bot.ctx.scheduler.fire_due()
    await bot.drain()
    await bot.tap("Good", user=ANNA)
    await bot.tap("I have found work or education", user=ANNA)
    await bot.tap("End the contact", user=ANNA)
    await bot.drain()  # no sweep needed
    assert await store(bot).members(1) == []
    assert bot.api.texts(BO)[-1].startswith("Good news: a seat has become free")
