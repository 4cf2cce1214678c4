"""A restart or kill -9 mid-onboarding loses nothing (point 10)."""

from __future__ import annotations

from bot.config import Settings
from tests.conftest import CITIZEN, crash_harness, start_harness, stop_harness
from tests.fakes import FakeClock


async def test_citizen_continues_at_the_same_step_after_a_restart(
        settings: Settings, clock: FakeClock) -> None:
    first = await start_harness(settings, clock)
    await first.say("/start", language_code="en")
    await first.tap("Yes, let me choose")
    await first.tap("Feedback on applications")
    await first.tap("Save my choices")
    await first.say("Mads")
    pending_month = first.button_data("October 2026")
    # Thrown away without a clean shutdown, as with kill -9: the connection is simply dropped.
    await crash_harness(first)

    second = await start_harness(settings, clock)
    try:
        [reply] = await second.say("/start", language_code="en")
        assert reply.startswith("Welcome back! Here is where we left off.")
        assert "Roughly when did you become unemployed?" in reply
        await second.application.process_update(
            second.updates.press(CITIZEN, pending_month, language_code="en"))
        assert "When in the day" in second.api.texts(CITIZEN)[-1], "old button still valid"
        await second.tap("Midday")
        [summary] = await second.tap("English")
        assert "Name: Mads" in summary
        assert "Unemployed since: October 2026" in summary
        assert "• Feedback on applications and CV" in summary
    finally:
        await stop_harness(second)


async def test_pending_consent_toggles_survive_a_restart(
        settings: Settings, clock: FakeClock) -> None:
    first = await start_harness(settings, clock)
    await first.say("/start", language_code="en")
    await first.tap("Yes, let me choose")
    await first.tap("Job club")
    await crash_harness(first)

    second = await start_harness(settings, clock)
    try:
        await second.say("/start", language_code="en")
        assert "✅ Job club with others in your situation" in second.buttons()
    finally:
        await stop_harness(second)
