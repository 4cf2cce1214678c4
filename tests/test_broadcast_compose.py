"""/broadcast in the staff chat (issue 10): composing da+en, the segment, the preview with the
CLI's facts, test send, send now and schedule, the missing-language block, a restart
mid-compose, and buttons that are stale, foreign or not for consultants."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import datetime

import pytest

from bot.config import Settings
from bot.features.broadcasts import BroadcastService, ComposeService
from bot.features.broadcasts.compose_wording import LOOK
from bot.features.broadcasts.model import BroadcastStatus
from bot.features.citizens import CitizenStore, Purpose
from bot.features.staff import Role, StaffService
from bot.features.webinars.planning import WebinarPlanner
from bot.features.webinars.storage import NewWebinar, WebinarStore
from bot.transport.local_api import Fault
from tests.conftest import Harness, crash_harness, start_harness, stop_harness
from tests.fakes import FakeClock

STAFF_CHAT = -100888
ADMIN, COORDINATOR, OTHER_COORDINATOR, CONSULTANT = 11, 31, 32, 21
TOPIC = 555  # the coordinator's own forum topic
FIRST_USER = 60_000
DA = "Webinar om CV i morgen kl. 14 – vi ses!"
EN = "Webinar on CVs tomorrow at 14:00 – see you!"


@pytest.fixture
def staff_settings(settings: Settings) -> Settings:
    return replace(settings, staff_chat_id=STAFF_CHAT, admin_ids=frozenset({ADMIN}),
                   staff_locale="en")


async def staffed(staff_settings: Settings, clock: FakeClock) -> Harness:
    harness = await start_harness(staff_settings, clock)
    staff = harness.ctx.get(StaffService)
    if await staff.role_of(COORDINATOR) is None:
        await staff.add(COORDINATOR, Role.COORDINATOR, ADMIN)
        await staff.add(OTHER_COORDINATOR, Role.COORDINATOR, ADMIN)
        await staff.add(CONSULTANT, Role.CONSULTANT, ADMIN)
    return harness


@pytest.fixture
async def bot(staff_settings: Settings, clock: FakeClock) -> AsyncIterator[Harness]:
    harness = await staffed(staff_settings, clock)
    yield harness
    await stop_harness(harness)


async def add_citizen(bot: Harness, n: int, locale: str = "da", *, consent: bool = True,
                      label: str | None = None) -> int:
    """Citizen number n's user (and private chat) is FIRST_USER + n."""
    store = bot.ctx.get(CitizenStore)
    citizen = await store.create(FIRST_USER + n, FIRST_USER + n, locale, bot.clock.now())
    if label:
        await store.set_invite_label(citizen.id, label)
    await store.record_consents(citizen.id, {Purpose.WEBINARS: consent}, "test-1",
                                bot.clock.now())
    return citizen.id


async def say(bot: Harness, text: str, user: int = COORDINATOR,
              thread: int | None = TOPIC) -> list[str]:
    """A line in the staff chat; returns what the bot wrote there in answer."""
    before = len(bot.api.texts(STAFF_CHAT))
    await bot.application.process_update(
        bot.updates.staff_message(STAFF_CHAT, user, text, thread=thread))
    return bot.api.texts(STAFF_CHAT)[before:]


async def tap(bot: Harness, label: str, user: int = COORDINATOR) -> str | None:
    """Tap the newest staff-chat button whose label contains `label`; returns its answer."""
    data = bot.button_data(label, STAFF_CHAT)
    await bot.application.process_update(
        bot.updates.staff_press(STAFF_CHAT, user, data, message_id=1))
    answer = bot.api.sent(method="answerCallbackQuery")[-1].params.get("text")
    return str(answer) if answer is not None else None


def last_text(bot: Harness) -> str:
    """The newest staff-chat message, edited in place or sent."""
    for call in reversed(bot.api.calls):
        if call.chat_id == STAFF_CHAT and call.method in ("sendMessage", "editMessageText"):
            return str(call.params["text"])
    raise AssertionError("nothing in the staff chat")


