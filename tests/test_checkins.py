"""Scheduled check-ins: restart-proof, respectful of the citizen's time, never nagging."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from bot.config import Settings
from bot.features.cases import CaseLevel, CaseService
from bot.features.checkin.service import CheckinService
from bot.features.citizens import CitizenStore, Purpose
from tests.conftest import CITIZEN, Harness, crash_harness, start_harness, stop_harness
from tests.fakes import FakeClock

STAFF_CHAT = -100888
CHECKIN = "Hi! This is your check-in from the job centre."


@pytest.fixture
def staffed_settings(settings: Settings) -> Settings:
    return replace(settings, staff_chat_id=STAFF_CHAT)


@pytest.fixture
async def bot(staffed_settings: Settings, clock: FakeClock) -> AsyncIterator[Harness]:
    harness = await start_harness(staffed_settings, clock)
    yield harness
    await stop_harness(harness)


async def onboard(bot: Harness, *extra: str, time_of_day: str = "No preference") -> int:
    await bot.say("/start", language_code="en")
    await bot.tap("Yes, let me choose")
    await bot.tap("Short check-ins")
    for label in extra:
        await bot.tap(label)
    await bot.tap("Save my choices")
    await bot.tap("Skip")
    await bot.tap("Skip")
    await bot.tap(time_of_day)
    await bot.tap("English")
    citizen = await bot.ctx.get(CitizenStore).by_user(CITIZEN)
    assert citizen is not None
    return citizen.id


async def run_timers(bot: Harness) -> list[str]:
    """Fire what is due and deliver it; returns the texts the citizen received."""
    before = len(bot.api.texts(CITIZEN))
    await bot.ctx.scheduler.fire_due()
    await bot.drain()
    return bot.api.texts(CITIZEN)[before:]


async def first_checkin(bot: Harness) -> list[str]:
    """Two days after joining: the first check-in is due and sent; what the citizen received."""
    bot.clock.advance(days=2)
    return await run_timers(bot)


async def due_at(bot: Harness, citizen_id: int) -> datetime | None:
    timer = await bot.ctx.scheduler.get(f"checkin:{citizen_id}")
    return timer.due_at if timer else None


async def test_consenting_arms_the_first_check_in_two_days_after_joining(bot: Harness) -> None:
    citizen_id = await onboard(bot)
    assert await due_at(bot, citizen_id) == bot.clock.now() + timedelta(days=2)
    bot.clock.advance(days=1, hours=23)
    assert await run_timers(bot) == []
    bot.clock.advance(hours=1)
    [message] = await run_timers(bot)
    assert message.startswith(CHECKIN)
    assert bot.buttons() == ["Good", "So-so", "Hard"]
    assert await due_at(bot, citizen_id) == bot.clock.now() + timedelta(days=5), "week 1 next"


async def test_no_consent_no_check_ins(bot: Harness) -> None:
    await bot.say("/start", language_code="en")
    await bot.tap("No thanks")
    citizen = await bot.ctx.get(CitizenStore).by_user(CITIZEN)
    assert citizen is not None and await due_at(bot, citizen.id) is None


async def test_a_whole_check_in_with_free_text_and_a_call_request(bot: Harness) -> None:
    await onboard(bot)
    await first_checkin(bot)
    [job] = await bot.say("ok I guess, a bit bored")
    assert job.startswith("Thank you. How is the job search going?")
    [offers] = await bot.tap("Still looking")
    assert offers.startswith("Would any of these help you right now?")
    await bot.tap("A phone call from a consultant")
    [number] = await bot.tap("An afternoon")
    assert number.startswith("Which phone number should the consultant call?")
    [_thanks, last] = await bot.say("12 34 56 78")
    assert last.startswith("Noted: a consultant will call you.")
    [end] = await bot.tap("No, that is all")
    assert end.startswith("Thank you for taking the time.")
    [case] = await bot.ctx.get(CaseService).list_open()
    assert case.level is CaseLevel.REQUEST and case.call_window == "en eftermiddag (12–15)"
    await bot.drain()
    assert "Vil gerne ringes op: en eftermiddag (12–15)" in "\n".join(bot.api.texts(STAFF_CHAT))


async def test_hard_gets_a_caring_word_and_the_offer_of_a_talk(bot: Harness) -> None:
    await onboard(bot)
    await first_checkin(bot)
    [care] = await bot.tap("Hard")
    assert care.startswith("I am sorry it is hard right now")
    assert "How is the job search going?" not in care, "not straight on to the next question"
    assert bot.buttons() == ["Yes, I would like that", "Not now"]
    [job] = await bot.tap("Yes, I would like that")
    assert job.startswith("Thank you. How is the job search going?")
    [case] = await bot.ctx.get(CaseService).list_open()
    assert case.level is CaseLevel.CONCERN
    await bot.drain()
    assert "Borgeren har det svært lige nu" in "\n".join(bot.api.texts(STAFF_CHAT))


async def test_hard_and_not_now_goes_on_without_a_case(bot: Harness) -> None:
    await onboard(bot)
    await first_checkin(bot)
    await bot.tap("Hard")
    [job] = await bot.tap("Not now")
    assert job.startswith("Thank you. How is the job search going?")
    assert await bot.ctx.get(CaseService).list_open() == []


async def test_found_work_ends_contact_or_keeps_only_webinar_news(bot: Harness) -> None:
    citizen_id = await onboard(bot)
    await first_checkin(bot)
    await bot.tap("Good")
    [found] = await bot.tap("I have found work or education")
    assert found.startswith("Congratulations")
    await bot.tap("Keep the webinar news")
    consents = await bot.ctx.get(CitizenStore).consents(citizen_id)
    assert {p for p, r in consents.items() if r.granted} == {Purpose.WEBINARS}
    assert await due_at(bot, citizen_id) is None, "check-ins stop"


async def test_quiet_hours_weekends_and_preferred_time_are_respected(
        staffed_settings: Settings) -> None:
    # Joined Thursday 19:30 Copenhagen: the first check-in falls on Saturday 19:30.
    clock = FakeClock(datetime(2026, 11, 26, 18, 30, tzinfo=UTC))
    bot = await start_harness(staffed_settings, clock)
    try:
        citizen_id = await onboard(bot, time_of_day="Afternoon")
        clock.advance(days=2)
        assert await run_timers(bot) == []
        monday_afternoon = datetime(2026, 11, 30, 13, 0, tzinfo=UTC)  # 14:00 in Copenhagen
        assert await due_at(bot, citizen_id) == monday_afternoon
        clock.advance(seconds=(monday_afternoon - clock.now()).total_seconds())
        [message] = await run_timers(bot)
        assert message.startswith(CHECKIN)
    finally:
        await stop_harness(bot)


async def test_after_downtime_an_overdue_check_in_is_sent_once_not_per_missed_slot(
        bot: Harness) -> None:
    citizen_id = await onboard(bot)
    bot.clock.advance(days=41)  # a Monday; the slots at 2, 7, 14 and 28 days were missed
    messages = await run_timers(bot)
    assert len(messages) == 1
    assert await run_timers(bot) == []
    assert await due_at(bot, citizen_id) == (
        await bot.ctx.get(CitizenStore).by_id(citizen_id)).joined_at + timedelta(days=56)  # type: ignore[union-attr]


async def test_restart_between_due_and_sent_neither_loses_nor_duplicates(
        staffed_settings: Settings, clock: FakeClock) -> None:
    first = await start_harness(staffed_settings, clock)
    await onboard(first)
    clock.advance(days=2)
    await first.ctx.scheduler.fire_due()  # queued in the outbox; the process dies now
    await crash_harness(first)

    second = await start_harness(staffed_settings, clock)
    try:
        await second.application.bot_data["outbox_sender"].recover()
        await second.ctx.scheduler.fire_due()
        await second.drain()
        assert [t for t in second.api.texts(CITIZEN) if t.startswith(CHECKIN)] == [
            second.api.texts(CITIZEN)[0]]
        assert len(second.api.texts(CITIZEN)) == 1, "sent once, after the restart"
        [job] = await second.tap("So-so")
        assert job.startswith("Thank you. How is the job search going?")
    finally:
        await stop_harness(second)


async def test_restart_in_the_middle_of_a_check_in_continues_it(
        staffed_settings: Settings, clock: FakeClock) -> None:
    first = await start_harness(staffed_settings, clock)
    await onboard(first)
    await first_checkin(first)
    await first.tap("Good")
    await crash_harness(first)

    second = await start_harness(staffed_settings, clock)
    try:
        [reply] = await second.say("/start", language_code="en")
        assert "How is the job search going?" in reply
    finally:
        await stop_harness(second)


async def test_two_unanswered_check_ins_lead_to_one_pause_question(bot: Harness) -> None:
    citizen_id = await onboard(bot)
    for days in (2, 5):
        bot.clock.advance(days=days)
        [message] = await run_timers(bot)
        assert message.startswith(CHECKIN)
    bot.clock.advance(days=7)
    [question] = await run_timers(bot)
    assert question.startswith("We have not heard from you for a while")
    [noted] = await bot.tap("A break of 1 month")
    assert noted.startswith("Thank you – noted.")
    bot.clock.advance(days=14)
    assert await run_timers(bot) == [], "paused"
    status = await bot.ctx.get(CheckinService)._store.status(citizen_id)
    assert status.paused_until == bot.clock.now() - timedelta(days=14) + timedelta(days=30)


async def test_at_most_two_unsolicited_messages_a_week(bot: Harness) -> None:
    citizen_id = await onboard(bot)
    from bot.outbox import Priority
    from bot.outbox.model import Message

    for n in range(2):
        await bot.ctx.outbox.enqueue(CITIZEN, Message(f"webinar {n}"), citizen_id=citizen_id,
                                     priority=Priority.BROADCAST, kind="broadcast")
    await bot.drain()
    bot.clock.advance(days=2)
    assert await run_timers(bot) == []
    assert await due_at(bot, citizen_id) == bot.clock.now() + timedelta(days=1)


async def test_a_citizen_mid_dialog_is_not_interrupted(bot: Harness) -> None:
    citizen_id = await onboard(bot)
    bot.clock.advance(days=2)
    await bot.say("/menu")
    await bot.tap("My name")  # now typing a name
    assert await run_timers(bot) == []
    assert await due_at(bot, citizen_id) == bot.clock.now() + timedelta(hours=2)


async def test_blocking_and_withdrawing_stop_check_ins(bot: Harness) -> None:
    citizen_id = await onboard(bot)
    await bot.application.process_update(bot.updates.membership(CITIZEN, "kicked"))
    bot.clock.advance(days=2)
    assert await run_timers(bot) == []
    assert await due_at(bot, citizen_id) is None
    await bot.application.process_update(bot.updates.membership(CITIZEN, "member"))
    assert await due_at(bot, citizen_id) == bot.clock.now() + timedelta(days=5)
    await bot.say("/stop")
    bot.clock.advance(days=5)
    assert await run_timers(bot) == []


async def who5_checkin(bot: Harness, answers: list[str]) -> list[str]:
    await onboard(bot, "A wellbeing check")
    bot.clock.advance(days=41)
    await run_timers(bot)
    await bot.tap("Good")
    await bot.tap("Still looking")
    [first] = await bot.tap("Nothing right now")
    assert "(1/5) Over the last two weeks I have felt cheerful" in first
    replies: list[str] = []
    for answer in answers:
        replies = await bot.tap(answer)
    return replies


async def test_typing_at_a_buttons_step_reaches_a_consultant_and_moves_on(
        bot: Harness) -> None:
    await onboard(bot)
    await first_checkin(bot)
    await bot.tap("Good")
    await bot.tap("Still looking")
    [reply] = await bot.say("Mostly I need help writing to employers")
    assert reply.startswith("Is there anything else")
    await bot.drain()
    assert "Mostly I need help writing to employers" in bot.api.texts(STAFF_CHAT)[-1]


async def test_who5_good_wellbeing_goes_straight_on(bot: Harness) -> None:
    [reply] = await who5_checkin(bot, ["Most of the time"] * 5)
    assert reply.startswith("Is there anything else")
    assert await bot.ctx.get(CaseService).list_open() == []


async def test_who5_poor_wellbeing_opens_a_concern_case_and_offers_a_talk(
        bot: Harness) -> None:
    [offer] = await who5_checkin(bot, ["Most of the time"] * 4 + ["Some of the time"])
    assert "Would you like to talk with a consultant about it?" in offer
    [case] = await bot.ctx.get(CaseService).list_open()
    assert case.level is CaseLevel.CONCERN
    await bot.drain()
    assert "WHO-5: 17/25 (68 %)" in bot.api.texts(STAFF_CHAT)[-1]
    await bot.tap("Yes, I would like that")
    await bot.drain()
    assert "vil gerne tale med en rådgiver" in bot.api.texts(STAFF_CHAT)[-1]
    assert len(await bot.ctx.get(CaseService).list_open()) == 1


async def test_who5_very_low_opens_a_high_case_and_suggests_the_gp(bot: Harness) -> None:
    [reply] = await who5_checkin(bot, ["Some of the time"] * 5)
    assert "your own doctor (egen læge)" in reply
    assert "depression" not in reply.lower(), "never a diagnosis"
    [case] = await bot.ctx.get(CaseService).list_open()
    assert case.level is CaseLevel.HIGH
    await bot.drain()
    assert "WHO-5: 5/25 (20 %)" in bot.api.texts(STAFF_CHAT)[-1]


async def test_who5_is_only_asked_with_its_own_consent(bot: Harness) -> None:
    await onboard(bot)
    bot.clock.advance(days=41)
    await run_timers(bot)
    await bot.tap("Good")
    await bot.tap("Still looking")
    [reply] = await bot.tap("Nothing right now")
    assert reply.startswith("Is there anything else")


async def test_anything_else_reaches_a_consultant(bot: Harness) -> None:
    await onboard(bot)
    await first_checkin(bot)
    await bot.tap("Good")
    await bot.tap("Still looking")
    await bot.tap("Nothing right now")
    await bot.say("Can someone look at my CV before Friday?")
    await bot.drain()
    assert "Can someone look at my CV before Friday?" in bot.api.texts(STAFF_CHAT)[-1]


async def test_mydata_tells_what_check_ins_and_wellbeing_checks_keep(bot: Harness) -> None:
    await who5_checkin(bot, ["Most of the time"] * 5)
    [reply] = await bot.say("/mydata")
    assert "Short check-in answers: 2 (the newest from 4 January 2027)." in reply
    assert "Your latest wellbeing check (4 January 2027): 20 of 25 points." in reply


async def test_a_note_typed_while_a_case_is_open_reaches_the_topic_once(bot: Harness) -> None:
    await who5_checkin(bot, ["Most of the time"] * 4 + ["Some of the time"])
    await bot.drain()
    before = len(bot.api.calls)
    await bot.say("I would rather talk about money worries")
    await bot.drain()
    to_staff = [c for c in bot.api.calls[before:] if c.chat_id == STAFF_CHAT]
    assert [c.method for c in to_staff] == ["copyMessage"], "the relayed message, nothing twice"


async def test_without_a_staff_chat_a_yes_to_a_talk_is_told_that_nobody_will_call(
        settings: Settings, clock: FakeClock) -> None:
    trial = await start_harness(settings, clock)  # no STAFF_CHAT_ID
    try:
        await onboard(trial)
        await first_checkin(trial)
        await trial.tap("Hard")
        await trial.tap("Yes, I would like that")
        await trial.tap("Still looking")
        [last] = await trial.tap("Nothing right now")
        assert "not connected to the job centre's staff" in last
    finally:
        await stop_harness(trial)
