"""A citizen's first conversation, as they would see it (points 3-5 of the foundation issue)."""

from __future__ import annotations

from bot.features.citizens import CitizenStore, Purpose
from bot.features.onboarding.service import OnboardingService
from tests.conftest import CITIZEN, Harness


async def test_start_greets_in_danish_and_says_contact_is_voluntary(bot: Harness) -> None:
    [greeting] = await bot.say("/start", language_code="da")
    assert "Jobcenter Testby" in greeting
    assert "frivillig" in greeting
    assert "ingen betydning for dine dagpenge eller din kontanthjælp" in greeting
    assert "der bliver ikke skrevet noget i din sag" in greeting
    assert bot.buttons() == ["Ja, lad mig vælge", "Nej tak"]


async def test_english_telegram_language_gets_english(bot: Harness) -> None:
    [greeting] = await bot.say("/start", language_code="en-GB")
    assert greeting.startswith("Hello, this is Jobcenter Testby.")
    assert "voluntary" in greeting
    assert "nothing is added to your case file" in greeting


async def test_other_telegram_language_gets_the_default_locale(bot: Harness) -> None:
    [greeting] = await bot.say("/start", language_code="uk")
    assert greeting.startswith("Hej, det er Jobcenter Testby.")


async def test_consents_are_toggled_in_place_and_saved_with_time_and_version(
        bot: Harness) -> None:
    await bot.say("/start", language_code="en")
    await bot.tap("Yes, let me choose")
    assert bot.buttons()[:4] == [
        "⬜ Short check-ins on how it is going", "⬜ Job club with others in your situation",
        "⬜ Feedback on applications and CV", "⬜ News about webinars"]
    sent_before = len(bot.api.sent(CITIZEN))
    await bot.tap("Short check-ins")
    await bot.tap("News about webinars")
    assert len(bot.api.sent(CITIZEN)) == sent_before, "toggles edit the message, never resend"
    assert bot.buttons()[0] == "✅ Short check-ins on how it is going"
    assert bot.buttons()[3] == "✅ News about webinars"
    bot.clock.advance(minutes=3)
    [next_step] = await bot.tap("Save my choices")
    assert "What would you like us to call you?" in next_step
    citizen = await bot.ctx.get(CitizenStore).by_user(CITIZEN)
    assert citizen is not None
    consents = await bot.ctx.get(CitizenStore).consents(citizen.id)
    assert {p for p, r in consents.items() if r.granted} == {Purpose.CHECKINS, Purpose.WEBINARS}
    assert {r.recorded_at for r in consents.values()} == {bot.clock.now()}
    version = bot.ctx.get(OnboardingService).consent_text_version("en")
    assert {r.text_version for r in consents.values()} == {version}
    assert version != bot.ctx.get(OnboardingService).consent_text_version("da")


async def test_no_to_all_is_one_tap_and_respected(bot: Harness) -> None:
    await bot.say("/start", language_code="en")
    [reply] = await bot.tap("No thanks")
    assert "completely fine" in reply and "no effect on your benefits" in reply
    citizen = await bot.ctx.get(CitizenStore).by_user(CITIZEN)
    assert citizen is not None
    consents = await bot.ctx.get(CitizenStore).consents(citizen.id)
    assert set(consents) == set(Purpose)
    assert not any(r.granted for r in consents.values())
    [hint] = await bot.say("hello?")
    assert "automated assistant" in hint, "the bot still answers when spoken to"


async def test_every_profile_step_can_be_skipped(bot: Harness) -> None:
    await bot.say("/start", language_code="en")
    await bot.tap("Yes, let me choose")
    await bot.tap("Save my choices")
    await bot.tap("Skip")
    await bot.tap("Skip")
    await bot.tap("No preference")
    [summary] = await bot.tap("Skip")
    assert "Name: not given" in summary
    assert "Unemployed since: not given" in summary
    assert "Preferred time of day: no preference" in summary
    assert "nothing – we only answer when you write" in summary


async def test_profile_answers_are_stored_and_changeable_from_the_menu(bot: Harness) -> None:
    await bot.say("/start", language_code="en")
    await bot.tap("Yes, let me choose")
    await bot.tap("Job club")
    await bot.tap("Save my choices")
    await bot.say("  Anna   Marie ")
    await bot.tap("October 2026")
    await bot.tap("Afternoon")
    [summary] = await bot.tap("English")
    assert "Name: Anna Marie" in summary
    assert "Unemployed since: October 2026" in summary
    assert "Preferred time of day: Afternoon (14–17)" in summary
    assert "• Job club with others in your situation" in summary

    [menu] = await bot.say("/menu")
    assert "What would you like to change?" in menu
    await bot.tap("My name")
    [menu_again] = await bot.say("Anna")
    assert "Name: Anna\n" in menu_again and "What would you like to change?" in menu_again
    await bot.tap("When I became unemployed")
    [menu_again] = await bot.tap("Earlier")
    assert "Unemployed since: before August 2026" in menu_again
    await bot.tap("What you may contact me about")
    assert bot.buttons()[1] == "✅ Job club with others in your situation", "current choices"
    await bot.tap("Job club")
    [menu_again] = await bot.tap("Save my choices")
    assert "nothing – we only answer when you write" in menu_again
    await bot.tap("Language")
    [danish_menu] = await bot.tap("Dansk")
    assert "Hvad vil du gerne ændre?" in danish_menu


