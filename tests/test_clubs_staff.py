"""Job clubs (issue 12) in the staff chat: /club, a short dialog for coordinators and admins
whose state is in the database (a restart continues it), and /club list | link | move |
cancel, which tell the members as the CLI's changes do."""

from __future__ import annotations

from dataclasses import replace

from bot.config import Settings
from bot.features.staff import Role, StaffService
from tests.club_helpers import CONSULTANT, LINK, citizen, create, join, store
from tests.conftest import Harness, crash_harness, start_harness, stop_harness
from tests.fakes import FakeClock

STAFF_CHAT = -100888
ADMIN, COORDINATOR = 81, 82
ANNA = 5401
NEW_LINK = "https://meet.example/club-9"


async def staffed(settings: Settings, clock: FakeClock) -> Harness:
    harness = await start_harness(replace(settings, staff_chat_id=STAFF_CHAT,
                                          admin_ids=frozenset({ADMIN})), clock)
    staff = harness.ctx.get(StaffService)
    if await staff.role_of(CONSULTANT) is None:
        await staff.add(CONSULTANT, Role.CONSULTANT, ADMIN)
        await staff.add(COORDINATOR, Role.COORDINATOR, ADMIN)
    return harness


async def says(bot: Harness, user: int, text: str) -> list[str]:
    before = len(bot.api.texts(STAFF_CHAT))
    await bot.application.process_update(bot.updates.staff_message(STAFF_CHAT, user, text))
    return bot.api.texts(STAFF_CHAT)[before:]


async def taps(bot: Harness, user: int, label: str) -> list[str]:
    data = next(b["callback_data"] for row in bot.api.last_keyboard(STAFF_CHAT) for b in row
                if b["text"] == label)
    before = len(bot.api.texts(STAFF_CHAT))
    await bot.application.process_update(bot.updates.staff_press(STAFF_CHAT, user, data,
                                                                 message_id=1))
    return bot.api.texts(STAFF_CHAT)[before:]


def labels(bot: Harness) -> list[str]:
    return [b["text"] for row in bot.api.last_keyboard(STAFF_CHAT) for b in row]


async def test_a_coordinator_creates_a_club_step_by_step_across_a_restart(
        settings: Settings, clock: FakeClock) -> None:
    bot = await staffed(settings, clock)
    try:
        await _first_steps(bot)
    finally:
        await crash_harness(bot)
    bot = await start_harness(replace(settings, staff_chat_id=STAFF_CHAT,
                                      admin_ids=frozenset({ADMIN})), clock, api=bot.api)
    try:
        await _last_steps(bot)
    finally:
        await stop_harness(bot)


async def _first_steps(bot: Harness) -> None:
    assert await says(bot, CONSULTANT, "/club") == [
        "Kun koordinatorer og administratorer kan gøre dette."]
    [first] = await says(bot, COORDINATOR, "/club")
    assert first.startswith("🤝 Ny jobklub, trin 1 af 9")
    await says(bot, COORDINATOR, "Jobklub for nyledige")
    [consultant_step] = await says(bot, COORDINATOR, "Job club for the newly unemployed")
    assert consultant_step.startswith("Trin 3 af 9")
    assert labels(bot) == ["81", "62", "✖️ Annullér"], "admins and consultants, by name"
    await taps(bot, COORDINATOR, "62")


async def _last_steps(bot: Harness) -> None:
    [resumed] = await says(bot, COORDINATOR, "/club")
    assert resumed.startswith("Du har en klubkladde åben her")
    assert "Trin 4 af 9" in resumed
    [again] = await says(bot, COORDINATOR, "2026-12-01")
    assert again.startswith("Skriv venligst tidspunktet som ÅÅÅÅ-MM-DD TT:MM")
    [again] = await says(bot, COORDINATOR, "2020-12-01 14:00")
    assert again.startswith("Det tidspunkt er allerede gået.")
    await says(bot, COORDINATOR, "2026-12-01 14:00")
    assert labels(bot)[:3] == ["4", "6", "8"]
    await taps(bot, COORDINATOR, "6")
    await taps(bot, COORDINATOR, "120")
    [seats] = await says(bot, COORDINATOR, "12")
    assert seats.startswith("Trin 8 af 9")
    await taps(bot, COORDINATOR, "Dansk")
    [summary] = await says(bot, COORDINATOR, LINK)
    assert summary.splitlines()[:4] == [
        "Den nye jobklub:", "«Jobklub for nyledige» / «Job club for the newly unemployed»",
        "Ledet af: 62", "Første møde: tirsdag den 1. december kl. 14.00, 6 møder med en "
        "uges mellemrum, 120 minutter hvert"]
    assert await taps(bot, ADMIN, "✅ Opret") == [], "someone else's draft"
    [created] = await taps(bot, COORDINATOR, "✅ Opret")
    assert created.startswith("Klub #1 «Jobklub for nyledige» er oprettet: første møde "
                              "tirsdag den 1. december kl. 14.00.")
    [club] = await store(bot).clubs()
    assert (club.capacity, club.link, club.consultant_id, club.locale) == (
        12, LINK, CONSULTANT, "da")
    sessions = await store(bot).sessions(1)
    assert len(sessions) == 6
    assert await bot.ctx.scheduler.get(f"club-reminder:{sessions[0].id}") is not None


async def test_club_list_link_move_and_cancel_in_the_staff_chat(settings: Settings,
                                                                 clock: FakeClock) -> None:
    bot = await staffed(settings, clock)
    try:
        await create(bot, weeks=3, capacity=2)
        await citizen(bot, ANNA)
        await join(bot, ANNA)
        await bot.drain()
        assert await says(bot, ADMIN, "/club list") == [
            "#1 «Jobklub» · Sprog: dansk · næste tirsdag den 1. december kl. 14.00 · pladser "
            "1/2 · venteliste 0"]
        assert await says(bot, ADMIN, f"/club link 1 {NEW_LINK}") == [
            "Klub #1: det nye link er gemt; medlemmerne får besked."]
        await bot.drain()
        assert bot.api.texts(ANNA)[-1] == (
            "«Job club» has a new link. You will get it 60 minutes before each meeting.")
        [moved] = await says(bot, COORDINATOR, "/club move 1 2026-12-02 10:00")
        assert moved == "Klub #1: 3 møder flyttet; medlemmerne får besked."
        [called_off] = await says(bot, COORDINATOR, "/club cancel 1 3")
        assert called_off.startswith("Klub #1: møde 3 (onsdag den 16. december kl. 10.00) er "
                                     "aflyst")
        assert await says(bot, COORDINATOR, "/club cancel 9") == ["Der findes ingen sådan klub."]
        assert (await says(bot, COORDINATOR, "/club wat"))[0].startswith("Brug: /club")
        await bot.drain()
        captions = [c.params["caption"] for c in bot.api.sent(ANNA, method="sendDocument")]
        assert captions[-2].startswith("«Job club» has a new time: from Wednesday 2 December")
        assert captions[-1].startswith("The meeting of «Job club» on Wednesday 16 December")
    finally:
        await stop_harness(bot)
