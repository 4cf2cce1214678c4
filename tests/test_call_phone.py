"""The number for a requested phone call: asked after the time window, kept for that call only,
shown to the consultant, and gone once the call is done, the case closed or the citizen erased."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from bot.config import Settings
from bot.features.care.phone import parse_phone, phone_from_contact
from bot.features.cases import CaseService
from bot.features.citizens import CitizenStore
from bot.features.staff import Role, StaffService
from bot.features.workspace.service import WorkspaceService
from tests.conftest import CITIZEN, TOKEN, Harness, bot_process, start_harness, stop_harness
from tests.fakes import FakeClock
from tests.http_bot_api import ApiCall, HttpBotApi
from tests.test_process_e2e import DATE, EN_USER, buttons, command, press

STAFF_CHAT = -100555
ADMIN, METTE = 11, 21
ASK = "Which phone number should the consultant call?"
STRANGER = 777


@pytest.fixture
async def bot(settings: Settings, clock: FakeClock) -> AsyncIterator[Harness]:
    harness = await start_harness(replace(settings, staff_chat_id=STAFF_CHAT, staff_locale="en",
                                          admin_ids=frozenset({ADMIN})), clock)
    await harness.ctx.get(StaffService).add(METTE, Role.CONSULTANT, ADMIN)
    yield harness
    await stop_harness(harness)


async def ask_for_a_call(bot: Harness) -> str:
    """/human, "rather a phone call", a morning; returns what the bot said last."""
    await bot.say("/human", language_code="en")
    await bot.tap("I would rather have a phone call")
    [asked] = await bot.tap("A morning")
    return asked


async def share_contact(bot: Harness, owner: int, phone: str) -> list[str]:
    before = len(bot.api.texts(CITIZEN))
    contact = {"phone_number": phone, "first_name": "Anna", "user_id": owner}
    await bot.application.process_update(
        bot.updates.message(CITIZEN, "", language_code="en", extra={"contact": contact}))
    return bot.api.texts(CITIZEN)[before:]


def last_markup(bot: Harness) -> dict[str, Any]:
    return dict(bot.api.sent(CITIZEN)[-1].params.get("reply_markup") or {})


async def stored_phones(bot: Harness) -> list[str | None]:
    rows = await bot.ctx.db.fetch_all("SELECT phone FROM call_phones ORDER BY case_id")
    return [r["phone"] for r in rows]


async def staff_press(bot: Harness, data: str) -> None:
    await bot.application.process_update(
        bot.updates.staff_press(STAFF_CHAT, METTE, data, message_id=1, first_name="Mette"))


async def given_by_contact(bot: Harness) -> int:
    """A call request with the citizen's own number shared; returns the case number."""
    await ask_for_a_call(bot)
    await share_contact(bot, CITIZEN, "4512345678")
    [case] = await bot.ctx.get(CaseService).list_open()
    return case.id


@pytest.mark.parametrize(("typed", "stored"), [
    ("12 34 56 78", "+4512345678"), ("12345678", "+4512345678"),
    ("+45 12345678", "+4512345678"), ("0045 12 34 56 78", "+4512345678"),
    ("12-34-56-78", "+4512345678"), ("+46 70 123 45 67", "+46701234567"),
    ("0046701234567", "+46701234567"),
])
def test_danish_and_international_numbers_are_read(typed: str, stored: str) -> None:
    assert parse_phone(typed) == stored


@pytest.mark.parametrize("typed", [
    "call me in the morning", "1234 567", "123456789", "+45 1234567", "02345678", "+0123456789",
    "my number is 12345678", "12 34 56 78 or 87 65 43 21", "",
])
def test_anything_else_is_not_a_number(typed: str) -> None:
    assert parse_phone(typed) is None


def test_a_shared_contact_comes_with_or_without_the_plus() -> None:
    assert phone_from_contact("4512345678") == "+4512345678"
    assert phone_from_contact("+46701234567") == "+46701234567"


async def test_the_window_is_followed_by_the_contact_button(bot: Harness) -> None:
    asked = await ask_for_a_call(bot)
    assert asked.startswith("Noted: a consultant will call you.") and ASK in asked
    markup = last_markup(bot)
    assert markup["one_time_keyboard"] is True
    share, skip = markup["keyboard"]
    assert share == [{"text": "📱 Share my number", "request_contact": True}]
    assert skip == [{"text": "Continue without a number"}]
    await bot.drain()
    assert ("Phone number: asked for – it is posted here when the citizen gives it."
            in bot.api.texts(STAFF_CHAT)[-1]), "the alert says a number is on its way"


