"""The bot's per-citizen cache (bot/cache) never shows what is no longer true: after the CLI
writes (at the next sweep), after staff actions, after /delete, after the sweeps' own writes,
and after a write that was rolled back. Each path ends by comparing everything the bot has
cached about the citizen with what the database says."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.cache import MISSING, ChangeNotes, CitizenCache
from bot.clock import SystemClock
from bot.config import Settings
from bot.db import Database, WriteFailed
from bot.engine.storage import SESSION, SessionStore
from bot.features.cases import CaseService, CaseStore
from bot.features.cases.storage import OPEN_CASES
from bot.features.citizens import Citizen, CitizenStore, Purpose
from bot.features.citizens.storage import CITIZEN as CITIZEN_PART
from bot.features.staff import Role, StaffService
from bot.transport.local_api import Fault
from tests.conftest import CITIZEN, Harness, start_harness, stop_harness
from tests.fakes import FakeClock
from tests.test_workspace import onboard_with_checkins

CHANGES = "changes by other processes"
STAFF_CHAT = -100777
ADMIN, METTE = 11, 21


async def onboard(bot: Harness) -> Citizen:
    await onboard_with_checkins(bot)
    citizen = await bot.ctx.get(CitizenStore).by_user(CITIZEN)
    assert citizen is not None
    return citizen


async def assert_cache_is_true(bot: Harness, citizen_id: int) -> None:
    """What the bot's stores answer (from its cache) is what the database holds now."""
    db = bot.ctx.db
    truth = ChangeNotes.of(db, SystemClock())  # caches nothing, and only reads here
    cached = bot.ctx.get(CitizenStore)
    assert await cached.by_id(citizen_id) == await CitizenStore(db, truth).by_id(citizen_id)
    assert await cached.consents(citizen_id) == await CitizenStore(db, truth).consents(citizen_id)
    assert await bot.ctx.sessions.load(citizen_id) == await SessionStore(db, truth).load(
        citizen_id)
    cases = bot.ctx.get(CaseService)
    assert await cases.open_case(citizen_id) == await CaseService(
        CaseStore(db, truth), cases.hours, timedelta(minutes=10), bot.clock).open_case(citizen_id)


async def run_sweep(bot: Harness, name: str) -> int:
    return await bot.application.bot_data["sweeps"][name]()


async def test_what_another_process_writes_is_seen_after_the_next_sweep(
        bot: Harness, settings: Settings) -> None:
    citizen = await onboard(bot)
    cli = await Database.open(settings.database_path)  # the CLI, through the same stores
    try:
        store = CitizenStore(cli, ChangeNotes.of(cli, SystemClock()))
        await store.update(citizen.id, first_name="Berit")
        await store.record_consents(citizen.id, {Purpose.CHECKINS: False}, "cli",
                                    bot.clock.now())
    finally:
        await cli.close()
    assert await run_sweep(bot, CHANGES) == 2
    [menu] = await bot.say("/menu")
    assert "Name: Berit" in menu and "Short check-ins" not in menu
    await assert_cache_is_true(bot, citizen.id)
    assert await bot.ctx.db.fetch_all("SELECT id FROM citizen_changes") == [], "read and gone"


async def test_a_case_another_process_changed_is_read_again(bot: Harness,
                                                              settings: Settings) -> None:
    """A write by case id does not say whose case it is: the bot forgets everything."""
    citizen = await onboard(bot)
    await bot.say("/human")
    opened = await bot.ctx.get(CaseService).open_case(citizen.id)
    assert opened is not None
    cli = await Database.open(settings.database_path)
    try:
        await CaseStore(cli, ChangeNotes.of(cli, SystemClock())).close(opened.id, bot.clock.now())
    finally:
        await cli.close()
    await run_sweep(bot, CHANGES)
    assert bot.ctx.cache.get(CITIZEN_PART, citizen.id) is MISSING
    assert await bot.ctx.get(CaseService).open_case(citizen.id) is None
    await assert_cache_is_true(bot, citizen.id)


@pytest.fixture
async def staffed(settings: Settings, clock: FakeClock) -> AsyncIterator[Harness]:
    harness = await start_harness(
        replace(settings, staff_chat_id=STAFF_CHAT, admin_ids=frozenset({ADMIN})), clock)
    await harness.ctx.get(StaffService).add(METTE, Role.CONSULTANT, ADMIN)
    yield harness
    await stop_harness(harness)


async def staff_press(bot: Harness, data: str) -> None:
    await bot.application.process_update(
        bot.updates.staff_press(STAFF_CHAT, METTE, data, message_id=1, first_name="Mette"))
    await bot.drain()


