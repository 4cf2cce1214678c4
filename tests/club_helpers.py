"""Shared steps of the job club tests (tests/test_clubs*.py): citizens, clubs, taps, files."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from icalendar import Calendar

from bot.features.citizens import Citizen, CitizenStore, Purpose
from bot.features.clubs import ClubService
from bot.features.clubs.notices import ClubNotices
from bot.features.clubs.planning import ClubPlanner
from bot.features.clubs.storage import ClubStore, NewClub
from bot.transport.local_api import ApiCall
from tests.conftest import Harness

ZONE = ZoneInfo("Europe/Copenhagen")
LINK = "https://meet.example/club-7"
CONSULTANT = 62
FIRST = "2026-12-01 14:00"
"""Tuesday 1 December 2026, 14:00 Copenhagen (13:00 UTC); the fake clock starts on Tuesday 24
November, 09:00 UTC."""


def service(bot: Harness) -> ClubService:
    return bot.ctx.get(ClubService)


def store(bot: Harness) -> ClubStore:
    return ClubStore(bot.ctx.db)


async def citizen(bot: Harness, user: int, locale: str = "en", consent: bool = True) -> Citizen:
    await bot.say("/start", user=user, language_code=locale)
    citizens = bot.ctx.get(CitizenStore)
    found = await citizens.by_user(user)
    assert found is not None
    if consent:
        await citizens.record_consents(found.id, {Purpose.JOB_CLUB: True}, "test",
                                       bot.clock.now())
    return found


async def create(bot: Harness, first: str = FIRST, *, weeks: int = 6, capacity: int = 10,
                 link: str | None = LINK, locale: str = "da", label: str | None = None) -> int:
    planner = ClubPlanner(store(bot), bot.clock, ZONE)
    club_id = await planner.create(
        NewClub("Jobklub", "Job club", CONSULTANT, capacity, locale, 120, link,
                invite_label=label),
        datetime.strptime(first, "%Y-%m-%d %H:%M"), weeks, "cli")
    await sweep(bot)
    return club_id


async def sweep(bot: Harness) -> None:
    """What the running bot's sweeps do every 10 s."""
    await bot.ctx.get(ClubNotices).handle_changes()
    await service(bot).fill_all()


async def press(bot: Harness, user: int, data: str) -> list[str]:
    before = len(bot.api.texts(user))
    await bot.application.process_update(bot.updates.press(user, data))
    return bot.api.texts(user)[before:]


async def join(bot: Harness, user: int, club_id: int = 1) -> str:
    [reply] = await press(bot, user, f"club|join|{club_id}")
    return reply


def documents(bot: Harness, user: int) -> list[ApiCall]:
    return bot.api.sent(user, method="sendDocument")


def calendar_of(call: ApiCall) -> Calendar:
    [content] = call.files.values()
    return Calendar.from_ical(content)


def events_of(call: ApiCall) -> list[Any]:
    return list(calendar_of(call).walk("VEVENT"))


def last_buttons(bot: Harness, user: int) -> list[tuple[str, str]]:
    return [(b["text"], b["callback_data"]) for row in bot.api.last_keyboard(user) for b in row]