async def compose_texts(bot: Harness, da: str | None = DA, en: str | None = EN) -> None:
    """/broadcast, name and texts (None: skipped), no attachment, no buttons."""
    [prompt] = await say(bot, "/broadcast")
    assert "step 1 of 6" in prompt
    await say(bot, "CV-webinar")
    for text, language in ((da, "Dansk"), (en, "English")):
        if text is None:
            await tap(bot, f"Skip {language}")
        else:
            await say(bot, text)
    await tap(bot, "No attachment")
    await tap(bot, "Next")


async def test_a_coordinator_composes_previews_test_sends_and_sends(bot: Harness) -> None:
    for n in (1, 2):
        await add_citizen(bot, n, "da")
    await add_citizen(bot, 3, "en")
    await add_citizen(bot, 4, "da", consent=False)
    await add_citizen(bot, 5, "en")
    await bot.ctx.get(CitizenStore).set_blocked(FIRST_USER + 5, bot.clock.now())

    await compose_texts(bot)
    assert "step 5 of 6" in last_text(bot)
    before = len(bot.api.sent(STAFF_CHAT))
    await tap(bot, "Preview")
    da_shown, en_shown, facts = bot.api.sent(STAFF_CHAT)[before:]
    assert (da_shown.params["text"], en_shown.params["text"]) == (DA, EN)
    [[unsubscribe]] = da_shown.params["reply_markup"]["inline_keyboard"]
    assert unsubscribe == {"text": "Ikke mere nyt om webinarer", "callback_data": LOOK}
    assert all(m.params["message_thread_id"] == TOPIC for m in (da_shown, en_shown, facts))
    text = str(facts.params["text"])
    assert "Recipients: 3\n  Dansk: 2\n  English: 1\nExcluded: 2" in text
    assert "no consent to webinar news: 1" in text and "have blocked the bot: 1" in text
    assert "exactly as citizens get it" in text
    await bot.application.process_update(
        bot.updates.staff_press(STAFF_CHAT, COORDINATOR, LOOK, message_id=1))
    assert bot.api.sent(method="answerCallbackQuery")[-1].params["text"] == (
        "This is the preview: the button works for the citizens who get it.")

    assert await tap(bot, "Test send") == "Sent to your private chat with me: Dansk, English."
    assert bot.api.texts(COORDINATOR) == [DA, EN]
    [[real]] = bot.api.last_keyboard(COORDINATOR)
    assert real["callback_data"] == "broadcast|unsubscribe"

    test_send = bot.button_data("Test send", STAFF_CHAT)
    assert await tap(bot, "Send now") is None
    stored = last_text(bot)
    assert stored.startswith("📣 Broadcast #1 “CV-webinar” is stored")
    broadcast = await bot.ctx.get(BroadcastService).get(1)
    assert broadcast is not None and broadcast.created_by == f"staff:{COORDINATOR}"
    await bot.ctx.get(BroadcastService).sweep()
    await bot.drain()
    assert bot.api.texts(FIRST_USER + 1) == bot.api.texts(FIRST_USER + 2) == [DA]
    assert bot.api.texts(FIRST_USER + 3) == [EN]
    assert bot.api.texts(FIRST_USER + 4) == bot.api.texts(FIRST_USER + 5) == []
    assert any("📣 Broadcast #1 “CV-webinar” – sending" in t
               for t in bot.api.texts(STAFF_CHAT)), "the progress message, as for the CLI"
    await bot.application.process_update(
        bot.updates.staff_press(STAFF_CHAT, COORDINATOR, test_send, message_id=1))
    assert bot.api.sent(method="answerCallbackQuery")[-1].params["text"] == (
        "This broadcast draft is closed (sent, cancelled or expired). Start a new one with "
        "/broadcast.")