async def test_staff_claim_return_and_close_are_seen_at_the_citizens_next_message(
        staffed: Harness) -> None:
    bot = staffed
    citizen = await onboard(bot)
    await bot.say("/human")
    await bot.drain()
    case = await bot.ctx.get(CaseService).open_case(citizen.id)
    assert case is not None
    await staff_press(bot, f"case|claim|{case.id}")
    await assert_cache_is_true(bot, citizen.id)
    assert await bot.say("/menu") == [], "held by a consultant: the bot is silent"
    await staff_press(bot, f"case|return|{case.id}")
    await assert_cache_is_true(bot, citizen.id)
    [menu] = await bot.say("/menu")
    assert "Name: Anna" in menu
    await staff_press(bot, f"case|claim|{case.id}")
    await staff_press(bot, f"case|close|{case.id}")
    await assert_cache_is_true(bot, citizen.id)
    assert await bot.ctx.get(CaseService).open_case(citizen.id) is None


async def test_delete_forgets_everything_cached_about_the_citizen(bot: Harness) -> None:
    citizen = await onboard(bot)
    assert bot.ctx.cache.get(CITIZEN_PART, citizen.id) == citizen
    await bot.say("/delete")
    await bot.tap("Yes, delete everything")
    assert bot.ctx.cache.get(CITIZEN_PART, citizen.id) is MISSING
    [again] = await bot.say("/start", language_code="en")
    assert again.startswith("Hello")
    returning = await bot.ctx.get(CitizenStore).by_user(CITIZEN)
    assert returning is not None and returning.id != citizen.id
    assert returning.first_name is None
    await assert_cache_is_true(bot, returning.id)


async def test_the_sweeps_write_through_the_cache(bot: Harness) -> None:
    citizen = await onboard(bot)
    await bot.say("/menu")
    await bot.tap("My name")  # a question left open: it expires after 30 days
    bot.clock.advance(days=31)
    assert await run_sweep(bot, "onboarding timeouts") == 1
    await assert_cache_is_true(bot, citizen.id)
    assert await run_sweep(bot, "timers") == 1  # the first check-in
    await assert_cache_is_true(bot, citizen.id)
    session = await bot.ctx.sessions.load(citizen.id)
    assert session is not None and session.dialog == "checkin"
    bot.api.fail(Fault("sendMessage", chat_id=CITIZEN, status=403))
    await bot.drain()  # Telegram refuses the check-in: the citizen blocked the bot
    await assert_cache_is_true(bot, citizen.id)
    gone = await bot.ctx.get(CitizenStore).by_id(citizen.id)
    assert gone is not None and not gone.reachable
    assert not (await bot.ctx.get(CitizenStore).consents(citizen.id))[Purpose.CHECKINS].granted


async def test_a_write_that_is_rolled_back_is_forgotten(bot: Harness, tmp_path: Path) -> None:
    citizen = await onboard(bot)
    await bot.ctx.db.execute(
        "CREATE TRIGGER refuse_boom BEFORE UPDATE OF first_name ON citizens "
        "WHEN NEW.first_name = 'Boom' BEGIN SELECT RAISE(ABORT, 'refused'); END")
    await bot.ctx.get(CitizenStore).update(citizen.id, first_name="Boom")
    assert (await bot.ctx.get(CitizenStore).by_id(citizen.id)) != citizen, "written through"
    with pytest.raises(WriteFailed):
        await bot.ctx.db.flush()
    assert bot.ctx.cache.get(CITIZEN_PART, citizen.id) is MISSING
    assert await bot.ctx.get(CitizenStore).by_id(citizen.id) == citizen
    await assert_cache_is_true(bot, citizen.id)


async def test_a_new_citizen_is_known_to_have_no_dialog_and_no_case_until_one_begins(
        bot: Harness, monkeypatch: pytest.MonkeyPatch) -> None:
    """Created just now, a citizen has no session and no open case: their first update reads
    neither from the database; once either exists, the cache has it as the database does."""
    queries: list[str] = []
    fetch_all = bot.ctx.db.fetch_all

    async def reading(sql: str, *args: Any, **kwargs: Any) -> Any:
        queries.append(sql)
        return await fetch_all(sql, *args, **kwargs)

    monkeypatch.setattr(bot.ctx.db, "fetch_all", reading)
    [welcome] = await bot.say("/start", language_code="en")
    assert welcome.startswith("Hello")
    assert [q for q in queries if "FROM dialog_sessions" in q or "FROM cases" in q] == []
    citizen = await bot.ctx.get(CitizenStore).by_user(CITIZEN)
    assert citizen is not None
    await assert_cache_is_true(bot, citizen.id)
    await bot.say("/human", language_code="en")
    await bot.drain()
    assert await bot.ctx.get(CaseService).open_case(citizen.id) is not None
    await assert_cache_is_true(bot, citizen.id)


def test_what_a_new_citizen_has_is_not_kept_if_something_was_forgotten_meanwhile() -> None:
    cache = CitizenCache()
    epoch = cache.epoch
    cache.forget(OPEN_CASES, 7)  # e.g. the change feed, while the insert was under way
    cache.born(7, epoch)
    assert cache.get(SESSION, 7) is MISSING and cache.get(OPEN_CASES, 7) is MISSING
    cache.born(7, cache.epoch)
    assert cache.get(SESSION, 7) is None and cache.get(OPEN_CASES, 7) == ()
