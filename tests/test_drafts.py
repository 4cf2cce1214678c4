"""Feedback on applications and CVs (issue 13), as citizens and consultants use it: the dialog,
each file type and its limits, photos, versions, the queue, Take, Send feedback, questions and
ratings, re-announcing once, retention, /mydata and /delete, and the risk flow."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.config import Settings
from bot.features.cases import CaseService
from bot.features.citizens import CitizenStore, Purpose
from bot.features.drafts import DraftService
from bot.features.drafts.model import Form, Status
from bot.features.drafts.workdays import (
    add_working_days,
    easter_sunday,
    is_working_day,
    working_days_between,
)
from bot.features.staff import Role, StaffService
from bot.local_time import parse_citizen_day
from tests import draft_files
from tests.conftest import CITIZEN, Harness, start_harness, stop_harness
from tests.fakes import FakeClock

STAFF_CHAT = -100999
ADMIN, METTE, OLE, COORDINATOR = 11, 21, 22, 31
OTHER = CITIZEN + 1
THIRD = CITIZEN + 2


@pytest.fixture
def staff_settings(settings: Settings) -> Settings:
    return replace(settings, staff_chat_id=STAFF_CHAT, admin_ids=frozenset({ADMIN}),
                   staff_locale="en")


@pytest.fixture
async def bot(staff_settings: Settings, clock: FakeClock) -> AsyncIterator[Harness]:
    harness = await start_harness(staff_settings, clock)
    staff = harness.ctx.get(StaffService)
    await staff.add(METTE, Role.CONSULTANT, ADMIN)
    await staff.add(OLE, Role.CONSULTANT, ADMIN)
    await staff.add(COORDINATOR, Role.COORDINATOR, ADMIN)
    await staff.seen(METTE, "Mette")
    yield harness
    await stop_harness(harness)


def service(bot: Harness) -> DraftService:
    return bot.ctx.get(DraftService)


async def begin(bot: Harness, user: int = CITIZEN, *, deadline: str | None = None,
                kind: str = "An application") -> list[str]:
    """/feedback up to the step that asks for the draft; returns what that step said."""
    await bot.say("/feedback", user=user, language_code="en")
    if "Yes, I would like feedback" in bot.buttons(user):
        await bot.tap("Yes, I would like feedback", user=user, language_code="en")
    await bot.tap(kind, user=user, language_code="en")
    await bot.say("https://job.example/123", user=user, language_code="en")
    if deadline is None:
        await bot.tap("Skip", user=user, language_code="en")
    else:
        await bot.say(deadline, user=user, language_code="en")
    return await bot.say("Does the letter show my experience?", user=user, language_code="en")


async def send_file(bot: Harness, content: bytes, name: str, *, user: int = CITIZEN,
                    file_id: str = "doc-1", size: int | None = None,
                    caption: str | None = None) -> list[str]:
    bot.api.serve_file(file_id, content)
    document = {"file_id": file_id, "file_unique_id": f"u-{file_id}", "file_name": name,
                "file_size": len(content) if size is None else size}
    extra: dict[str, Any] = {"document": document}
    if caption:
        extra["caption"] = caption
    before = len(bot.api.texts(user))
    await bot.application.process_update(bot.updates.message(user, "", language_code="en",
                                                             extra=extra))
    return bot.api.texts(user)[before:]


async def send_photo(bot: Harness, file_id: str, user: int = CITIZEN) -> list[str]:
    photo = [{"file_id": f"{file_id}-small", "file_unique_id": f"u-{file_id}-small",
              "width": 90, "height": 90, "file_size": 1000},
             {"file_id": file_id, "file_unique_id": f"u-{file_id}", "width": 1280,
              "height": 960, "file_size": 90_000}]
    before = len(bot.api.texts(user))
    await bot.application.process_update(bot.updates.message(
        user, "", language_code="en", extra={"photo": photo}))
    return bot.api.texts(user)[before:]


async def staff_press(bot: Harness, user: int, data: str) -> str:
    """A staff button; returns the answer shown to the presser."""
    await bot.application.process_update(
        bot.updates.staff_press(STAFF_CHAT, user, data, message_id=1))
    return str(bot.api.sent(method="answerCallbackQuery")[-1].params.get("text", ""))


async def write_in_topic(bot: Harness, user: int, text: str, thread: int) -> int:
    update = bot.updates.staff_message(STAFF_CHAT, user, text, thread=thread)
    assert update.message is not None
    await bot.application.process_update(update)
    return update.message.message_id


def copies_to(bot: Harness, chat: int) -> list[int]:
    return [int(c.params["message_id"]) for c in bot.api.sent(chat, method="copyMessage")]


# the citizen's dialog and the file types ------------------------------------------------------
@pytest.mark.parametrize(("content", "name", "kind", "words"), [
    (draft_files.pdf("Dear employer I am a motivated welder"), "letter.pdf", "pdf",
     "motivated welder"),
    (draft_files.docx("Dear employer,", "I am a motivated welder."), "letter.docx", "docx",
     "motivated welder"),
    (draft_files.odt("Dear employer,", "I am a motivated welder."), "letter.odt", "odt",
     "motivated welder"),
])
async def test_each_document_type_is_read_for_the_preview_and_confirmed(
        bot: Harness, content: bytes, name: str, kind: str, words: str) -> None:
    asked = await begin(bot)
    assert "Now send the draft itself" in asked[-1]
    assert "We usually answer within 3 working days" in asked[-1]
    answer = await send_file(bot, content, name)
    assert "your draft has arrived. Its reference is D-1" in answer[-1]
    assert "by Friday" not in answer[-1]  # a date, in the citizen's language
    [draft] = await service(bot).store.of_citizen(1)
    assert draft.form is Form.DOCUMENT and draft.files[0].type == kind
    assert words in (draft.body or "")
    assert draft.job_ad == "https://job.example/123"
    assert draft.wishes == "Does the letter show my experience?"
    await bot.drain()
    [announced] = [t for t in bot.api.texts(STAFF_CHAT) if "New draft for feedback" in t]
    assert "D-1 · application · en · version 1 · deadline none" in announced
    assert words not in announced  # the text goes to the topic on Take, not the group


async def test_consent_is_asked_inline_and_recorded(bot: Harness) -> None:
    first = await bot.say("/feedback", language_code="en")
    assert "A consultant at the job centre reads your application" in first[-1]
    await bot.tap("Yes, I would like feedback", language_code="en")
    record = (await bot.ctx.get(CitizenStore).consents(1))[Purpose.FEEDBACK]
    assert record.granted and record.text_version.startswith("draft-en-")
    assert "What would you like feedback on?" in bot.api.texts(CITIZEN)[-1]


async def test_the_menu_has_the_feedback_button(bot: Harness) -> None:
    await bot.say("/start", language_code="en")
    await bot.tap("No thanks", language_code="en")
    await bot.say("/menu", language_code="en")
    shown = await bot.tap("Feedback on an application or CV", language_code="en")
    assert "A consultant at the job centre reads your application" in shown[-1]


async def test_wrong_types_get_a_clear_message_and_another_try(bot: Harness) -> None:
    await begin(bot)
    refusals = {
        "none of those": await send_file(bot, b"just some words", "cv.pdf", file_id="a"),
        "macros": await send_file(bot, draft_files.docm("x"), "cv.docx", file_id="b"),
        "password": await send_file(bot, draft_files.encrypted_pdf(), "cv.pdf", file_id="c"),
        "unpacks to far more": await send_file(bot, draft_files.zip_bomb(), "cv.docx",
                                               file_id="d"),
    }
    for words, answer in refusals.items():
        assert words in answer[-1] and "Now send the draft itself" in answer[-1], words
    assert await service(bot).store.of_citizen(1) == []
    good = await send_file(bot, draft_files.pdf("A real letter"), "name-does-not-matter.txt",
                           file_id="e")
    assert "Its reference is D-1" in good[-1]


async def test_a_file_too_big_is_refused_before_it_is_fetched(bot: Harness) -> None:
    await begin(bot)
    answer = await send_file(bot, draft_files.pdf("x"), "cv.pdf", size=11_000_000)
    assert "larger than 10 MB" in answer[-1]
    assert bot.api.sent(method="getFile") == []
    assert await service(bot).store.of_citizen(1) == []


async def test_several_photos_are_one_draft(bot: Harness) -> None:
    await begin(bot, kind="My CV")
    first = await send_photo(bot, "page-1")
    assert "Pages received: 1" in first[-1]
    second = await send_photo(bot, "page-2")
    assert "Pages received: 2" in second[-1]
    scan = await send_file(bot, draft_files.jpeg(), "page3.jpg", file_id="page-3")
    assert "Pages received: 3" in scan[-1]
    done = await bot.tap("Done – send it", language_code="en")
    assert "Its reference is D-1" in done[-1]
    [draft] = await service(bot).store.of_citizen(1)
    assert draft.form is Form.PHOTOS and draft.kind.value == "cv"
    assert [f.file_id for f in draft.files] == ["page-1", "page-2", "page-3"]


async def test_pasted_text_is_a_draft_too_and_the_same_file_twice_is_spotted(
        bot: Harness) -> None:
    await begin(bot)
    await bot.say("Dear employer, I would like to apply.", language_code="en")
    [draft] = await service(bot).store.of_citizen(1)
    assert draft.form is Form.TEXT and draft.body == "Dear employer, I would like to apply."
    await bot.say("/feedback", language_code="en")
    await bot.tap("A new version of it", language_code="en")
    await send_file(bot, draft_files.pdf("v2"), "cv.pdf", file_id="same")
    await bot.say("/feedback", language_code="en")
    await bot.tap("A new version of it", language_code="en")
    again = await send_file(bot, draft_files.pdf("v2"), "cv.pdf", file_id="same")
    assert "the same file you sent as D-1" in again[-1]


async def test_a_near_deadline_is_told_honestly_before_and_after_sending(
        bot: Harness, clock: FakeClock) -> None:
    # Tuesday 24 November 2026; the deadline is tomorrow
    asked = await begin(bot, deadline="25.11.2026")
    assert "less than two working days away" in asked[-1]
    answer = await bot.say("My letter", language_code="en")
    assert "less than two working days away" in answer[-1]
    [draft] = await service(bot).store.of_citizen(1)
    assert str(draft.deadline) == "2026-11-25"


async def test_a_deadline_that_is_no_date_is_asked_again(bot: Harness) -> None:
    await bot.say("/feedback", language_code="en")
    await bot.tap("Yes, I would like feedback", language_code="en")
    await bot.tap("An application", language_code="en")
    await bot.tap("Skip", language_code="en")
    again = await bot.say("soon", language_code="en")
    assert "could not read that as a date" in again[-1]
    later = await bot.say("1.1.2027", language_code="en")
    assert "Is there something you would like us to look at" in later[-1]


def test_deadlines_as_citizens_write_them() -> None:
    today = datetime(2026, 11, 24).date()
    assert str(parse_citizen_day("18.12.2026", today)) == "2026-12-18"
    assert str(parse_citizen_day("18/12", today)) == "2026-12-18"
    assert str(parse_citizen_day("3.1", today)) == "2027-01-03"
    assert str(parse_citizen_day("2026-12-18", today)) == "2026-12-18"
    assert str(parse_citizen_day("18-12-26", today)) == "2026-12-18"
    assert parse_citizen_day("1.11.2026", today) is None  # in the past
    assert parse_citizen_day("31.2.2027", today) is None
    assert parse_citizen_day("next week", today) is None


def test_working_days_skip_the_weekend() -> None:
    from zoneinfo import ZoneInfo

    zone = ZoneInfo("Europe/Copenhagen")
    thursday = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
    assert add_working_days(thursday, 3, zone) == datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    friday_noon = datetime(2026, 11, 27, 11, 0, tzinfo=UTC)
    monday_noon = datetime(2026, 11, 30, 11, 0, tzinfo=UTC)
    assert working_days_between(friday_noon, monday_noon, zone) == pytest.approx(1.0)


# the consultants' side ----------------------------------------------------------------------
async def test_drafts_lists_by_deadline_then_age_with_kind_language_and_version(
        bot: Harness, clock: FakeClock) -> None:
    await begin(bot)  # no deadline, the oldest
    await bot.say("First letter", language_code="en")
    clock.advance(hours=1)
    await begin(bot, OTHER, deadline="18.12.2026")
    await bot.say("Second letter", user=OTHER, language_code="en")
    clock.advance(hours=1)
    await begin(bot, THIRD, deadline="4.12.2026", kind="My CV")
    await bot.say("Third letter", user=THIRD, language_code="en")
    await bot.application.process_update(bot.updates.staff_message(STAFF_CHAT, METTE, "/drafts"))
    listing = bot.api.texts(STAFF_CHAT)[-1]
    lines = listing.splitlines()[1:]
    assert [line.split(" · ")[0] for line in lines] == ["• D-3", "• D-2", "• D-1"]
    assert "D-3 · CV · en · version 1 · deadline 4 December 2026 · waiting 0 h" in lines[0]
    assert "waiting 2 h" in lines[2]
    takes = [b["text"] for row in bot.api.last_keyboard(STAFF_CHAT) for b in row]
    assert takes == ["Take D-3", "Take D-2", "Take D-1"]


async def test_take_shows_the_draft_in_the_topic_and_send_feedback_delivers_it(
        bot: Harness, clock: FakeClock) -> None:
    await begin(bot)
    await send_file(bot, draft_files.docx("I am a motivated welder."), "letter.docx")
    await bot.drain()
    assert "Only consultants and admins" in await staff_press(bot, COORDINATOR, "draft|take|1")
    assert (await service(bot).store.get(1)).status is Status.WAITING  # type: ignore[union-attr]
    taken = await staff_press(bot, METTE, "draft|take|1")
    assert taken == "Taken – the draft is in the citizen's topic."
    assert "Mette has taken this draft already." in await staff_press(bot, OLE, "draft|take|1")
    bot.api.clear()
    await bot.drain()
    assert len(bot.api.sent(STAFF_CHAT, method="createForumTopic")) == 1
    thread = 100  # the fake's first topic
    in_topic = [c.params for c in bot.api.sent(STAFF_CHAT) if c.params.get(
        "message_thread_id") == thread]
    texts = "\n".join(str(p["text"]) for p in in_topic)
    assert "D-1, version 1: application, taken by Mette" in texts
    assert "What they would like feedback on: Does the letter show my experience?" in texts
    assert "The job ad: https://job.example/123" in texts
    assert "I am a motivated welder." in texts
    assert "Virus check: not done – no virus scanner is set up (CLAMD_SOCKET)." in texts
    [original] = bot.api.sent(STAFF_CHAT, method="copyMessage")  # the citizen's own message
    draft = await service(bot).store.get(1)
    assert draft is not None
    assert (original.params["from_chat_id"], original.params["message_id"]) == (
        CITIZEN, draft.files[0].message_id)
    assert original.params["message_thread_id"] == thread
    assert bot.api.sent(STAFF_CHAT, method="sendDocument") == []  # nothing uploaded
    assert bot.api.sent(STAFF_CHAT, method="sendPhoto") == []  # a DOCX has no page picture
    send_button = bot.api.last_keyboard(STAFF_CHAT)[0][0]
    assert send_button == {"text": "Send feedback", "callback_data": "draft|send|1"}

    assert "Write the feedback in this topic first" in await staff_press(bot, METTE,
                                                                         "draft|send|1")
    clock.advance(hours=5)
    first = await write_in_topic(bot, METTE, "Good start – say more about welding.", thread)
    await write_in_topic(bot, METTE, "// internal: looks fine", thread)
    second = await write_in_topic(bot, METTE, "Shorten the second paragraph.", thread)
    await write_in_topic(bot, OLE, "Ole's aside", thread)
    assert "Only Mette, who took this draft" in await staff_press(bot, OLE, "draft|send|1")
    pressed_at = clock.now()
    sent = await staff_press(bot, METTE, "draft|send|1")
    assert sent == "✅ Feedback on D-1 sent to the citizen."
    await bot.drain()
    assert copies_to(bot, CITIZEN) == [first, second]
    assert "That was the feedback on D-1" in bot.api.texts(CITIZEN)[-1]
    draft = await service(bot).store.get(1)
    assert draft is not None and draft.status is Status.ANSWERED
    assert draft.answered_at == pressed_at.replace(microsecond=0)  # stored to the second
    assert "This draft has no feedback waiting" in await staff_press(bot, METTE, "draft|send|1")


async def test_rating_and_a_question_that_goes_to_the_same_consultant(bot: Harness) -> None:
    await answered_draft(bot)
    await bot.tap("4", language_code="en")
    assert (await service(bot).store.get(1)).rating == 4  # type: ignore[union-attr]
    await bot.tap("Ask a question", language_code="en")
    sent = await bot.say("What do you mean by shorter?", language_code="en")
    assert "Your question has gone to the consultant" in sent[-1]
    await bot.drain()
    question = bot.api.texts(STAFF_CHAT)[-1]
    assert "A question about the feedback on D-1, for Mette" in question
    assert "What do you mean by shorter?" in question
    answer = await write_in_topic(bot, METTE, "Three sentences at most.", 100)
    await staff_press(bot, METTE, "draft|send|1")
    await bot.drain()
    assert copies_to(bot, CITIZEN)[-1] == answer


async def answered_draft(bot: Harness, text: str = "My first letter",
                         user: int = CITIZEN) -> None:
    await begin(bot, user)
    await bot.say(text, user=user, language_code="en")
    await bot.drain()
    draft = (await service(bot).store.of_citizen(await citizen_id(bot, user)))[-1]
    await staff_press(bot, METTE, f"draft|take|{draft.id}")
    await bot.drain()
    await write_in_topic(bot, METTE, "Shorter, please.", 100)  # the fake's first topic
    await staff_press(bot, METTE, f"draft|send|{draft.id}")
    await bot.drain()


async def citizen_id(bot: Harness, user: int) -> int:
    citizen = await bot.ctx.get(CitizenStore).by_user(user)
    assert citizen is not None
    return citizen.id


async def test_a_new_version_links_to_the_first_and_shows_what_changed(bot: Harness) -> None:
    await answered_draft(bot, "Dear employer\nI weld.\nRegards")
    await bot.say("/feedback", language_code="en")
    asked = await bot.tap("A new version of it", language_code="en")
    assert "Now send the draft itself" in asked[-1]
    await bot.say("Dear employer\nI weld steel and aluminium.\nRegards", language_code="en")
    second = await service(bot).store.get(2)
    assert second is not None and second.version == 2 and second.ref == "D-1"
    assert second.job_ad == "https://job.example/123"  # kept from the first version
    bot.api.clear()
    await staff_press(bot, METTE, "draft|take|2")
    await bot.drain()
    texts = "\n".join(bot.api.texts(STAFF_CHAT))
    assert "D-1, version 2" in texts
    assert "What changed since version 1:\n\n-I weld.\n+I weld steel and aluminium." in texts
    assert "The feedback on version 1:" in texts
    assert bot.api.sent(STAFF_CHAT, method="copyMessage") or bot.api.sent(
        STAFF_CHAT, method="copyMessages")  # the earlier feedback, copied into the topic


async def test_a_draft_not_taken_in_time_is_announced_again_once(
        bot: Harness, clock: FakeClock) -> None:
    await begin(bot)
    await bot.say("My letter", language_code="en")
    await bot.drain()
    assert await service(bot).reannounce_overdue() == 0
    clock.advance(days=2)  # Thursday: promised by Friday
    assert await service(bot).reannounce_overdue() == 0
    clock.advance(days=1, hours=2)
    assert await service(bot).reannounce_overdue() == 1
    clock.advance(days=1)
    assert await service(bot).reannounce_overdue() == 0
    await bot.drain()
    overdue = [t for t in bot.api.texts(STAFF_CHAT) if "Not taken within the promised time" in t]
    assert len(overdue) == 1 and "D-1" in overdue[0]


async def test_files_and_texts_are_deleted_after_the_retention(
        bot: Harness, clock: FakeClock) -> None:
    await answered_draft(bot)
    clock.advance(days=29)
    assert await service(bot).purge_expired() == 0
    clock.advance(days=2)
    assert await service(bot).purge_expired() == 1
    draft = await service(bot).store.get(1)
    assert draft is not None and draft.purged
    assert draft.body is None and draft.files == () and draft.job_ad is None
    assert await service(bot).store.sent_replies(1) == []
    assert draft.answered_at is not None  # the figures for the report stay
    mydata = await bot.say("/mydata", language_code="en")
    assert "Draft D-1, version 1 (application)" in mydata[-1]
    assert "the file and its text are deleted" in mydata[-1]


async def test_mydata_lists_the_drafts_and_delete_removes_them(bot: Harness) -> None:
    await begin(bot)
    await bot.say("My letter", language_code="en")
    mydata = await bot.say("/mydata", language_code="en")
    assert "Draft D-1, version 1 (application), sent" in mydata[-1]
    assert "waiting for a consultant" in mydata[-1]
    await bot.say("/delete", language_code="en")
    await bot.tap("Yes, delete everything", language_code="en")
    rows = await bot.ctx.db.fetch_all("SELECT id FROM drafts")
    assert rows == []


async def test_risk_words_in_the_message_count_but_not_inside_the_cv(bot: Harness) -> None:
    await begin(bot)
    await send_file(bot, draft_files.docx("Jeg vil ikke leve mere uden et job."), "cv.docx")
    assert await bot.ctx.get(CaseService).open_case(1) is None
    assert len(await service(bot).store.of_citizen(1)) == 1
    await begin(bot, OTHER)
    await send_file(bot, draft_files.docx("An ordinary CV"), "cv.docx", user=OTHER,
                    file_id="doc-2", caption="jeg vil ikke leve mere")
    assert await bot.ctx.get(CaseService).open_case(await citizen_id(bot, OTHER)) is not None


async def test_no_draft_text_or_file_name_in_the_logs(
        bot: Harness, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level("DEBUG")
    await begin(bot)
    await send_file(bot, draft_files.docx("Secret Letter Words"), "Jensen-application.docx")
    logged = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("bot"))
    assert "Secret Letter Words" not in logged and "Jensen" not in logged
    assert "draft 1: version 1 from citizen 1" in logged


def test_the_file_limit_is_at_most_what_telegram_lets_a_bot_download() -> None:
    from bot.config import ConfigError

    assert Settings.from_env({"DRAFT_MAX_MB": "20"}).draft_max_mb == 20
    with pytest.raises(ConfigError, match="DRAFT_MAX_MB: at most 20"):
        Settings.from_env({"DRAFT_MAX_MB": "25"})


def test_danish_holidays_and_the_public_sectors_days_off_are_not_working_days() -> None:
    zone = ZoneInfo("Europe/Copenhagen")
    assert [easter_sunday(y) for y in (2024, 2025, 2026, 2027)] == [
        date(2024, 3, 31), date(2025, 4, 20), date(2026, 4, 5), date(2027, 3, 28)]
    before_easter = datetime(2027, 3, 24, 9, 0, tzinfo=UTC)  # Wednesday; Thu-Mon are off
    # Thursday after, 10:00 local as sent (summer time began on Easter Sunday)
    assert add_working_days(before_easter, 3, zone) == datetime(2027, 4, 1, 8, 0, tzinfo=UTC)
    off = [date(2026, 5, 14), date(2026, 5, 25), date(2026, 6, 5), date(2026, 12, 24),
           date(2026, 12, 31), date(2027, 1, 1)]  # Ascension, Whit Monday, Grundlovsdag, ...
    assert not any(is_working_day(day) for day in off)
    assert is_working_day(date(2023, 5, 5)) is False  # Store bededag, still a holiday then
    assert is_working_day(date(2026, 5, 1)) and is_working_day(date(2024, 4, 26))  # abolished
    christmas_week = datetime(2026, 12, 22, 13, 0, tzinfo=UTC)  # Tuesday
    assert add_working_days(christmas_week, 3, zone) == datetime(2026, 12, 29, 13, 0,
                                                                 tzinfo=UTC)