async def test_test_send_says_so_when_the_coordinator_never_started_the_bot(
        bot: Harness) -> None:
    await add_citizen(bot, 1)
    await compose_texts(bot)
    await tap(bot, "Preview")
    bot.api.fail(Fault("sendMessage", chat_id=COORDINATOR, status=403,
                       description="Forbidden: bot can't initiate conversation with a user"))
    answer = await tap(bot, "Test send")
    assert answer is not None and answer.startswith("I cannot write to you privately yet")
    assert "@jobcentre_local_bot" in answer
    assert await bot.ctx.get(CitizenStore).by_user(COORDINATOR) is None


async def test_segment_filters_are_picked_and_typed(bot: Harness) -> None:
    await add_citizen(bot, 1, "da", label="kolding-nov")
    await add_citizen(bot, 2, "en", label="kolding-nov")
    await add_citizen(bot, 3, "en", label="vejle")
    await add_citizen(bot, 4, "en")
    await compose_texts(bot)

    await tap(bot, "English")
    assert "Language: English" in last_text(bot) and "✅ English" in bot.buttons(STAFF_CHAT)
    await tap(bot, "Invite label")
    assert bot.buttons(STAFF_CHAT)[:2] == ["kolding-nov (2)", "vejle (1)"]
    await tap(bot, "kolding-nov")
    assert "Invite label: kolding-nov" in last_text(bot)
    await tap(bot, "Joined between")
    [refused] = await say(bot, "last week")
    assert refused.startswith("Write two days as YYYY-MM-DD")
    await say(bot, "2026-11-24 -")
    assert "Joined: on or after 2026-11-24" in last_text(bot)
    await tap(bot, "Citizen numbers")
    [refused] = await say(bot, "two, three")
    assert refused.startswith("Write citizen numbers")
    await say(bot, "2, 3 4")
    assert "Citizen numbers: 2, 3, 4" in last_text(bot)
    await tap(bot, "Preview")
    assert "Recipients: 1\n  English: 1" in last_text(bot)

    await tap(bot, "Edit")
    await tap(bot, "Who gets it")
    await tap(bot, "Invite label")
    await tap(bot, "Any label")
    await tap(bot, "Preview")
    assert "Recipients: 3\n  English: 3" in last_text(bot)


async def test_a_webinars_rsvp_buttons_and_its_answers_as_a_filter(bot: Harness) -> None:
    planner = WebinarPlanner(WebinarStore(bot.ctx.db), bot.clock, bot.ctx.settings.timezone)
    await planner.create(NewWebinar("CV-værksted", "CV workshop", "https://meet.example/cv",
                                    None, 45, None), datetime(2026, 11, 25, 14, 0), None, None)
    await add_citizen(bot, 1, "en")
    await say(bot, "/broadcast")
    await say(bot, "Invitation")
    await say(bot, DA)
    await say(bot, EN)
    await tap(bot, "No attachment")
    toggle = "Yes / Maybe / No for «CV workshop», Wednesday 25 November at 14:00"
    assert toggle in bot.buttons(STAFF_CHAT)
    await tap(bot, toggle)
    assert f"✅ {toggle}" in bot.buttons(STAFF_CHAT)
    await tap(bot, "Next")
    await tap(bot, "More filters")
    await tap(bot, "not answered «CV workshop»")
    await tap(bot, "Back")
    assert "Also: not answered «CV workshop» (from 25 November 2026)" in last_text(bot)
    before = len(bot.api.sent(STAFF_CHAT))
    await tap(bot, "Preview")
    en_shown = bot.api.sent(STAFF_CHAT)[before + 1]
    labels = [b["text"] for row in en_shown.params["reply_markup"]["inline_keyboard"]
              for b in row]
    assert labels == ["Yes", "Maybe", "No", "No more webinar news"]
    assert "Recipients: 1" in last_text(bot)