async def test_the_own_contact_is_stored_and_the_consultant_sees_it(bot: Harness) -> None:
    case_id = await given_by_contact(bot)
    assert bot.api.texts(CITIZEN)[-1] == (
        "Thank you – the consultant will call you on +45 12 34 56 78. We delete the number when "
        "the call is done.")
    assert last_markup(bot) == {"remove_keyboard": True}
    assert await stored_phones(bot) == ["+4512345678"]
    await bot.drain()
    update = bot.api.sent(STAFF_CHAT)[-1]
    citizen = await bot.ctx.get(CitizenStore).by_user(CITIZEN)
    assert citizen is not None
    assert update.params["text"] == (
        f"📞 Case #{case_id} – citizen #{citizen.id}: Number to call: +45 12 34 56 78")
    topic = await bot.ctx.get(WorkspaceService).store.topic(citizen.id)
    assert topic is not None and update.params["message_thread_id"] == topic.thread_id
    assert bot.api.sent(STAFF_CHAT, method="copyMessage") == [], "no contact card (Telegram name)"
    await bot.application.process_update(
        bot.updates.staff_message(STAFF_CHAT, METTE, f"/case {case_id}"))
    assert "Number to call: +45 12 34 56 78" in bot.api.texts(STAFF_CHAT)[-1]


async def test_a_typed_number_is_taken_and_other_text_is_asked_again(bot: Harness) -> None:
    await ask_for_a_call(bot)
    [again] = await bot.say("ring me after lunch", language_code="en")
    assert again.startswith("Sorry, I could not read that as a phone number.")
    assert "«Continue without a number»" in again
    assert last_markup(bot)["keyboard"][0][0]["request_contact"] is True
    assert await stored_phones(bot) == [None]
    [thanks] = await bot.say("+45 87 65 43 21", language_code="en")
    assert "+45 87 65 43 21" in thanks
    assert await stored_phones(bot) == ["+4587654321"]
    [normal] = await bot.say("Karin", language_code="en")
    assert "phone number" not in normal, "once answered, writing is writing again"


async def test_someone_elses_contact_is_refused(bot: Harness) -> None:
    await ask_for_a_call(bot)
    [refused] = await share_contact(bot, STRANGER, "4511223344")
    assert refused.startswith("That looks like someone else's contact.")
    assert last_markup(bot)["keyboard"][0][0]["request_contact"] is True
    assert await stored_phones(bot) == [None]
    [refused_again] = await share_contact(bot, None, "4511223344")  # type: ignore[arg-type]
    assert refused_again.startswith("That looks like someone else's contact.")
    assert await stored_phones(bot) == [None]


async def test_no_number_still_reaches_the_consultant(bot: Harness) -> None:
    await ask_for_a_call(bot)
    [fine] = await bot.say("Continue without a number", language_code="en")
    assert fine.startswith("That is fine.")
    assert last_markup(bot) == {"remove_keyboard": True}
    assert await stored_phones(bot) == []
    [case] = await bot.ctx.get(CaseService).list_open()
    assert case.call_window == "a morning (9–12)"
    await bot.drain()
    assert bot.api.texts(STAFF_CHAT)[-1] == (
        f"📞 Case #{case.id} – citizen #{case.citizen_id}: No phone number given – write to the "
        "citizen in the chat to agree how to reach them.")


async def test_mydata_and_the_export_show_the_number(bot: Harness) -> None:
    case_id = await given_by_contact(bot)
    [mydata] = await bot.say("/mydata", language_code="en")
    assert "Phone number for the call you asked for: +45 12 34 56 78" in mydata
    assert "your phone number" not in mydata, "no longer 'we do not store your phone number'"
    await bot.application.process_update(
        bot.updates.staff_message(STAFF_CHAT, ADMIN, f"/export {case_id}"))
    [upload] = bot.api.sent(STAFF_CHAT, method="sendDocument")
    [content] = upload.files.values()
    [row] = json.loads(content)["tables"]["call_phones"]
    assert row["phone"] == "+4512345678" and row["case_id"] == case_id
    assert row["text_version"].startswith("call-phone-en-"), "what the citizen said yes to"


async def test_reached_deletes_the_number_not_reached_keeps_it(bot: Harness) -> None:
    case_id = await given_by_contact(bot)
    await staff_press(bot, f"call|not_reached|{case_id}")
    assert await stored_phones(bot) == ["+4512345678"], "they will try again"
    await staff_press(bot, f"call|reached|{case_id}")
    assert await stored_phones(bot) == []
    edited = bot.api.sent(STAFF_CHAT, method="editMessageText")[-1].params["text"]
    assert edited.endswith("The citizen's phone number has been deleted.")
    [mydata] = await bot.say("/mydata", language_code="en")
    assert "+45 12 34 56 78" not in mydata