async def test_too_long_name_gets_a_clear_answer_and_the_step_again(bot: Harness) -> None:
    await bot.say("/start", language_code="en")
    await bot.tap("Yes, let me choose")
    await bot.tap("Save my choices")
    [reply] = await bot.say("x" * 5000)
    assert "at most 64 characters" in reply
    assert bot.buttons() == ["Skip"]
    citizen = await bot.ctx.get(CitizenStore).by_user(CITIZEN)
    assert citizen is not None and citizen.first_name is None


async def test_photo_mid_dialog_is_answered_kindly(bot: Harness) -> None:
    await bot.say("/start", language_code="en")
    before = len(bot.api.texts(CITIZEN))
    await bot.application.process_update(bot.updates.photo(CITIZEN, language_code="en"))
    [reply] = bot.api.texts(CITIZEN)[before:]
    assert reply.startswith("I can only read text and buttons here.")
    assert bot.buttons() == ["Yes, let me choose", "No thanks"]


async def test_start_again_midway_continues_where_the_citizen_was(bot: Harness) -> None:
    await bot.say("/start", language_code="en")
    await bot.tap("Yes, let me choose")
    await bot.tap("Save my choices")
    [reply] = await bot.say("/start")
    assert reply.startswith("Welcome back! Here is where we left off.")
    assert "What would you like us to call you?" in reply


async def test_before_any_consent_every_way_in_leads_to_the_welcome(bot: Harness) -> None:
    for first in ("/menu", "/language"):
        [reply] = await bot.say(first, language_code="da")
        assert "frivillig" in reply and "ingen betydning for dine dagpenge" in reply, first
        assert bot.buttons() == ["Ja, lad mig vælge", "Nej tak"]
    [again] = await bot.say("/start", language_code="da")
    assert "Velkommen tilbage" not in again and "frivillig" in again


async def test_mydata_before_any_consent_answers_and_start_still_welcomes(bot: Harness) -> None:
    [data] = await bot.say("/mydata", language_code="da")
    assert "frivillig" not in data, "the right of access needs no consent"
    [greeting] = await bot.say("/start", language_code="da")
    assert "Velkommen tilbage" not in greeting
    assert "frivillig" in greeting and "ingen betydning for dine dagpenge" in greeting


async def test_after_delete_start_begins_from_scratch_with_the_welcome(bot: Harness) -> None:
    await bot.say("/start", language_code="da")
    await bot.tap("Ja, lad mig vælge")
    await bot.tap("Gem mine valg")
    await bot.say("Karin")
    await bot.say("/delete", language_code="da")
    await bot.tap("Ja, slet det hele")
    [greeting] = await bot.say("/start", language_code="da")
    assert "Velkommen tilbage" not in greeting
    assert "frivillig" in greeting and "ingen betydning for dine dagpenge" in greeting
    [menu] = await bot.say("/menu", language_code="da")
    assert "frivillig" in menu, "still no consent after erasure: the welcome again"


async def test_citizens_on_the_same_step_each_see_their_own_keyboard(bot: Harness) -> None:
    """Keyboards are built once per step, ticks, hidden buttons, month and language
    (bot/engine/runner.py, bot/engine/screen.py): none of it may leak between citizens."""
    other = CITIZEN + 1
    for user, language in ((CITIZEN, "en"), (other, "da")):
        await bot.say("/start", user=user, language_code=language)
        await bot.tap("Ja, lad mig vælge" if language == "da" else "Yes, let me choose",
                      user=user)
    await bot.tap("Short check-ins")
    assert bot.buttons()[:2] == ["✅ Short check-ins on how it is going",
                                 "⬜ Job club with others in your situation"]
    assert bot.buttons(other)[0].startswith("⬜ "), "the other citizen ticked nothing"
    await bot.tap("Korte", user=other)
    await bot.tap("Korte", user=other)
    assert bot.buttons(other)[0].startswith("⬜ "), "ticked and unticked again"
    assert bot.buttons()[0].startswith("✅ ")

    await bot.tap("Save my choices")
    await bot.tap("Skip")
    assert bot.buttons()[:4] == ["November 2026", "October 2026", "September 2026",
                                 "August 2026"]
    bot.clock.advance(days=30)  # 24 December: another month on the same step
    await bot.tap("Gem mine valg", user=other)
    await bot.tap("Spring over", user=other)
    assert bot.buttons(other)[:2] == ["december 2026", "november 2026"]
    await bot.say("nonsense")  # the step again, by today's months
    assert bot.buttons()[:2] == ["December 2026", "November 2026"]

    await bot.tap("Earlier")
    await bot.tap("No preference")
    assert bot.buttons() == ["Dansk", "English", "Skip"], "Skip shows on the first way through"
    await bot.tap("English")
    await bot.say("/menu")
    await bot.tap("Language")
    assert bot.buttons() == ["Dansk", "English"], "no Skip while editing from the menu"