async def test_a_webinar_hands_over_with_its_rsvp_buttons_switched_on(bot: Harness) -> None:
    planner = WebinarPlanner(WebinarStore(bot.ctx.db), bot.clock, bot.ctx.settings.timezone)
    webinar = await planner.create(NewWebinar("CV-værksted", "CV workshop", "https://meet.ex/cv",
                                              None, 45, None), datetime(2026, 11, 25, 14, 0),
                                   None, None)
    await compose_texts(bot)
    await tap(bot, "Back")  # to the buttons, none on
    outcome = await bot.ctx.get(ComposeService).begin(COORDINATOR, TOPIC, (f"rsvp:{webinar}",))
    assert outcome.screen is not None
    on = [label for row in outcome.screen.buttons for label, _data in row
          if label.startswith("✅")]
    assert on == ["✅ Yes / Maybe / No for «CV workshop», Wednesday 25 November at 14:00"]


async def test_a_missing_language_blocks_sending_until_they_get_the_danish_text(
        bot: Harness) -> None:
    await add_citizen(bot, 1, "da")
    await add_citizen(bot, 2, "en")
    await compose_texts(bot, en=None)
    await tap(bot, "Preview")
    assert "No text in English for 1" in last_text(bot)
    blocked = ("Not sent: no text in English for citizens in the segment. Add it with Edit, or "
               "send them the Dansk text.")
    assert await tap(bot, "Send now") == blocked
    assert await tap(bot, "Schedule") == blocked
    assert await bot.ctx.get(BroadcastService).get(1) is None

    await tap(bot, "Send them the Dansk text")
    assert "No text in English for 1: they get the Dansk text." in last_text(bot)
    assert "Recipients: 2\n  Dansk: 2" in last_text(bot)
    await tap(bot, "Send now")
    await bot.ctx.get(BroadcastService).sweep()
    await bot.drain()
    assert bot.api.texts(FIRST_USER + 2) == [DA]


PHOTO = {"photo": [{"file_id": "AgAD-small", "file_unique_id": "u-s", "width": 90,
                    "height": 90, "file_size": 1200},
                   {"file_id": "AgAD-large", "file_unique_id": "u-l", "width": 800,
                    "height": 800, "file_size": 64000}]}


async def send_photo(bot: Harness) -> list[str]:
    before = len(bot.api.texts(STAFF_CHAT))
    await bot.application.process_update(bot.updates.staff_message(
        STAFF_CHAT, COORDINATOR, "", thread=TOPIC, extra=PHOTO))
    return bot.api.texts(STAFF_CHAT)[before:]


async def test_a_photo_is_attached_when_every_text_fits_its_caption(bot: Harness) -> None:
    await add_citizen(bot, 1, "en")
    await say(bot, "/broadcast")
    await say(bot, "With a picture")
    await tap(bot, "Skip Dansk")
    assert await tap(bot, "Skip English") == "A broadcast needs a text in at least one language."
    await say(bot, "x" * 1500)
    [asked] = await say(bot, "here is the picture")  # a line, not a photo
    assert asked.startswith("Send a photo or a file as your next message here")
    [refused] = await send_photo(bot)
    assert "at most 1024 characters, and the English text has 1500" in refused

    await tap(bot, "Back")
    await say(bot, EN)
    await send_photo(bot)
    assert "step 4 of 6" in last_text(bot)
    await tap(bot, "Next")
    await tap(bot, "Preview")
    [shown] = bot.api.sent(STAFF_CHAT, method="sendPhoto")
    assert shown.params["photo"] == "AgAD-large" and shown.params["caption"] == EN
    assert shown.params["message_thread_id"] == TOPIC
    await tap(bot, "Test send")
    [private] = bot.api.sent(COORDINATOR, method="sendPhoto")
    assert private.params["caption"] == EN
    await tap(bot, "Edit")
    await tap(bot, "Text in English")
    [too_long] = await say(bot, "y" * 1100)
    assert too_long.startswith("With an image or document the text is its caption")

    await tap(bot, "Back")  # to the list of what to change
    await tap(bot, "Back")  # to the preview
    await tap(bot, "Send now")
    await bot.ctx.get(BroadcastService).sweep()
    await bot.drain()
    [delivered] = bot.api.sent(FIRST_USER + 1, method="sendPhoto")
    assert delivered.params["photo"] == "AgAD-large" and delivered.params["caption"] == EN


