"""The last gaps of the staff-chat dialogs (issue 10): /broadcast's Important toggle and what the
preview then counts, why a broadcast cannot be sent in the staff member's language, the buttons
of a step answered by typing, and an attachment's bytes stored with the broadcast or not at all."""

from __future__ import annotations

from typing import Any

import pytest

from bot.features.broadcasts import Attachment, BroadcastService, Draft, DraftError, Segment
from bot.features.broadcasts.storage import BroadcastStore
from bot.outbox import Priority
from bot.outbox.model import MediaKind, Message
from tests.conftest import Harness
from tests.test_broadcast_compose import (
    COORDINATOR,
    FIRST_USER,
    STAFF_CHAT,
    add_citizen,
    bot,
    compose_texts,
    last_text,
    say,
    staff_settings,
    tap,
)
from tests.test_broadcast_media import png

__all__ = ["bot", "staff_settings"]  # the fixtures, shared with the /broadcast tests
SENDS = ("sendMessage", "sendPhoto", "sendDocument")


async def cap(bot: Harness, citizen_id: int) -> None:
    """Two check-ins this week: the weekly cap on unsolicited messages is reached."""
    for slot in range(2):
        await bot.ctx.outbox.enqueue(FIRST_USER + citizen_id, Message("hej"),
                                     priority=Priority.CHECKIN, kind="checkin",
                                     citizen_id=citizen_id, key=f"cap:{citizen_id}:{slot}")


def last_sent_id(bot: Harness) -> int:
    """The message id the fake Bot API gave the newest message in the staff chat (it counts
    them per chat from 1)."""
    return sum(1 for c in bot.api.calls if c.chat_id == STAFF_CHAT and c.method in SENDS)


def buttons_dropped(bot: Harness) -> list[int]:
    return [int(c.params["message_id"]) for c in bot.api.calls
            if c.method == "editMessageReplyMarkup" and c.chat_id == STAFF_CHAT
            and not c.params.get("reply_markup")]


async def test_important_passes_the_weekly_cap_in_the_preview_and_is_stored(
        bot: Harness) -> None:
    await add_citizen(bot, 1)
    capped = await add_citizen(bot, 2)
    await cap(bot, capped)
    await compose_texts(bot)
    assert "Important: no – citizens who reached the weekly limit" in last_text(bot)
    await tap(bot, "Preview")
    facts = last_text(bot)
    assert "Recipients: 1" in facts and "weekly limit on messages reached: 1" in facts
    assert "Not marked important: citizens who reached the weekly limit" in facts

    await tap(bot, "Edit")
    await tap(bot, "Who gets it")
    await tap(bot, "Important")
    segment = last_text(bot)
    assert "Important: yes – it may pass the weekly limit on messages, never quiet hours" in (
        segment)
    assert bot.button_data("✅ ❗ Important", STAFF_CHAT)
    await tap(bot, "Preview")
    facts = last_text(bot)
    assert "Recipients: 2" in facts and "weekly limit on messages reached: 0" in facts
    assert "Marked important: it may pass the weekly limit on messages" in facts
    await tap(bot, "Send now")
    broadcast = await bot.ctx.get(BroadcastService).get(1)
    assert broadcast is not None and broadcast.draft.important

    await bot.ctx.get(BroadcastService).sweep()
    await bot.drain()
    assert bot.api.texts(FIRST_USER + capped)[-1].startswith("Webinar om CV")


