"""Worrying answers reach a human at once, and the citizen is never left without help."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from bot.config import Settings
from bot.features.cases import CaseLevel, CaseService
from bot.features.cases.alerts import CaseAlerts
from bot.features.citizens import CitizenStore
from tests.conftest import CITIZEN, Harness, start_harness, stop_harness
from tests.fakes import FakeClock

STAFF_CHAT = -100777
CONSULTANT = 31
URGENT_TEXT = "jeg vil ikke leve mere"
TUESDAY_MORNING = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)  # 10:00 in Copenhagen
SATURDAY_NIGHT = datetime(2026, 11, 28, 22, 0, tzinfo=UTC)  # 23:00 in Copenhagen


@pytest.fixture
async def staffed(settings: Settings, clock: FakeClock) -> AsyncIterator[Harness]:
    staffed_settings = replace(settings, staff_chat_id=STAFF_CHAT, onduty_mention="@vagt",
                               admin_ids=frozenset({CONSULTANT, CONSULTANT + 1}))
    harness = await start_harness(staffed_settings, clock)
    yield harness
    await stop_harness(harness)


async def staff_texts(bot: Harness) -> list[str]:
    """What the staff chat shows once the outbox has delivered everything queued."""
    await bot.drain()
    return bot.api.texts(STAFF_CHAT)


async def open_cases(bot: Harness) -> list[tuple[CaseLevel, int | None]]:
    return [(c.level, c.citizen_id) for c in await bot.ctx.get(CaseService).list_open()]


async def test_urgent_message_gets_help_numbers_a_case_and_a_staff_alert_at_once(
        staffed: Harness) -> None:
    await staffed.say("/start", language_code="da")
    await staffed.tap("Ja, lad mig vælge")
    await staffed.tap("Gem mine valg")
    [reply] = await staffed.say(URGENT_TEXT)
    assert "112" in reply and "1813" in reply and "70 201 201" in reply
    assert "så hurtigt som muligt i dag" in reply
    [alert] = await staff_texts(staffed)
    assert "AKUT" in alert and URGENT_TEXT in alert
    assert [b["text"] for b in staffed.api.last_keyboard(STAFF_CHAT)[0]] == [
        "✋ Tag sagen", "↩ Tilbage til botten", "✅ Luk"]
    citizen = await staffed.ctx.get(CitizenStore).by_user(CITIZEN)
    assert citizen is not None
    assert await open_cases(staffed) == [(CaseLevel.URGENT, citizen.id)]
    assert citizen.first_name is None, "a worrying message is never taken as a dialog answer"
    session = await staffed.ctx.sessions.load(citizen.id)
    assert session is not None and session.state == "ask_name"


async def test_outside_hours_the_citizen_hears_when_and_staff_see_it_first(
        settings: Settings) -> None:
    clock = FakeClock(SATURDAY_NIGHT)
    bot = await start_harness(replace(settings, staff_chat_id=STAFF_CHAT,
                                      admin_ids=frozenset({CONSULTANT})), clock)
    try:
        await bot.say("/human", user=CITIZEN + 1, language_code="en")
        [reply] = await bot.say("I want to kill myself", language_code="en")
        assert "not at work right now" in reply
        assert "on Monday 30 November at 08:00" in reply, "Copenhagen time"
        assert "112" in reply
        assert "Uden for rådgivernes arbejdstid" in (await staff_texts(bot))[-1]
        await bot.application.process_update(
            bot.updates.staff_message(STAFF_CHAT, CONSULTANT, "/cases"))
        listing = (await staff_texts(bot))[-1].splitlines()
        assert "AKUT" in listing[0] and "Beder om en person" in listing[1]
    finally:
        await stop_harness(bot)


async def test_unclaimed_urgent_case_is_alerted_again_with_the_on_duty_mention(
        staffed: Harness) -> None:
    await staffed.say(URGENT_TEXT)
    staffed.clock.advance(minutes=9)
    assert await staffed.ctx.get(CaseAlerts).realert_due() == 0
    staffed.clock.advance(minutes=2)
    assert await staffed.ctx.get(CaseAlerts).realert_due() == 1
    assert (await staff_texts(staffed))[-1].endswith("er stadig ikke taget. @vagt")
    assert await staffed.ctx.get(CaseAlerts).realert_due() == 0, "not every sweep"
    staffed.clock.advance(minutes=11)
    assert await staffed.ctx.get(CaseAlerts).realert_due() == 1, "again until claimed"


async def test_claim_tells_the_citizen_and_stops_re_alerts_and_close_closes(
        staffed: Harness) -> None:
    await staffed.say(URGENT_TEXT)
    await staffed.drain()
    [case] = await staffed.ctx.get(CaseService).list_open()
    alert_id = case.alert_message_id
    assert alert_id is not None
    claim = f"case|claim|{case.id}"
    await staffed.application.process_update(staffed.updates.staff_press(
        STAFF_CHAT, CONSULTANT, claim, message_id=alert_id, first_name="Mette"))
    await staffed.drain()  # the citizen is told through the outbox
    assert staffed.api.texts(CITIZEN)[-1] == (
        "Mette fra jobcentret har set din besked og vender tilbage til dig her.")
    edited = staffed.api.sent(STAFF_CHAT, method="editMessageText")[-1]
    assert "Taget af Mette" in edited.params["text"]
    await staffed.application.process_update(staffed.updates.staff_press(
        STAFF_CHAT, CONSULTANT + 1, claim, message_id=alert_id, first_name="Ole"))
    assert staffed.api.texts(STAFF_CHAT)[-1] == (
        f"Sag #{case.id} er taget af Mette. Vil du overtage den?")
    assert staffed.buttons(STAFF_CHAT) == ["🔁 Overtag"]
    assert (await staffed.ctx.get(CaseService).get(case.id)).claimed_by == CONSULTANT  # type: ignore[union-attr]
    staffed.clock.advance(minutes=30)
    assert await staffed.ctx.get(CaseAlerts).realert_due() == 0
    await staffed.application.process_update(staffed.updates.staff_press(
        STAFF_CHAT, CONSULTANT, f"case|close|{case.id}", message_id=alert_id))
    assert await staffed.ctx.get(CaseService).list_open() == []


async def test_citizen_cannot_claim_with_forged_callback_data(staffed: Harness) -> None:
    await staffed.say(URGENT_TEXT)
    [case] = await staffed.ctx.get(CaseService).list_open()
    await staffed.application.process_update(
        staffed.updates.press(CITIZEN, f"case|claim|{case.id}"))
    assert staffed.api.sent(method="answerCallbackQuery")[-1].params["text"].startswith(
        "Den knap er ikke længere aktiv")
    [still] = await staffed.ctx.get(CaseService).list_open()
    assert still.claimed_by is None


async def test_concern_offers_a_person_and_opens_a_normal_case(staffed: Harness) -> None:
    [reply] = await staffed.say("jeg kan ikke mere, det hele er håbløst")
    assert "Vil du gerne tale med en person fra jobcentret?" in reply
    assert staffed.buttons() == ["Ja, jeg vil gerne tale med nogen", "Ikke nu"]
    assert [level for level, _ in await open_cases(staffed)] == [CaseLevel.CONCERN]
    [answer] = await staffed.tap("Ja, jeg vil gerne tale med nogen")
    assert "så hurtigt som muligt i dag" in answer
    assert len(await open_cases(staffed)) == 1, "one open case per citizen"


async def test_graver_message_raises_the_open_case_and_alerts_again(staffed: Harness) -> None:
    await staffed.say("/human")
    await staffed.say(URGENT_TEXT)
    assert [level for level, _ in await open_cases(staffed)] == [CaseLevel.URGENT]
    assert len(await staff_texts(staffed)) == 2


async def test_worrying_caption_is_read_too(staffed: Harness) -> None:
    update = staffed.updates.message(CITIZEN, "", extra={
        "photo": [{"file_id": "p", "file_unique_id": "u", "width": 9, "height": 9}],
        "caption": URGENT_TEXT})
    await staffed.application.process_update(update)
    assert "112" in staffed.api.texts(CITIZEN)[-1]
    assert len(await open_cases(staffed)) == 1


async def test_everyday_text_goes_on_to_the_dialog(staffed: Harness) -> None:
    await staffed.say("/start", language_code="da")
    await staffed.tap("Ja, lad mig vælge")
    await staffed.tap("Gem mine valg")
    [reply] = await staffed.say("Karin")
    assert "Hvornår cirka blev du ledig?" in reply
    assert await open_cases(staffed) == []


async def test_without_a_staff_chat_the_citizen_is_still_helped_and_it_is_logged(
        bot: Harness, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.ERROR):
        [reply] = await bot.say(URGENT_TEXT)
    assert "112" in reply
    assert "ikke er forbundet med jobcentrets medarbejdere" in reply
    assert "Jeg har bedt en person" not in reply, "no person is promised when nobody is alerted"
    assert "STAFF_CHAT_ID is not set" in caplog.text
    assert URGENT_TEXT not in caplog.text, "no message text in logs"


async def test_without_a_staff_chat_asking_for_a_person_promises_nobody(bot: Harness) -> None:
    await bot.say("/start", language_code="en")
    [reply] = await bot.say("/human")
    assert "not connected to the job centre's staff" in reply
    assert "I have asked a person" not in reply
    assert bot.buttons() == [], "no phone call is offered either"


async def test_the_menu_has_talk_to_a_person(staffed: Harness) -> None:
    await staffed.say("/start", language_code="en")
    await staffed.tap("No thanks")
    await staffed.say("/menu", language_code="en")
    [reply] = await staffed.tap("Talk to a person")
    assert reply == ("Thank you. I have asked a person from the job centre to contact you as "
                     "soon as possible today. You are welcome to keep writing here in the "
                     "meantime.")
    assert [level for level, _ in await open_cases(staffed)] == [CaseLevel.REQUEST]
    assert "Beder om en person" in (await staff_texts(staffed))[-1]


async def test_typing_talk_to_a_person_works_like_human(staffed: Harness) -> None:
    [reply] = await staffed.say("Jeg vil gerne tale med en person!")
    assert reply.startswith("Tak. Jeg har bedt en person fra jobcentret om at kontakte dig")
    assert [level for level, _ in await open_cases(staffed)] == [CaseLevel.REQUEST]
    [normal] = await staffed.say("Jeg har talt med en person fra A-kassen i går")
    assert "Hej, det er" in normal, "a longer sentence is not a request"


async def test_a_concern_while_an_urgent_case_is_open_is_added_to_that_case(
        staffed: Harness) -> None:
    await staffed.say("I want to kill myself", language_code="en")
    await staffed.drain()
    before = len(staffed.api.calls)
    [reply] = await staffed.say("and I feel so lonely and useless", language_code="en")
    assert reply.startswith("Thank you for telling me. I have added it to your case")
    assert "talk with a person" not in reply and staffed.buttons() == []
    assert [level for level, _ in await open_cases(staffed)] == [CaseLevel.URGENT]
    await staffed.drain()
    to_topic = [c.method for c in staffed.api.calls[before:] if c.chat_id == STAFF_CHAT]
    assert to_topic == ["copyMessage"], "the message itself in the topic, once"