async def test_schedule_refuses_the_past_and_stores_a_future_time(bot: Harness) -> None:
    await add_citizen(bot, 1)
    await compose_texts(bot)
    await tap(bot, "Preview")
    await tap(bot, "Schedule")
    assert "YYYY-MM-DD HH:MM, e.g. 2026-11-25 10:00" in last_text(bot)
    [past] = await say(bot, "2026-11-24 09:00")  # 08:00 UTC, before the clock's 09:00
    assert past == "That time has passed; choose one in the future."
    [bad] = await say(bot, "tomorrow")
    assert bad.startswith("Write the local time as YYYY-MM-DD HH:MM")
    [stored] = await say(bot, "2026-11-26 09:30")
    assert stored.startswith("🕒 Broadcast #1 “CV-webinar” is scheduled for Thursday 26 "
                             "November at 09:30")
    service = bot.ctx.get(BroadcastService)
    broadcast = await service.get(1)
    assert broadcast is not None and broadcast.status == BroadcastStatus.SCHEDULED
    assert broadcast.draft.send_at == datetime(2026, 11, 26, 8, 30, tzinfo=broadcast.draft
                                               .send_at.tzinfo)
    await service.sweep()
    await bot.drain()
    assert bot.api.texts(FIRST_USER + 1) == []
    bot.clock.advance(days=2)
    await service.sweep()
    await bot.drain()
    assert bot.api.texts(FIRST_USER + 1) == [DA]


async def test_consultants_and_colleagues_are_answered_and_change_nothing(bot: Harness) -> None:
    [refused] = await say(bot, "/broadcast", user=CONSULTANT)
    assert refused == "Only coordinators and admins can do that."
    assert await say(bot, "/broadcast", user=FIRST_USER + 99) == [], "not staff: ignored"

    await say(bot, "/broadcast")
    await say(bot, "Mine")
    assert await tap(bot, "Skip Dansk", user=CONSULTANT) == ("Only coordinators and admins "
                                                             "can do that.")
    assert await tap(bot, "Skip Dansk", user=OTHER_COORDINATOR) == (
        "This is a colleague's broadcast draft. Start your own with /broadcast.")
    assert await say(bot, "a line of my own", user=OTHER_COORDINATOR) == []
    assert "step 2 of 6" in last_text(bot), "still the Danish text, untouched"

    stale = bot.button_data("Skip Dansk", STAFF_CHAT)
    await say(bot, DA)
    await bot.application.process_update(
        bot.updates.staff_press(STAFF_CHAT, COORDINATOR, stale, message_id=1))
    assert bot.api.sent(method="answerCallbackQuery")[-1].params["text"] == (
        "That button is from an earlier step; use the newest message.")

    [cancelled] = await say(bot, "/cancel")
    assert cancelled == "Broadcast draft cancelled; nothing was sent."
    assert await say(bot, "no draft any more") == []
    await bot.application.process_update(
        bot.updates.staff_press(STAFF_CHAT, COORDINATOR, stale, message_id=1))
    assert str(bot.api.sent(method="answerCallbackQuery")[-1].params["text"]).startswith(
        "This broadcast draft is closed")