async def test_closing_the_case_deletes_the_number(bot: Harness) -> None:
    case_id = await given_by_contact(bot)
    await staff_press(bot, f"case|close|{case_id}")
    assert await stored_phones(bot) == []


async def test_delete_erases_the_number(bot: Harness) -> None:
    await given_by_contact(bot)
    await bot.say("/delete", language_code="en")
    await bot.tap("Yes, delete everything")
    assert await bot.ctx.get(CitizenStore).by_user(CITIZEN) is None
    assert await stored_phones(bot) == []


async def test_an_old_question_does_not_swallow_everyday_writing(bot: Harness) -> None:
    await ask_for_a_call(bot)
    bot.clock.advance(hours=23)
    [again] = await bot.say("soon", language_code="en")
    assert again.startswith("Sorry, I could not read that as a phone number.")
    bot.clock.advance(hours=1, minutes=1)
    replies = await bot.say("hello again", language_code="en")
    assert replies and not any("phone number" in r for r in replies)


async def test_the_check_in_asks_for_the_number_and_then_goes_on(bot: Harness) -> None:
    await bot.say("/start", language_code="en")
    await bot.tap("Yes, let me choose")
    await bot.tap("Short check-ins")
    await bot.tap("Save my choices")
    for label in ("Skip", "Skip", "No preference", "English"):
        await bot.tap(label)
    bot.clock.advance(days=2)
    await bot.ctx.scheduler.fire_due()
    await bot.drain()
    await bot.tap("Good")
    await bot.tap("Still looking")
    await bot.tap("A phone call from a consultant")
    [asked] = await bot.tap("An afternoon")
    assert asked.startswith(ASK)
    assert last_markup(bot)["keyboard"][0][0]["request_contact"] is True
    thanks, step = await share_contact(bot, CITIZEN, "+4512345678")
    assert thanks.startswith("Thank you – the consultant will call you on +45 12 34 56 78.")
    assert step.startswith("Noted: a consultant will call you.")
    assert "Is there anything else you would like to tell us?" in step
    assert bot.buttons() == ["No, that is all"]
    [case] = await bot.ctx.get(CaseService).list_open()
    assert case.call_window == "an afternoon (12–15)"
    assert await stored_phones(bot) == ["+4512345678"]



def test_the_real_process_asks_for_the_number_and_posts_it_in_the_topic(tmp_path: Path) -> None:
    def to_citizen(text: str) -> Callable[[ApiCall], bool]:
        return lambda c: c.chat_id == EN_USER and text in str(c.params.get("text", ""))

    with (HttpBotApi(token=TOKEN) as api,
          bot_process(api, tmp_path, STAFF_CHAT_ID=str(STAFF_CHAT), ADMIN_IDS=str(ADMIN),
                      STAFF_LOCALE="en") as bot):
        api.wait_for_call("getUpdates")
        api.push_update(command(EN_USER, "/human", "en", message_id=1))
        offer = api.wait_for_call("sendMessage", lambda c: c.chat_id == EN_USER and bool(
            buttons(c)))
        api.push_update(press(EN_USER, "en", buttons(offer)["📞 I would rather have a phone call"],
                              api.result_of(offer), query_id="71001"))
        windows = api.wait_for_call("sendMessage", to_citizen("When would a call suit you?"))
        api.push_update(press(EN_USER, "en", buttons(windows)["A morning (9–12)"],
                              api.result_of(windows), query_id="71002"))
        asked = api.wait_for_call("sendMessage", to_citizen(ASK))
        assert asked.params["reply_markup"]["keyboard"][0][0]["request_contact"] is True
        api.push_update({"message": {
            "message_id": 2, "date": DATE,
            "chat": {"id": EN_USER, "type": "private", "first_name": "Anna"},
            "from": {"id": EN_USER, "is_bot": False, "first_name": "Anna", "language_code": "en"},
            "contact": {"phone_number": "4512345678", "first_name": "Anna", "user_id": EN_USER},
        }})
        thanks = api.wait_for_call("sendMessage", to_citizen("the consultant will call you on"))
        assert thanks.params["reply_markup"] == {"remove_keyboard": True}
        api.wait_for_call("sendMessage", lambda c: c.chat_id == STAFF_CHAT and (
            "Number to call: +45 12 34 56 78" in str(c.params.get("text", ""))))
        code = bot.stop()
        stderr = bot.stderr
    assert code == 0, stderr
    assert "Traceback" not in stderr, stderr
    assert "12345678" not in stderr and "12 34 56 78" not in stderr, "no number in the logs"
