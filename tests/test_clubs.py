"""Job clubs (issue 12), the citizens' side: /clubs, Join with the consent asked inline, the
waitlist with its position, the calendar file of every meeting, leaving, and two taps for the
last seats at once."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from telegram import InputFile

from bot.features.broadcasts import BroadcastService, Draft, Segment
from bot.features.broadcasts.model import Membership
from bot.features.citizens import CitizenStore, Purpose
from bot.features.clubs.model import JoinResult
from tests.club_helpers import (
    LINK,
    ZONE,
    citizen,
    create,
    documents,
    events_of,
    join,
    last_buttons,
    press,
    service,
    store,
)
from tests.conftest import Harness

ANNA, BO, CARL = 5101, 5102, 5103


async def test_a_club_is_weekly_meetings_at_the_same_local_time(bot: Harness) -> None:
    club_id = await create(bot, "2027-03-16 14:00", weeks=3)
    starts = [s.starts_at for s in await store(bot).sessions(club_id)]
    assert [s.astimezone(ZONE).strftime("%a %d %b %H:%M") for s in starts] == [
        "Tue 16 Mar 14:00", "Tue 23 Mar 14:00", "Tue 30 Mar 14:00"]
    assert [s.hour for s in starts] == [13, 13, 12], "summer time from 28 March"
    assert starts[0].tzinfo == UTC


async def test_clubs_lists_open_clubs_with_local_time_seats_and_language(bot: Harness) -> None:
    await create(bot, capacity=2)
    await citizen(bot, ANNA)
    header, line = await bot.say("/clubs", user=ANNA)
    assert header.startswith("Job clubs meet online once a week")
    assert line == ("«Job club»\nFirst meeting: Tuesday 1 December at 14:00, then every week – "
                    "6 meetings of 120 minutes, online\nLanguage: Danish\nSeats left: 2 of 2")
    assert bot.buttons(ANNA) == ["Join"]
    await citizen(bot, BO, "da")
    _header, line = await bot.say("/clubs", user=BO)
    assert line.startswith("«Jobklub»\nFørste møde: tirsdag den 1. december kl. 14.00")
    assert "Sprog: dansk" in line
    assert bot.buttons(BO) == ["Tilmeld"]
    help_text = "\n".join(await bot.say("/help", user=ANNA))
    assert "/clubs – see the job clubs, join one or leave it" in help_text


async def test_join_sends_the_calendar_of_every_meeting(bot: Harness) -> None:
    await create(bot)
    await citizen(bot, ANNA)
    reply = await join(bot, ANNA)
    assert reply == ("Welcome to «Job club»! The first meeting is Tuesday 1 December at 14:00. "
                     "You will get a reminder the day before, and the link 60 minutes before "
                     "each meeting.")
    assert LINK not in reply
    await bot.drain()
    [document] = documents(bot, ANNA)
    assert document.params["caption"] == "«Job club»: every meeting, for your calendar."
    [(name, content)] = document.files.items()
    assert name
    assert InputFile(content, filename="job-club-1.ics").mimetype == "text/calendar"
    events = events_of(document)
    assert len(events) == 6
    first = events[0]
    assert first["summary"] == "Job club"
    assert first.decoded("dtstart") == datetime(2026, 12, 1, 14, 0, tzinfo=ZONE)
    assert first.decoded("dtend") - first.decoded("dtstart") == timedelta(minutes=120)
    assert str(first["uid"]).endswith("@clubs.jobcentre-outreach-bot")
    assert len({str(e["uid"]) for e in events}) == 6
    assert first["sequence"] == 0
    assert LINK not in content.decode()
    assert "VTIMEZONE" in content.decode() and "Europe/Copenhagen" in content.decode()
    assert await join(bot, ANNA) == "You already have a seat in «Job club»."
    _header, line = await bot.say("/clubs", user=ANNA)
    assert line.endswith("Seats left: 9 of 10\n\nYou have a seat in this club.")
    assert bot.buttons(ANNA) == ["Leave the club"]
    [mydata] = await bot.say("/mydata", user=ANNA)
    assert "Job club «Job club»: you have a seat." in mydata


async def test_the_consent_is_asked_inline_and_recorded(bot: Harness) -> None:
    await create(bot)
    anna = await citizen(bot, ANNA, consent=False)
    reply = await join(bot, ANNA)
    assert reply.startswith("To join a job club, we need your yes")
    assert [label for label, _data in last_buttons(bot, ANNA)] == ["Yes, that is fine",
                                                                   "No thanks"]
    assert await store(bot).members(1) == []
    [declined] = await press(bot, ANNA, "club|noconsent|1")
    assert declined.startswith("All right – you have not joined.")
    [joined] = await press(bot, ANNA, "club|consent|1")
    assert joined.startswith("Welcome to «Job club»!")
    record = (await bot.ctx.get(CitizenStore).consents(anna.id))[Purpose.JOB_CLUB]
    assert record.granted and record.text_version.startswith("clubs-en-")
    assert await store(bot).members(1) == [anna.id]


async def test_a_full_club_offers_the_waitlist_with_the_position(bot: Harness) -> None:
    await create(bot, capacity=1)
    for user in (ANNA, BO, CARL):
        await citizen(bot, user)
    await join(bot, ANNA)
    await bot.say("/clubs", user=BO)
    assert bot.buttons(BO) == ["Waitlist"]
    assert await join(bot, BO) == ("«Job club» is full, so you are on the waitlist as number 1. "
                                   "When a seat becomes free, we will offer it to you here.")
    assert "as number 2" in await join(bot, CARL)
    assert await join(bot, BO) == "You are already on the waitlist for «Job club», as number 1."
    _header, line = await bot.say("/clubs", user=CARL)
    assert line.endswith("Seats left: 0 of 1\n\nYou are number 2 on the waitlist.")
    assert bot.buttons(CARL) == ["Leave the waitlist"]
    [left] = await press(bot, CARL, "club|leave|1")
    assert left == "You are off the waitlist for «Job club»."
    await bot.drain()
    assert documents(bot, BO) == [], "no calendar file without a seat"


async def test_danish_buttons_for_a_full_club(bot: Harness) -> None:
    await create(bot, capacity=1)
    await citizen(bot, ANNA)
    await join(bot, ANNA)
    await citizen(bot, BO, "da")
    await bot.say("/clubs", user=BO)
    assert bot.buttons(BO) == ["Venteliste"]


async def test_ten_joins_at_once_for_three_seats(bot: Harness) -> None:
    await create(bot, capacity=3)
    people = [await citizen(bot, 6100 + n) for n in range(10)]
    results = await asyncio.gather(*(store(bot).join(1, p.id, bot.clock.now()) for p in people))
    assert sum(r.result is JoinResult.JOINED for r in results) == 3
    assert sorted(r.position for r in results if r.position) == list(range(1, 8))
    assert len(await store(bot).members(1)) == 3


async def test_clubs_for_a_label_or_later_joiners_are_shown_only_to_them(bot: Harness) -> None:
    await create(bot, label="nyledige-2026-12")
    anna = await citizen(bot, ANNA)
    assert await bot.say("/clubs", user=ANNA) == [
        "There is no job club open to join right now. When the job centre starts a new one, "
        "you can find it here with /clubs."]
    assert (await join(bot, ANNA)).startswith("This job club is for a particular group")
    await bot.ctx.get(CitizenStore).set_invite_label(anna.id, "nyledige-2026-12")
    assert len(await bot.say("/clubs", user=ANNA)) == 2


async def test_leaving_frees_the_seat_for_the_waitlist(bot: Harness) -> None:
    await create(bot, capacity=1)
    await citizen(bot, ANNA)
    await citizen(bot, BO)
    await join(bot, ANNA)
    await join(bot, BO)
    [left] = await press(bot, ANNA, "club|leave|1")
    assert left.startswith("You have left «Job club».")
    await bot.drain()
    [offer] = bot.api.texts(BO)[-1:]
    assert offer.startswith("Good news: a seat has become free in «Job club»")
    assert [label for label, _data in last_buttons(bot, BO)] == ["Accept", "No thanks"]
    assert await service(bot).leave(await citizen(bot, CARL), 1) == (
        "You are not in «Job club» any more.")


async def test_broadcasts_filter_on_club_members_and_carry_a_join_button(bot: Harness) -> None:
    await create(bot)
    anna, bo = await citizen(bot, ANNA), await citizen(bot, BO)
    for person in (anna, bo):
        await bot.ctx.get(CitizenStore).record_consents(person.id, {Purpose.WEBINARS: True},
                                                        "test", bot.clock.now())
    await join(bot, ANNA)
    broadcasts = bot.ctx.get(BroadcastService)

    async def recipients(*memberships: Membership) -> int:
        draft = Draft("clubs", {"en": "Hello", "da": "Hej"}, Segment(memberships=memberships),
                      bot.clock.now(), ("club:all",))
        return (await broadcasts.preview(draft)).recipients

    assert await recipients() == 2
    assert await recipients(Membership("club", "any")) == 1
    assert await recipients(Membership("club", "1")) == 1
    assert await recipients(Membership("club", "any", member=False)) == 1
    en = bot.ctx.texts.get("en")
    assert await service(bot).broadcast_buttons("all", en) == (
        (("See the job clubs", "club|list"),),)
    assert await service(bot).broadcast_buttons("1", bot.ctx.texts.get("da")) == (
        (("Tilmeld – Jobklub", "club|join|1"),),)
    [_any, choice_one] = await service(bot).segment_choices(en)
    assert choice_one == ("1", "job club «Job club» (next meeting Tuesday 1 December at 14:00)")
    header, _line = await press(bot, BO, "club|list")
    assert header.startswith("Job clubs meet online")
    assert bot.buttons(BO) == ["Join"]
