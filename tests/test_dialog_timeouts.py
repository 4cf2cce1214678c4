"""A step's timeout is a row in the database, fired by the sweep after its deadline."""

from __future__ import annotations

from bot.features.citizens import CitizenStore
from bot.features.onboarding.service import OnboardingService
from tests.conftest import CITIZEN, Harness


async def state_of(bot: Harness) -> str:
    citizen = await bot.ctx.get(CitizenStore).by_user(CITIZEN)
    assert citizen is not None
    session = await bot.ctx.sessions.load(citizen.id)
    assert session is not None
    return session.state


async def test_abandoned_profile_question_expires_to_done_after_its_deadline(
        bot: Harness) -> None:
    await bot.say("/start", language_code="en")
    await bot.tap("Yes, let me choose")
    await bot.tap("Save my choices")
    runner = bot.ctx.get(OnboardingService).runner
    bot.clock.advance(days=29, hours=23)
    assert await runner.expire_due() == 0
    assert await state_of(bot) == "ask_name"
    bot.clock.advance(hours=2)
    sent_before = len(bot.api.calls)
    assert await runner.expire_due() == 1
    assert await state_of(bot) == "done"
    assert len(bot.api.calls) == sent_before, "expiry is silent: the bot never writes first"
    assert await runner.expire_due() == 0, "fires once"


async def test_unsaved_consent_choices_are_dropped_after_30_days(bot: Harness) -> None:
    await bot.say("/start", language_code="en")
    await bot.tap("Yes, let me choose")
    await bot.tap("Job club")
    bot.clock.advance(days=31)
    assert await bot.ctx.get(OnboardingService).runner.expire_due() == 1
    assert await state_of(bot) == "welcome"
    citizen = await bot.ctx.get(CitizenStore).by_user(CITIZEN)
    assert citizen is not None
    assert await bot.ctx.get(CitizenStore).consents(citizen.id) == {}, "nothing was ever consented"