async def test_drafts_are_per_topic_and_not_in_a_citizens_topic(bot: Harness) -> None:
    [general] = await say(bot, "/broadcast", thread=None)
    assert "step 1 of 6" in general
    assert "message_thread_id" not in bot.api.sent(STAFF_CHAT)[-1].params
    [own] = await say(bot, "/broadcast")
    assert "step 1 of 6" in own and "open here already" not in own
    await say(bot, "Topic draft")
    [again] = await say(bot, "/broadcast")
    assert again.startswith("You have a broadcast draft open here already")
    assert "«Topic draft», step 2 of 6" in again

    await bot.say("/human", user=FIRST_USER + 7, language_code="en")
    await bot.drain()
    [topic] = [c.params["message_thread_id"] for c in bot.api.sent(STAFF_CHAT)
               if "message_thread_id" in c.params and c.params["message_thread_id"] != TOPIC]
    [refused] = await say(bot, "/broadcast", user=ADMIN, thread=int(topic))
    assert refused.startswith("Start a broadcast in your own topic or in the general topic")


async def test_a_restart_mid_compose_continues_at_the_same_step(
        staff_settings: Settings, clock: FakeClock) -> None:
    first = await staffed(staff_settings, clock)
    await add_citizen(first, 1, "en")
    await say(first, "/broadcast")
    await say(first, "After the crash")
    await say(first, DA)
    skip = first.button_data("Skip English", STAFF_CHAT)
    await crash_harness(first)

    second = await staffed(staff_settings, clock)
    second.api.calls.extend(first.api.calls)  # the staff chat as it looks
    try:
        [again] = await say(second, "/broadcast")
        assert again.startswith("You have a broadcast draft open here already")
        assert "the text in English" in again
        await say(second, EN)
        assert "step 3 of 6" in last_text(second)
        await second.application.process_update(
            second.updates.staff_press(STAFF_CHAT, COORDINATOR, skip, message_id=1))
        assert "earlier step" in str(
            second.api.sent(method="answerCallbackQuery")[-1].params["text"])
        await tap(second, "No attachment")
        await tap(second, "Next")
        await tap(second, "Preview")
        assert "Recipients: 1\n  English: 1" in last_text(second)
    finally:
        await stop_harness(second)


async def test_untouched_drafts_are_dropped_after_a_week(bot: Harness) -> None:
    await say(bot, "/broadcast")
    drafts = bot.ctx.get(ComposeService)
    bot.clock.advance(days=6)
    await say(bot, "Still here")
    bot.clock.advance(days=6)
    assert await drafts.sweep() == 0
    bot.clock.advance(days=1, seconds=1)
    assert await drafts.sweep() == 1
    assert await say(bot, "a line too late") == []


async def test_a_paid_broadcast_shows_its_cost_in_the_preview(
        staff_settings: Settings, clock: FakeClock) -> None:
    paid = await staffed(replace(staff_settings, broadcast_paid=True), clock)
    try:
        for n in range(1, 13):
            await add_citizen(paid, n, "da")
        await compose_texts(paid)
        await tap(paid, "Preview")
        assert ("Paid broadcast (BROADCAST_PAID): 12 messages at 0.1 Star each, about 2 Stars"
                in last_text(paid))
    finally:
        await stop_harness(paid)


async def test_a_document_is_attached_and_shown_as_the_citizen_gets_it(bot: Harness) -> None:
    await add_citizen(bot, 1, "da")
    await say(bot, "/broadcast")
    await say(bot, "Programme")
    await say(bot, DA)
    await tap(bot, "Skip English")
    document = {"document": {"file_id": "BQAD-programme", "file_unique_id": "u-d",
                             "file_name": "programme.pdf", "mime_type": "application/pdf",
                             "file_size": 12000}}
    await bot.application.process_update(bot.updates.staff_message(
        STAFF_CHAT, COORDINATOR, "", thread=TOPIC, extra=document))
    await tap(bot, "Next")
    await tap(bot, "Preview")
    [shown] = bot.api.sent(STAFF_CHAT, method="sendDocument")
    assert (shown.params["document"], shown.params["caption"]) == ("BQAD-programme", DA)
    await tap(bot, "Edit")
    await tap(bot, "Attachment")
    assert "Now: the file programme.pdf" in last_text(bot)
    await tap(bot, "No attachment")
    assert "Recipients: 1" in last_text(bot)
