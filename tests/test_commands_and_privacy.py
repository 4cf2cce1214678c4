"""Commands, data rights and the command menu (point 6)."""

from __future__ import annotations

from bot.features.citizens import CitizenStore, Purpose
from bot.features.invites import InviteService
from bot.features.onboarding.service import OnboardingService
from tests.conftest import CITIZEN, Harness


async def onboard(bot: Harness, user: int = CITIZEN, name: str = "Zorana") -> None:
    await bot.say("/start", user=user, language_code="en")
    await bot.tap("Yes, let me choose", user=user)
    await bot.tap("Short check-ins", user=user)
    await bot.tap("Save my choices", user=user)
    await bot.say(name, user=user)
    await bot.tap("Skip", user=user)
    await bot.tap("Morning", user=user)
    await bot.tap("English", user=user)


async def test_command_menu_is_published_per_language(bot: Harness) -> None:
    calls = bot.api.sent(method="setMyCommands")
    by_language = {c.params.get("language_code"): c.params["commands"] for c in calls}
    assert set(by_language) == {"da", "en", None}
    names = [c["command"] for c in by_language["en"]]
    assert names == ["start", "menu", "help", "webinars", "clubs", "feedback", "human",
                     "language", "mydata", "stop", "delete"]
    assert by_language["da"][0]["description"] == "Start, eller se velkomsten igen"
    assert by_language["en"][0]["description"] == "Start or see the welcome again"
    assert by_language[None] == by_language["da"], "default follows DEFAULT_LOCALE"


async def test_help_lists_the_commands_in_the_citizens_language(bot: Harness) -> None:
    [reply] = await bot.say("/help", language_code="da")
    assert "/mydata – se alt, hvad vi gemmer om dig" in reply
    assert "frivillig" in reply


async def test_language_command_switches_and_returns_to_the_menu(bot: Harness) -> None:
    await onboard(bot)
    [question] = await bot.say("/language")
    assert question.startswith("Which language")
    [menu] = await bot.tap("Dansk")
    assert "Hvad vil du gerne ændre?" in menu and "Sprog: Dansk" in menu


async def test_the_language_picker_from_the_menu_offers_no_skip(bot: Harness) -> None:
    await onboard(bot)
    await bot.say("/language")
    assert bot.buttons() == ["Dansk", "English"]
    await bot.say("/menu")
    await bot.tap("Language")
    assert bot.buttons() == ["Dansk", "English"]
    await bot.application.process_update(
        bot.updates.press(CITIZEN, "onboarding|ask_language|skip"))
    citizen = await bot.ctx.get(CitizenStore).by_user(CITIZEN)
    assert citizen is not None
    session = await bot.ctx.get(OnboardingService).runner.session(citizen.id)
    assert session is not None and session.state == "ask_language", "a hidden button is stale"


async def test_free_text_on_a_resting_screen_gets_a_short_hint_not_the_screen(
        bot: Harness) -> None:
    await onboard(bot)
    await bot.say("/mydata")
    [hint] = await bot.say("hello?")
    assert hint == "Please use the buttons above, or write /menu or /help."
    assert bot.buttons() == []


async def test_mydata_shows_what_is_stored_in_plain_words(bot: Harness) -> None:
    await onboard(bot)
    [reply] = await bot.say("/mydata")
    assert "This is everything we store about you:" in reply
    assert "Name: Zorana" in reply
    assert "Short check-ins on how it is going: yes (since 24 November 2026" in reply
    assert "Job club with others in your situation: no" in reply
    assert "We do not store your CPR number" in reply


async def test_stop_withdraws_every_consent_and_confirms(bot: Harness) -> None:
    await onboard(bot)
    [reply] = await bot.say("/stop")
    assert "withdrawn all your consents" in reply and "no effect on your benefits" in reply
    citizen = await bot.ctx.get(CitizenStore).by_user(CITIZEN)
    assert citizen is not None
    consents = await bot.ctx.get(CitizenStore).consents(citizen.id)
    assert set(consents) == set(Purpose) and not any(r.granted for r in consents.values())


async def test_delete_asks_first_and_keeping_is_possible(bot: Harness) -> None:
    await onboard(bot)
    [question] = await bot.say("/delete")
    assert "cannot be undone" in question
    [menu] = await bot.tap("No, keep my data")
    assert "Name: Zorana" in menu
    assert await bot.ctx.get(CitizenStore).by_user(CITIZEN) is not None


async def test_delete_leaves_no_row_with_the_citizens_data_in_any_table(bot: Harness) -> None:
    other = CITIZEN + 1
    await onboard(bot, user=other, name="Bodil")
    [invite] = await bot.ctx.get(InviteService).create(1, "nyledige-2026-11")
    await bot.say(f"/start {invite.code}", language_code="en")
    await onboard(bot)
    citizen = await bot.ctx.get(CitizenStore).by_user(CITIZEN)
    assert citizen is not None and citizen.invite_label == "nyledige-2026-11"

    await bot.say("/delete")
    [goodbye] = await bot.tap("Yes, delete everything")
    assert "has been deleted" in goodbye

    db = bot.ctx.db
    needles = {str(CITIZEN), "Zorana"}
    for table in await db.table_names():
        rows = await db.fetch_all(f"SELECT * FROM {table}")
        for row in rows:
            values = {str(v) for v in tuple(row) if v is not None}
            assert not values & needles, f"{table} still holds {values & needles}"
            if "citizen_id" in row.keys():  # noqa: SIM118 - sqlite3.Row has no __contains__
                assert row["citizen_id"] != citizen.id, f"{table} still points at the citizen"
    assert await bot.ctx.get(CitizenStore).by_user(other) is not None, "others are untouched"
    [again] = await bot.say("/start", language_code="en")
    assert again.startswith("Hello"), "starting again starts from scratch"


async def test_unknown_command_gets_an_answer(bot: Harness) -> None:
    [reply] = await bot.say("/frobnicate", language_code="en")
    assert "I do not know that command" in reply
