"""Stale or forged buttons and crashes never leave a citizen hanging (point 9)."""

from __future__ import annotations

import logging

import pytest

from bot.features.citizens import CitizenStore
from bot.transport.local_api import Fault
from tests.conftest import CITIZEN, Harness


async def test_old_button_is_answered_and_the_current_step_shown_again(bot: Harness) -> None:
    await bot.say("/start", language_code="en")
    stale = bot.button_data("Yes, let me choose")
    await bot.tap("Yes, let me choose")
    await bot.tap("Save my choices")
    before = len(bot.api.texts(CITIZEN))
    await bot.application.process_update(bot.updates.press(CITIZEN, stale, language_code="en"))
    [answer] = bot.api.sent(method="answerCallbackQuery")[-1:]
    assert answer.params["text"].startswith("This button is no longer active")
    [reshown] = bot.api.texts(CITIZEN)[before:]
    assert "What would you like us to call you?" in reshown
    assert bot.buttons() == ["Skip"]


@pytest.mark.parametrize("forged", [
    "onboarding|ask_name|delete_everything",
    "onboarding|confirm_delete|yes",
    "staff|claim|1",
    "x" * 64,
    "onboarding|ask_name",
])
async def test_forged_callback_data_changes_nothing(bot: Harness, forged: str) -> None:
    await bot.say("/start", language_code="en")
    await bot.tap("Yes, let me choose")
    await bot.tap("Save my choices")
    await bot.application.process_update(bot.updates.press(CITIZEN, forged, language_code="en"))
    assert bot.api.sent(method="answerCallbackQuery")[-1].params["text"].startswith(
        "This button is no longer active")
    assert bot.buttons() == ["Skip"]
    citizen = await bot.ctx.get(CitizenStore).by_user(CITIZEN)
    assert citizen is not None
    session = await bot.ctx.sessions.load(citizen.id)
    assert session is not None and session.state == "ask_name"


async def test_unhandled_error_is_logged_with_update_id_and_the_user_hears_sorry(
        bot: Harness, caplog: pytest.LogCaptureFixture) -> None:
    await bot.say("/start", language_code="en")
    bot.api.fail(Fault("sendMessage", chat_id=CITIZEN, status=400,
                       description="Bad Request: something odd"))
    update = bot.updates.message(CITIZEN, "/help", language_code="en",
                                 first_name="Secretname")
    with caplog.at_level(logging.ERROR, logger="bot.errors"):
        await bot.application.process_update(update)
    [record] = [r for r in caplog.records if r.name == "bot.errors"]
    assert f"update {update.update_id} failed with BadRequest" in record.getMessage()
    assert "Secretname" not in caplog.text and str(CITIZEN) not in record.getMessage()
    assert bot.api.texts(CITIZEN)[-1].startswith("Sorry – something went wrong on our side")
    [after] = await bot.say("/help", language_code="en")
    assert "/mydata" in after, "the bot keeps running"


async def test_network_timeout_is_logged_not_fatal(bot: Harness) -> None:
    bot.api.fail(Fault("sendMessage", chat_id=CITIZEN, status=408, network=True))
    await bot.say("/start", language_code="en")
    [greeting] = await bot.say("/start", language_code="en")
    assert greeting.startswith("Hello")