async def test_why_it_cannot_be_sent_is_in_the_staff_members_language(bot: Harness) -> None:
    service = bot.ctx.get(BroadcastService)
    da, en = bot.ctx.texts.get("da"), bot.ctx.texts.get("en")
    unknown_webinar = Draft("Invitation", {"da": "Kom!"}, Segment(), bot.clock.now(),
                            ("rsvp:99",))
    with pytest.raises(DraftError) as raised:
        await service.check(unknown_webinar)
    english = "button rsvp:99: rsvp:99: no webinar with a session still to come"
    assert str(raised.value) == english, "the CLI prints English"
    assert raised.value.text(en) == english
    assert raised.value.text(da) == ("knappen rsvp:99: rsvp:99: intet webinar med en session, "
                                     "der endnu ikke har fundet sted")
    with pytest.raises(DraftError) as raised:
        await service.check(Draft("", {"da": "Kom!"}, Segment(), bot.clock.now()))
    assert raised.value.text(da) == "en udsendelse skal have et navn"
    broken = Attachment(MediaKind.PHOTO, filename="cut.png", content=png()[:30])
    with pytest.raises(DraftError) as raised:
        await service.check(Draft("Foto", {"da": "Kom!"}, Segment(), bot.clock.now(),
                                  attachment=broken))
    assert str(raised.value) == ("cut.png is not a whole JPEG, PNG or WebP image (it is cut "
                                 "short or damaged)")
    assert raised.value.text(da).startswith("cut.png er ikke et helt JPEG-, PNG- eller WebP-")


async def test_a_typed_answer_takes_the_buttons_off_the_step_it_answers(bot: Harness) -> None:
    await say(bot, "/broadcast")
    name_prompt = last_sent_id(bot)
    cancel_of_the_name_step = bot.button_data("Cancel", STAFF_CHAT)
    await say(bot, "Typed, not tapped")
    assert buttons_dropped(bot) == [name_prompt]
    assert "step 2 of 6" in last_text(bot) and bot.button_data("Skip Dansk", STAFF_CHAT)

    text_prompt = last_sent_id(bot)
    [refused] = await say(bot, "x" * 5000)  # refused: the step is not answered
    assert refused.startswith("That text has 5000 characters")
    assert buttons_dropped(bot) == [name_prompt], "the step's buttons stay while it waits"
    await say(bot, "Hej alle")
    assert buttons_dropped(bot) == [name_prompt, text_prompt, text_prompt + 1], (
        "the prompt and the refusal under it")

    await bot.application.process_update(bot.updates.staff_press(
        STAFF_CHAT, COORDINATOR, cancel_of_the_name_step, message_id=name_prompt))
    assert bot.api.sent(method="answerCallbackQuery")[-1].params["text"] == (
        "That button is from an earlier step; use the newest message."), "a stale press is told"
    assert "the text in English" in last_text(bot), "and changes nothing"

    english_prompt = last_sent_id(bot)
    [cancelled] = await say(bot, "/cancel")
    assert cancelled == "Broadcast draft cancelled; nothing was sent."
    assert buttons_dropped(bot)[-1] == english_prompt


async def test_a_typed_answer_takes_the_buttons_off_a_webinar_step(bot: Harness) -> None:
    for line in ("/webinar", "CV", "CV", "2026-11-27 14:00"):
        await say(bot, line)
    minutes_prompt = last_sent_id(bot)
    assert "Step 4 of 8" in last_text(bot) and bot.button_data("45 min", STAFF_CHAT)
    await say(bot, "50")  # typed instead of a button
    assert buttons_dropped(bot)[-1] == minutes_prompt
    assert "Step 5 of 8" in last_text(bot)


async def test_an_attachment_is_stored_with_its_broadcast_or_not_at_all(
        bot: Harness, monkeypatch: pytest.MonkeyPatch) -> None:

    async def crash(*_args: Any, **_kwargs: Any) -> int:
        raise RuntimeError("the process died here")

    monkeypatch.setattr(BroadcastStore, "add", crash)
    image = Attachment(MediaKind.PHOTO, filename="photo.png", content=png(640, 480))
    draft = Draft("Foto", {"da": "Se her"}, Segment(), bot.clock.now(), attachment=image)
    with pytest.raises(RuntimeError):
        await bot.ctx.get(BroadcastService).create(draft, "cli")
    assert await bot.ctx.db.fetch_all("SELECT id FROM outbox_files") == [], "no orphan bytes"

    monkeypatch.undo()
    broadcast_id = await bot.ctx.get(BroadcastService).create(draft, "cli")
    [stored] = await bot.ctx.db.fetch_all("SELECT id FROM outbox_files")
    broadcast = await bot.ctx.get(BroadcastService).get(broadcast_id)
    assert broadcast is not None and broadcast.draft.attachment is not None
    assert broadcast.draft.attachment.upload_id == stored["id"]
