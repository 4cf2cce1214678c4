"""Job clubs (issue 12), the meetings: reminders the day before (no link) and
CLUB_REMINDER_MINUTES before (with the link) at the right local times across summer time,
"Can't come", notices of a new time, link or cancellation with the updated calendar file, a
cancelled club offering the next one, the consultant's attendance list, two misses, and the
coordinators' alert when the waitlist grows."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from bot.cli.club_report import COLUMNS, club_rows
from bot.config import Settings
from bot.features.cases import CaseService
from bot.features.citizens import CitizenStore
from bot.features.clubs.demand import ClubDemand
from bot.features.clubs.planning import ClubPlanner
from bot.features.staff import Role, StaffService
from tests.club_helpers import (
    CONSULTANT,
    LINK,
    ZONE,
    citizen,
    create,
    documents,
    events_of,
    join,
    last_buttons,
    press,
    store,
    sweep,
)
from tests.conftest import Harness, start_harness, stop_harness
from tests.fakes import FakeClock

ANNA, BO, CARL = 5301, 5302, 5303
STAFF_CHAT = -100777
ADMIN, OTHER_CONSULTANT = 71, 63
NEW_LINK = "https://meet.example/club-8"


async def at(bot: Harness, moment: datetime) -> None:
    """Move the fake clock to `moment` and fire what is due, as the running bot would."""
    bot.clock.advance(seconds=(moment - bot.clock.now()).total_seconds())
    await bot.ctx.scheduler.fire_due()
    await bot.drain()


def planner(bot: Harness) -> ClubPlanner:
    return ClubPlanner(store(bot), bot.clock, ZONE)


# reminders ---------------------------------------------------------------------------------
async def test_reminders_the_day_before_without_and_an_hour_before_with_the_link(
        bot: Harness) -> None:
    await create(bot)
    await citizen(bot, ANNA)
    await join(bot, ANNA)
    await at(bot, datetime(2026, 11, 30, 12, 59, tzinfo=UTC))
    before = len(bot.api.texts(ANNA))
    await at(bot, datetime(2026, 11, 30, 13, 0, tzinfo=UTC))  # Monday 14:00 local
    [day_before] = bot.api.texts(ANNA)[before:]
    assert day_before == ("Reminder: «Job club» meets tomorrow, Tuesday 1 December at 14:00, "
                          "online. The link comes 60 minutes before the start.")
    assert LINK not in day_before
    assert [label for label, _data in last_buttons(bot, ANNA)] == ["Can't come"]
    await at(bot, datetime(2026, 12, 1, 11, 59, tzinfo=UTC))
    assert len(bot.api.texts(ANNA)) == before + 1, "nothing more before the hour"
    await at(bot, datetime(2026, 12, 1, 12, 0, tzinfo=UTC))  # 13:00 local
    [reminder] = bot.api.texts(ANNA)[before + 1:]
    assert reminder == f"«Job club» starts Tuesday 1 December at 14:00. Join here: {LINK}"
    assert [label for label, _data in last_buttons(bot, ANNA)] == ["Can't come"]


async def test_a_club_across_summer_time_keeps_its_local_time(bot: Harness) -> None:
    club_id = await create(bot, "2027-03-23 14:00", weeks=2)
    await citizen(bot, ANNA, "da")
    await join(bot, ANNA, club_id)
    first, second = await store(bot).sessions(club_id)
    reminders = [await bot.ctx.scheduler.get(f"club-reminder:{s.id}") for s in (first, second)]
    assert [t.due_at.astimezone(ZONE).strftime("%d %H:%M") for t in reminders if t] == [
        "23 13:00", "30 13:00"], "an hour before 14:00 local, both sides of 28 March"
    day_before = await bot.ctx.scheduler.get(f"club-day-before:{second.id}")
    assert day_before is not None
    assert day_before.due_at.astimezone(ZONE).strftime("%d %H:%M") == "29 14:00"
    await at(bot, datetime(2027, 3, 30, 11, 0, tzinfo=UTC))
    assert bot.api.texts(ANNA)[-1] == (
        f"«Jobklub» begynder tirsdag den 30. marts kl. 14.00. Deltag her: {LINK}")


async def test_cant_come_twice_in_a_row_asks_whether_to_keep_the_seat(bot: Harness) -> None:
    await create(bot, weeks=3)
    await citizen(bot, ANNA)
    await join(bot, ANNA)
    first, second, _third = await store(bot).sessions(1)
    [noted] = await press(bot, ANNA, f"club|cantcome|{first.id}")
    assert noted == ("Thank you for telling us – we will miss you Tuesday 1 December at 14:00. "
                     "See you next time!")
    assert await press(bot, ANNA, f"club|cantcome|{first.id}") == ["Noted already – thank you."]
    [asked] = await press(bot, ANNA, f"club|cantcome|{second.id}")
    assert "You could not come to the last two meetings of «Job club»." in asked
    assert [label for label, _data in last_buttons(bot, ANNA)] == ["Keep my seat",
                                                                   "Leave the club"]
    assert await press(bot, ANNA, "club|keep|1") == [
        "Good – your seat in «Job club» is kept. See you at the next meeting!"]


# changes -----------------------------------------------------------------------------------
async def test_a_new_time_a_cancelled_meeting_and_a_new_link_are_told_with_the_file(
        bot: Harness) -> None:
    await create(bot, weeks=3)
    await citizen(bot, ANNA)
    await join(bot, ANNA)
    await bot.drain()
    await planner(bot).edit(1, datetime(2026, 12, 2, 10, 0), None)
    await sweep(bot)
    await bot.drain()
    moved = documents(bot, ANNA)[-1]
    assert moved.params["caption"] == ("«Job club» has a new time: from Wednesday 2 December at "
                                       "10:00, every week.\n\nThe updated calendar file is "
                                       "attached.")
    events = events_of(moved)
    assert [e["sequence"] for e in events] == [1, 1, 1]
    assert events[0].decoded("dtstart") == datetime(2026, 12, 2, 10, 0, tzinfo=ZONE)
    await planner(bot).cancel_session(1, 2)
    await sweep(bot)
    await bot.drain()
    called_off = documents(bot, ANNA)[-1]
    assert called_off.params["caption"].startswith(
        "The meeting of «Job club» on Wednesday 9 December at 10:00 is cancelled.")
    assert [str(e["status"]) for e in events_of(called_off)] == [
        "CONFIRMED", "CANCELLED", "CONFIRMED"]
    assert [e["uid"] for e in events_of(called_off)] == [e["uid"] for e in events]
    texts = len(bot.api.texts(ANNA))
    await planner(bot).edit(1, None, NEW_LINK)
    await sweep(bot)
    await sweep(bot)
    await bot.drain()
    assert bot.api.texts(ANNA)[texts:] == [
        "«Job club» has a new link. You will get it 60 minutes before each meeting."], "once"


async def test_a_cancelled_club_removes_its_meetings_and_offers_the_next_club(
        bot: Harness) -> None:
    await create(bot, capacity=1)
    await create(bot, "2026-12-03 10:00")
    await citizen(bot, ANNA)
    await citizen(bot, BO)
    await join(bot, ANNA)
    await join(bot, BO)
    await bot.drain()
    await planner(bot).cancel(1)
    await sweep(bot)
    await bot.drain()
    told = documents(bot, ANNA)[-1]
    assert told.params["caption"].startswith("«Job club» has been cancelled. We are sorry.")
    assert "Another club is open: «Job club», first meeting Thursday 3 December at 10:00." in (
        told.params["caption"])
    assert {str(e["status"]) for e in events_of(told)} == {"CANCELLED"}
    assert bot.api.texts(BO)[-1].startswith("«Job club» has been cancelled, so its waitlist")
    assert last_buttons(bot, BO) == [("Join", "club|join|2")]
    assert await store(bot).members(1) == [] and await store(bot).waiting(1) == []
    assert (await join(bot, BO, 2)).startswith("Welcome to «Job club»!")


# staff --------------------------------------------------------------------------------------
@pytest.fixture
async def staffed(settings: Settings, clock: FakeClock) -> AsyncIterator[Harness]:
    harness = await start_harness(replace(settings, staff_chat_id=STAFF_CHAT,
                                          admin_ids=frozenset({ADMIN}), club_waitlist_alert=2),
                                  clock)
    staff = harness.ctx.get(StaffService)
    await staff.add(CONSULTANT, Role.CONSULTANT, ADMIN)
    await staff.add(OTHER_CONSULTANT, Role.CONSULTANT, ADMIN)
    yield harness
    await stop_harness(harness)


async def staff_press(bot: Harness, user: int, data: str) -> list[str]:
    before = len(bot.api.texts(STAFF_CHAT))
    await bot.application.process_update(bot.updates.staff_press(STAFF_CHAT, user, data,
                                                                 message_id=1))
    return bot.api.texts(STAFF_CHAT)[before:]


async def test_the_consultant_marks_attendance_and_two_misses_bring_a_check_in(
        staffed: Harness) -> None:
    bot = staffed
    await create(bot, weeks=3)
    anna = await citizen(bot, ANNA)
    await join(bot, ANNA)
    await citizen(bot, BO)
    await join(bot, BO)
    first, second, _third = await store(bot).sessions(1)
    await press(bot, BO, f"club|cantcome|{first.id}")
    await at(bot, first.ends_at)
    attendance = bot.api.texts(STAFF_CHAT)[-1]
    assert attendance.startswith("Jobklubben «Jobklub», møde 1 (tirsdag den 1. december kl. "
                                 "14.00), ledet af 62: hvem deltog?")
    assert "meldte afbud" in attendance
    rows = bot.api.last_keyboard(STAFF_CHAT)
    assert len(rows) == 2 and rows[0][0]["callback_data"] == f"clubatt|{first.id}|{anna.id}|1"
    await bot.application.process_update(bot.updates.staff_press(
        STAFF_CHAT, OTHER_CONSULTANT, f"clubatt|{first.id}|{anna.id}|0", message_id=1))
    assert await store(bot).missed(1, anna.id) == 0, "only the club's consultant or outreach"
    await staff_press(bot, CONSULTANT, f"clubatt|{first.id}|{anna.id}|0")
    [edit] = bot.api.sent(STAFF_CHAT, method="editMessageText")
    assert edit.params["text"].splitlines()[2:] == [
        f"borger #{anna.id}: kom ikke", f"borger #{anna.id + 1}: ikke markeret (meldte afbud)"]
    await at(bot, second.ends_at)
    await staff_press(bot, ADMIN, f"clubatt|{second.id}|{anna.id}|0")
    await bot.drain()
    assert bot.api.texts(ANNA)[-1].startswith("We missed you at «Job club»")
    alert = bot.api.texts(STAFF_CHAT)[-1]
    assert "er ikke kommet til to møder" in alert
    assert last_buttons(bot, STAFF_CHAT) == [("Opret en sag", f"clubcase|1|{anna.id}")]
    await staff_press(bot, CONSULTANT, f"clubcase|1|{anna.id}")
    cases = await bot.ctx.get(CaseService).list_open()
    assert [c.citizen_id for c in cases] == [anna.id]
    rows = [dict(zip(COLUMNS, row, strict=True)) for row in await club_rows(bot.ctx.settings)]
    assert [(r["members"], r["fill_rate"], r["cant_come"], r["attended"], r["missed"])
            for r in rows] == [(2, "20%", 1, 0, 1), (2, "20%", 0, 0, 1), (2, "20%", 0, 0, 0)]


async def test_a_growing_waitlist_asks_the_coordinators_and_creates_a_like_club(
        staffed: Harness) -> None:
    bot = staffed
    await create(bot, capacity=1)
    for user in (ANNA, BO, CARL):
        await citizen(bot, user)
        await join(bot, user)
    demand = bot.ctx.get(ClubDemand)
    assert await demand.check() == 1
    assert await demand.check() == 0, "once"
    await bot.drain()
    assert bot.api.texts(STAFF_CHAT)[-1] == (
        "2 på ventelisten til danske klubber: skal vi åbne en klub mere?")
    assert last_buttons(bot, STAFF_CHAT) == [("Opret en klub som denne", "clublike|1")]
    assert await staff_press(bot, CONSULTANT, "clublike|1") == [
        "Kun koordinatorer og administratorer kan gøre dette."]
    [created] = await staff_press(bot, ADMIN, "clublike|1")
    assert created.startswith("Klub #2 «Jobklub» er oprettet, første møde tirsdag den 1. "
                              "december kl. 14.00")
    await bot.drain()
    assert bot.api.texts(BO)[-1].startswith("Good news: a seat has become free"), "one seat"
    assert bot.api.texts(CARL)[-1].startswith("«Job club» is full")
    citizens = bot.ctx.get(CitizenStore)
    bo = await citizens.by_user(BO)
    assert bo is not None
    [taken] = await press(bot, BO, last_buttons(bot, BO)[0][1])
    assert taken.startswith("The seat is yours")
    assert await store(bot).members(2) == [bo.id]
    assert await store(bot).waiting(1) == [(await citizens.by_user(CARL)).id]  # type: ignore[union-attr]
