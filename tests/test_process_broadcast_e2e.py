"""A broadcast written by the CLI while the real `python -m bot` runs: picked up within 10 s,
sent in each citizen's language, with the progress message turning into the summary."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime
from pathlib import Path

from bot.cache import ChangeNotes
from bot.clock import SystemClock
from bot.db import Database
from bot.features.citizens import CitizenStore, Purpose
from tests.conftest import TOKEN, bot_process, run_cli
from tests.http_bot_api import HttpBotApi

STAFF_CHAT = -1001234567890
DANISH, ENGLISH = 7101, 7102
ALWAYS_OPEN = {"QUIET_HOURS": "", "QUIET_WEEKENDS": "false"}  # the test runs at any hour


async def _citizens(path: Path) -> None:
    db = await Database.open(path)
    try:
        store = CitizenStore(db, ChangeNotes.of(db, SystemClock()))  # as the CLI would
        for user, locale in ((DANISH, "da"), (ENGLISH, "en")):
            citizen = await store.create(user, user, locale, datetime(2026, 11, 2, tzinfo=UTC))
            await store.record_consents(citizen.id, {Purpose.WEBINARS: True}, "t",
                                        citizen.joined_at)
    finally:
        await db.close()


def test_the_running_bot_sends_a_broadcast_the_cli_stored(tmp_path: Path) -> None:
    database = tmp_path / "bot.db"
    asyncio.run(_citizens(database))
    (tmp_path / "da.txt").write_text("Webinar i morgen\n", encoding="utf-8")
    (tmp_path / "en.txt").write_text("Webinar tomorrow\n", encoding="utf-8")
    with (HttpBotApi(token=TOKEN) as api,
          bot_process(api, tmp_path, STAFF_CHAT_ID=str(STAFF_CHAT), STAFF_LOCALE="en",
                      **ALWAYS_OPEN)):
        api.wait_for_call("getUpdates")
        stored = run_cli(tmp_path, "broadcast", "send", "--name", "CV", "--text-da", "da.txt",
                         "--text-en", "en.txt", "--yes", DATABASE_PATH=str(database),
                         LOG_LEVEL="WARNING", RISK_MODEL="false", **ALWAYS_OPEN)
        assert stored.returncode == 0, stored.stderr
        written = time.monotonic()
        danish = api.wait_for_call("sendMessage", lambda c: c.chat_id == DANISH)
        assert time.monotonic() - written < 12, "picked up by the next 10-second sweep"
        english = api.wait_for_call("sendMessage", lambda c: c.chat_id == ENGLISH)
        assert (danish.params["text"], english.params["text"]) == ("Webinar i morgen",
                                                                   "Webinar tomorrow")
        [[unsubscribe]] = english.params["reply_markup"]["inline_keyboard"]
        assert unsubscribe == {"text": "No more webinar news",
                               "callback_data": "broadcast|unsubscribe"}
        progress = api.wait_for_call("sendMessage", lambda c: c.chat_id == STAFF_CHAT)
        assert "📣 Broadcast #1 “CV”" in progress.params["text"]
        summary = api.wait_for_call(
            "editMessageText", lambda c: c.chat_id == STAFF_CHAT
            and "Of 2: 2 sent" in c.params.get("text", ""), timeout=30)
        assert summary.params["message_id"] == api.result_of(progress)["message_id"]
    status = run_cli(tmp_path, "broadcast", "status", "1", DATABASE_PATH=str(database),
                     STAFF_LOCALE="en", LOG_LEVEL="WARNING", RISK_MODEL="false")
    assert status.stdout.startswith("📣 Broadcast #1 “CV” – done\nOf 2: 2 sent")
