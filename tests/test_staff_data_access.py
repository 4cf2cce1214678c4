"""Staff look-ups and exports of a citizen's data: role-checked, answered in the topic, audited,
and visible to the citizen in their own /mydata."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import replace

import pytest

from bot.config import Settings
from bot.features.audit import AuditLog
from bot.features.cases import CaseService
from bot.features.citizens import CitizenStore
from bot.features.staff import Role, StaffService
from bot.features.workspace.service import WorkspaceService
from tests.conftest import CITIZEN, Harness, start_harness, stop_harness
from tests.fakes import FakeClock

STAFF_CHAT = -100777
ADMIN, METTE = 11, 21


@pytest.fixture
async def bot(settings: Settings, clock: FakeClock) -> AsyncIterator[Harness]:
    harness = await start_harness(
        replace(settings, staff_chat_id=STAFF_CHAT, admin_ids=frozenset({ADMIN})), clock)
    await harness.ctx.get(StaffService).add(METTE, Role.CONSULTANT, ADMIN)
    yield harness
    await stop_harness(harness)


async def open_case(bot: Harness) -> tuple[int, int]:
    """A citizen called Anna asks for a person; returns (case number, topic thread)."""
    await bot.say("/start", language_code="en")
    await bot.tap("Yes, let me choose")
    await bot.tap("Short check-ins")
    await bot.tap("Save my choices")
    await bot.say("Anna")
    await bot.say("/human", language_code="en")
    await bot.drain()
    [case] = await bot.ctx.get(CaseService).list_open()
    topic = await bot.ctx.get(WorkspaceService).store.topic(case.citizen_id or 0)
    assert topic is not None and topic.thread_id is not None
    return case.id, topic.thread_id


async def staff_says(bot: Harness, user: int, text: str, thread: int) -> None:
    await bot.application.process_update(
        bot.updates.staff_message(STAFF_CHAT, user, text, thread=thread))


async def test_a_consultant_sees_what_the_citizen_sees_and_the_citizen_sees_the_look_up(
        bot: Harness) -> None:
    case_id, thread = await open_case(bot)
    await staff_says(bot, METTE, f"/mydata {case_id}", thread)
    [answer] = [c for c in bot.api.sent(STAFF_CHAT, method="sendMessage")
                if "/mydata" in c.params["text"]]
    assert answer.params["message_thread_id"] == thread, "answered in the topic it was asked in"
    assert answer.params["text"].startswith(f"Sag #{case_id}")
    assert "Navn: Anna" in answer.params["text"]
    [entry] = [e for e in await bot.ctx.get(AuditLog).for_citizen(await citizen_no(bot))
               if e.action == "data_looked_up"]
    assert entry.actor == f"staff:{METTE}"
    [mydata] = await bot.say("/mydata", language_code="en")
    assert "a consultant looked at what we store about you" in mydata


async def test_only_an_admin_exports_and_the_file_holds_every_row_about_the_citizen(
        bot: Harness) -> None:
    case_id, thread = await open_case(bot)
    await staff_says(bot, METTE, f"/export {case_id}", thread)
    assert bot.api.sent(STAFF_CHAT, method="sendDocument") == [], "consultants cannot export"
    await staff_says(bot, ADMIN, f"/export {case_id}", thread)
    [upload] = bot.api.sent(STAFF_CHAT, method="sendDocument")
    assert upload.params["message_thread_id"] == thread
    [content] = upload.files.values()
    exported = json.loads(content)
    number = await citizen_no(bot)
    tables = exported["tables"]
    assert tables["citizens"][0]["first_name"] == "Anna"
    assert [c["id"] for c in tables["cases"]] == [case_id]
    assert {e["purpose"] for e in tables["consent_events"]} >= {"checkins"}
    for table in await bot.ctx.db.table_names():  # nothing that points at them is left out
        columns = await bot.ctx.db.column_names(table)
        if "citizen_id" in columns and await bot.ctx.db.fetch_all(
                f"SELECT 1 FROM {table} WHERE citizen_id = ?", (number,)):
            assert table in tables, f"{table} is missing from the export"
    assert exported["audit_log"][-1]["action"] == "data_exported"
    assert exported["audit_log"][-1]["actor"] == f"staff:{ADMIN}"
    [mydata] = await bot.say("/mydata", language_code="en")
    assert "the job centre made a copy of everything we store about you" in mydata


async def test_a_wrong_case_number_gets_the_usage_line(bot: Harness) -> None:
    _case, thread = await open_case(bot)
    await staff_says(bot, METTE, "/mydata 999", thread)
    assert bot.api.texts(STAFF_CHAT)[-1].startswith("Brug: /mydata")


async def test_staff_locale_sets_the_language_of_the_staff_chat(
        settings: Settings, clock: FakeClock) -> None:
    bot = await start_harness(replace(settings, staff_chat_id=STAFF_CHAT, staff_locale="en"),
                              clock)
    try:
        await bot.say("/human", language_code="da")
        await bot.drain()
        [header] = bot.api.sent(STAFF_CHAT)
        buttons = [b["text"] for row in header.params["reply_markup"]["inline_keyboard"]
                   for b in row]
        assert buttons == ["✋ Claim", "↩ Return to bot", "✅ Close"]
        assert "Language: Dansk · joined" in header.params["text"]
    finally:
        await stop_harness(bot)


async def citizen_no(bot: Harness) -> int:
    citizen = await bot.ctx.get(CitizenStore).by_user(CITIZEN)
    assert citizen is not None
    return citizen.id
