"""The consultant workspace, as consultants and citizens use it."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import timedelta

import pytest

from bot.config import Settings
from bot.features.audit import AuditLog
from bot.features.cases import CaseService
from bot.features.cases.alerts import CaseAlerts
from bot.features.dialogs import FrontDoor
from bot.features.staff import Role, StaffService
from bot.features.workspace.service import WorkspaceService
from bot.transport.local_api import Fault, LocalBotApi
from tests.conftest import CITIZEN, Harness, start_harness, stop_harness
from tests.fakes import FakeClock

STAFF_CHAT = -100999
ADMIN, METTE, OLE, STRANGER = 11, 21, 22, 99
URGENT_TEXT = "jeg vil ikke leve mere"


@pytest.fixture
def staff_settings(settings: Settings) -> Settings:
    return replace(settings, staff_chat_id=STAFF_CHAT, admin_ids=frozenset({ADMIN}))


@pytest.fixture
async def bot(staff_settings: Settings, clock: FakeClock) -> AsyncIterator[Harness]:
    harness = await start_harness(staff_settings, clock)
    await harness.ctx.get(StaffService).add(METTE, Role.CONSULTANT, ADMIN)
    await harness.ctx.get(StaffService).add(OLE, Role.CONSULTANT, ADMIN)
    yield harness
    await stop_harness(harness)


async def press(bot: Harness, user: int, data: str, name: str = "Mette") -> None:
    await bot.application.process_update(
        bot.updates.staff_press(STAFF_CHAT, user, data, message_id=1, first_name=name))


async def write_in_topic(bot: Harness, user: int, text: str, thread: int) -> None:
    await bot.application.process_update(
        bot.updates.staff_message(STAFF_CHAT, user, text, thread=thread))


def calls(bot: Harness, method: str, chat: int) -> list[dict[str, object]]:
    return [c.params for c in bot.api.sent(chat, method=method)]


def copied(bot: Harness, chat: int) -> list[tuple[object, int, object]]:
    """(from chat, message id, thread) for every message copied into `chat`, bundled or not."""
    single = [(c["from_chat_id"], int(c["message_id"]), c.get("message_thread_id"))  # type: ignore[call-overload]
              for c in calls(bot, "copyMessage", chat)]
    bundled = [(c["from_chat_id"], int(i), c.get("message_thread_id"))
               for c in calls(bot, "copyMessages", chat) for i in c["message_ids"]]  # type: ignore[attr-defined]
    return single + bundled


async def onboard_with_checkins(bot: Harness) -> None:
    await bot.say("/start", language_code="en")
    await bot.tap("Yes, let me choose")
    await bot.tap("Short check-ins")
    await bot.tap("Save my choices")
    await bot.say("Anna")
    await bot.tap("Skip")
    await bot.tap("No preference")
    await bot.tap("English")


async def test_urgent_claim_relay_silence_return_and_the_delayed_check_in(bot: Harness) -> None:
    await onboard_with_checkins(bot)
    await bot.say("I want to kill myself", language_code="en")
    await bot.drain()
    [topic] = calls(bot, "createForumTopic", STAFF_CHAT)
    [case] = await bot.ctx.get(CaseService).list_open()
    assert topic["name"] == f"Anna · sag #{case.id}"
    thread = (await bot.ctx.get(WorkspaceService).store.topic(case.citizen_id or 0)).thread_id  # type: ignore[union-attr]
    header = calls(bot, "sendMessage", STAFF_CHAT)[-1]
    assert header["message_thread_id"] == thread
    assert "AKUT" in str(header["text"]) and "Sprog: English" in str(header["text"])
    assert "Samtykker: Korte tjek-ind om, hvordan det går" in str(header["text"])

    await press(bot, METTE, f"case|claim|{case.id}")
    await bot.drain()  # the citizen is told through the outbox
    assert bot.api.texts(CITIZEN)[-1] == (
        "Mette from the job centre has seen your message and will get back to you here.")

    sent_before = len(bot.api.texts(CITIZEN))
    await bot.say("thank you, I am at home", language_code="en")
    await bot.application.process_update(bot.updates.photo(CITIZEN, language_code="en"))
    await bot.drain()
    assert len(bot.api.texts(CITIZEN)) == sent_before, "the bot stays silent while held"
    copies_in = copied(bot, STAFF_CHAT)
    assert [source for source, _id, _thread in copies_in][-2:] == [CITIZEN, CITIZEN]
    assert {t for _source, _id, t in copies_in} == {thread}

    await write_in_topic(bot, METTE, "Hi Anna, I will call you in ten minutes.", thread or 0)
    await write_in_topic(bot, METTE, "// sounded calmer, agreed on a call", thread or 0)
    await write_in_topic(bot, OLE, "Hello from Ole", thread or 0)
    await write_in_topic(bot, STRANGER, "I am not staff", thread or 0)
    await bot.drain()
    [copy_out] = calls(bot, "copyMessage", CITIZEN)
    assert copy_out["from_chat_id"] == STAFF_CHAT
    notes = await bot.ctx.get(WorkspaceService).store.notes(case.id)
    assert notes == ["sounded calmer, agreed on a call"]
    assert "Kun den rådgiver, der har sagen" in bot.api.texts(STAFF_CHAT)[-1], "Ole is told"

    bot.clock.advance(days=2)  # the first check-in falls due while Mette holds the chat
    await bot.ctx.scheduler.fire_due()
    await bot.drain()
    assert not any(t.startswith("Hi! This is your check-in") for t in bot.api.texts(CITIZEN))

    await press(bot, METTE, f"case|return|{case.id}")
    await bot.drain()
    assert bot.api.texts(CITIZEN)[-1].startswith("You are back with the job centre's automated")
    await bot.ctx.scheduler.fire_due()
    await bot.drain()
    assert bot.api.texts(CITIZEN)[-1].startswith("Hi! This is your check-in"), "it waited"


async def test_close_thanks_asks_a_rating_and_closes_the_topic(bot: Harness) -> None:
    await bot.say("/human", language_code="en")
    await bot.drain()
    [case] = await bot.ctx.get(CaseService).list_open()
    await press(bot, METTE, f"case|claim|{case.id}")
    await press(bot, METTE, f"case|close|{case.id}")
    await bot.drain()
    assert bot.api.texts(CITIZEN)[-1].startswith("Thank you for talking with us. Did it help?")
    assert calls(bot, "closeForumTopic", STAFF_CHAT)
    await bot.tap("4")
    await bot.say("Mette was kind")
    assert await bot.ctx.get(WorkspaceService).store.feedback(case.id) == (4, "Mette was kind")
    await bot.say("/human", language_code="en")
    await bot.drain()
    assert calls(bot, "reopenForumTopic", STAFF_CHAT), "a new case reopens the same topic"
    assert len(calls(bot, "createForumTopic", STAFF_CHAT)) == 1


async def test_only_staff_with_the_right_role_can_act(bot: Harness) -> None:
    await bot.say("/human", language_code="en")
    await bot.drain()
    [case] = await bot.ctx.get(CaseService).list_open()
    await press(bot, STRANGER, f"case|claim|{case.id}", name="Eve")
    assert bot.api.sent(method="answerCallbackQuery")[-1].params["text"] == (
        "Det kan kun rådgivere og administratorer.")
    await bot.ctx.get(StaffService).add(55, Role.COORDINATOR, ADMIN)
    await press(bot, 55, f"case|claim|{case.id}", name="Coord")
    assert (await bot.ctx.get(CaseService).get(case.id)).claimed_by is None  # type: ignore[union-attr]
    before = len(bot.api.texts(STAFF_CHAT))
    for command in ("/cases", f"/case {case.id}", "/canned list"):
        await bot.application.process_update(bot.updates.staff_message(STAFF_CHAT, 55, command))
    assert len(bot.api.texts(STAFF_CHAT)) == before, "a coordinator sees no one's case"
    await bot.application.process_update(bot.updates.press(CITIZEN, f"case|claim|{case.id}"))
    assert (await bot.ctx.get(CaseService).get(case.id)).claimed_by is None  # type: ignore[union-attr]


async def test_take_over_is_explicit_and_audited(bot: Harness) -> None:
    await bot.say("/human", language_code="en")
    await bot.drain()
    [case] = await bot.ctx.get(CaseService).list_open()
    await press(bot, METTE, f"case|claim|{case.id}")
    await press(bot, OLE, f"case|claim|{case.id}", name="Ole")
    assert (await bot.ctx.get(CaseService).get(case.id)).claimed_by == METTE  # type: ignore[union-attr]
    await press(bot, OLE, f"case|takeover|{case.id}", name="Ole")
    assert (await bot.ctx.get(CaseService).get(case.id)).claimed_by == OLE  # type: ignore[union-attr]
    await bot.drain()
    assert bot.api.texts(CITIZEN)[-1].startswith("Ole from the job centre has seen")
    actions = [e.action for e in await bot.ctx.get(AuditLog).for_citizen(case.citizen_id or 0)]
    assert actions[-2:] == ["case_claimed", "case_taken_over"]


async def test_staff_commands_for_admins_only(bot: Harness) -> None:
    async def say_staff(user: int, text: str) -> str:
        await bot.application.process_update(bot.updates.staff_message(STAFF_CHAT, user, text))
        return bot.api.texts(STAFF_CHAT)[-1] if bot.api.texts(STAFF_CHAT) else ""

    assert await say_staff(ADMIN, "/staff add 77 coordinator") == "Klaret."
    assert "77 – coordinator" in await say_staff(ADMIN, "/staff list")
    before = len(bot.api.texts(STAFF_CHAT))
    await say_staff(METTE, "/staff add 78 admin")
    assert len(bot.api.texts(STAFF_CHAT)) == before, "a consultant's /staff is ignored"
    assert await bot.ctx.get(StaffService).role_of(78) is None
    await say_staff(ADMIN, "/staff remove 77")
    assert await bot.ctx.get(StaffService).role_of(77) is None


async def test_canned_replies_go_out_in_the_citizens_language(bot: Harness) -> None:
    await bot.application.process_update(bot.updates.staff_message(
        STAFF_CHAT, METTE, "/canned add cv Send dit CV her | Send your CV here"))
    await bot.say("/human", language_code="en")
    await bot.drain()
    [case] = await bot.ctx.get(CaseService).list_open()
    await press(bot, METTE, f"case|claim|{case.id}")
    thread = (await bot.ctx.get(WorkspaceService).store.topic(case.citizen_id or 0)).thread_id  # type: ignore[union-attr]
    await write_in_topic(bot, METTE, "/c cv", thread or 0)
    await bot.drain()
    assert bot.api.texts(CITIZEN)[-1] == "Send your CV here"


async def test_a_requested_call_gets_a_called_button_and_its_outcome(bot: Harness) -> None:
    citizen = await bot.ctx.get(FrontDoor).newcomer(CITIZEN, CITIZEN, "en")
    from bot.features.cases import CaseLevel
    from bot.features.cases.model import CaseSource

    opening = await bot.ctx.get(CaseAlerts).raise_case(citizen.id, CaseLevel.REQUEST,
                                              CaseSource.CALL_REQUEST, text="📞",
                                              call_window="en formiddag (9–12)")
    await bot.drain()
    assert "📞 Ringet op" in bot.buttons(STAFF_CHAT)
    await press(bot, METTE, f"case|called|{opening.case.id}")
    assert bot.buttons(STAFF_CHAT) == ["Fik fat i borgeren", "Fik ikke fat", "Ny tid aftalt"]
    await press(bot, METTE, f"call|not_reached|{opening.case.id}")
    assert await bot.ctx.get(WorkspaceService).store.calls(opening.case.id) == ["not_reached"]


async def test_staff_reads_are_audited_and_shown_in_mydata(bot: Harness) -> None:
    await bot.say("/human", language_code="en")
    await bot.drain()
    [case] = await bot.ctx.get(CaseService).list_open()
    await bot.application.process_update(
        bot.updates.staff_message(STAFF_CHAT, METTE, f"/case {case.id}"))
    assert f"#{case.id}" in bot.api.texts(STAFF_CHAT)[-1]
    [entry] = [e for e in await bot.ctx.get(AuditLog).for_citizen(case.citizen_id or 0)
               if e.action == "case_viewed"]
    assert entry.actor == f"staff:{METTE}"
    [mydata] = await bot.say("/mydata", language_code="en")
    assert "Job centre staff who looked at your data here:" in mydata
    assert "a consultant opened your case" in mydata


async def test_delete_during_an_open_case_explains_tells_the_consultant_and_stops(
        bot: Harness) -> None:
    await bot.say("/human", language_code="en")
    await bot.drain()
    [case] = await bot.ctx.get(CaseService).list_open()
    await press(bot, METTE, f"case|claim|{case.id}")
    await press(bot, METTE, f"case|return|{case.id}")
    [question] = await bot.say("/delete", language_code="en")
    assert "You have an open case with the job centre" in question
    await bot.tap("Yes, delete everything")
    await bot.drain()
    assert bot.api.texts(STAFF_CHAT)[-1].startswith("🗑 Borgeren har slettet sine oplysninger")
    kept = await bot.ctx.get(CaseService).get(case.id)
    assert kept is not None and kept.citizen_id is None, "the case record stays, unlinked"
    erased = [e.action for e in await bot.ctx.get(AuditLog).for_citizen(case.citizen_id or 0)]
    assert erased[-1] == "erased"


async def test_delete_tells_the_truth_about_an_unclaimed_case(bot: Harness) -> None:
    await bot.say("/human", language_code="en")
    await bot.drain()
    [question] = await bot.say("/delete", language_code="en")
    assert "You have an open case with the job centre" in question
    assert "in contact with a consultant" not in question, "nobody has taken the case"


async def test_start_logs_in_one_line_what_it_found_in_the_staff_chat(
        staff_settings: Settings, clock: FakeClock, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="bot.features.workspace.topics"):
        bot = await start_harness(staff_settings, clock, LocalBotApi())
        await stop_harness(bot)
    assert (f"staff chat {STAFF_CHAT}: type supergroup, topics on, bot administrator, can post "
            "yes, can manage topics yes – one topic per citizen") in caplog.text
    caplog.clear()
    unreadable = LocalBotApi()
    unreadable.fail(Fault("getChat", STAFF_CHAT, 400, "Bad Request: chat not found"))
    with caplog.at_level(logging.INFO, logger="bot.features.workspace.topics"):
        bot = await start_harness(staff_settings, clock, unreadable)
        await stop_harness(bot)
    [record] = caplog.records
    assert record.levelno == logging.ERROR
    assert "cannot be read (BadRequest: Chat not found); alerts may not arrive" in record.message


async def test_plain_group_fallback_threads_replies_under_one_header(
        staff_settings: Settings, clock: FakeClock, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        bot = await start_harness(staff_settings, clock, LocalBotApi(forum=False))
    try:
        assert "falling back to reply threads" in caplog.text
        await bot.ctx.get(StaffService).add(METTE, Role.CONSULTANT, ADMIN)
        await bot.say("/human", language_code="en")
        await bot.drain()
        assert calls(bot, "createForumTopic", STAFF_CHAT) == []
        header = bot.api.sent(STAFF_CHAT)[-1]
        [case] = await bot.ctx.get(CaseService).list_open()
        await press(bot, METTE, f"case|claim|{case.id}")
        await bot.say("are you there?", language_code="en")
        await bot.drain()
        [copy] = calls(bot, "copyMessage", STAFF_CHAT)
        topic = await bot.ctx.get(WorkspaceService).store.topic(case.citizen_id or 0)
        anchor = topic.anchor_message_id  # type: ignore[union-attr]
        assert anchor is not None
        assert copy["reply_parameters"] == {"message_id": anchor}  # type: ignore[comparison-overlap]
        assert header.params.get("message_thread_id") is None
    finally:
        await stop_harness(bot)


async def test_a_bundle_with_a_message_deleted_meanwhile_leaves_no_row_in_doubt(
        bot: Harness, caplog: pytest.LogCaptureFixture) -> None:
    """copyMessages skips a message the citizen deleted before it went out, and returns
    fewer ids without saying which: every row of the bundle is done, none waits in 'sending'
    (which a restart would count as in doubt), and no id is given to the wrong row."""
    await bot.say("/human", language_code="en")
    await bot.drain()
    [case] = await bot.ctx.get(CaseService).list_open()
    await press(bot, METTE, f"case|claim|{case.id}")
    await bot.drain()
    bot.api.clear()
    sent: list[int] = []
    for n in range(3):  # queued together, so they go as one bundle
        update = bot.updates.message(CITIZEN, f"message {n}", language_code="en")
        assert update.message is not None
        sent.append(update.message.message_id)
        await bot.application.process_update(update)
    bot.api.delete_message(CITIZEN, sent[1])
    with caplog.at_level(logging.WARNING):
        await bot.drain()
    [bundle] = calls(bot, "copyMessages", STAFF_CHAT)
    assert bundle["message_ids"] == sent
    assert "copyMessages copied 2 of 3 messages" in caplog.text
    rows = await bot.ctx.db.fetch_all(
        "SELECT status, message_id FROM outbox WHERE kind = 'relay_in' ORDER BY id")
    assert [(r["status"], r["message_id"]) for r in rows] == [("sent", None)] * 3


async def test_a_busy_minute_loses_nothing_keeps_the_group_budget_and_lets_urgent_first(
        bot: Harness) -> None:
    citizens = [CITIZEN + n for n in range(5)]
    for user in citizens:
        await bot.say("/human", user=user, language_code="en")
    await bot.drain()
    for case in await bot.ctx.get(CaseService).list_open():
        await press(bot, METTE, f"case|claim|{case.id}")
    start_calls = len(bot.api.calls)
    staff_calls: list[float] = []
    sent_ids: dict[int, list[int]] = {user: [] for user in citizens}
    urgent_sent_at = None
    start = bot.clock.now()

    async def step() -> None:
        before = len(bot.api.calls)
        await bot.drain(follow_time=False)
        now = (bot.clock.now() - start).total_seconds()
        for call in bot.api.calls[before:]:
            if call.chat_id == STAFF_CHAT and call.ok and call.method in MESSAGE_METHODS:
                staff_calls.append(now)

    for n in range(100):
        user = citizens[n % 5]
        update = bot.updates.message(user, f"message {n}", language_code="en")
        assert update.message is not None
        sent_ids[user].append(update.message.message_id)
        await bot.application.process_update(update)
        if n == 50:
            await bot.say(URGENT_TEXT, user=CITIZEN + 9)
            urgent_sent_at = len(bot.api.calls)
        await step()
        bot.clock.advance(milliseconds=600)  # 100 messages in one minute
    while (await bot.ctx.outbox.store.ready(bot.clock.now() + _hour())):
        bot.clock.advance(seconds=1)
        await step()

    copies = copied(bot, STAFF_CHAT)
    for user in citizens:
        assert sorted(i for source, i, _t in copies if source == user) == sent_ids[user], \
            "every message arrives, once"
    for index, moment in enumerate(staff_calls):
        in_window = [t for t in staff_calls[: index + 1] if t > moment - 60]
        assert len(in_window) <= 20, "20 a minute into one group"
    assert urgent_sent_at is not None
    first_after_urgent = next(c for c in bot.api.calls[urgent_sent_at:]
                              if c.chat_id == STAFF_CHAT and c.ok and c.method in MESSAGE_METHODS)
    assert first_after_urgent.method == "sendMessage"
    assert "AKUT" in first_after_urgent.params["text"], "the urgent alert jumps the queue"
    assert len(bot.api.calls) > start_calls


MESSAGE_METHODS = ("sendMessage", "copyMessage", "copyMessages")


def _hour() -> timedelta:
    return timedelta(hours=1)
