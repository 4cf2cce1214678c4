"""The staff chat's dialogs share one skeleton (bot/staff_dialogs): one table, so drafts in
progress under the three old tables continue after the upgrade (0019), and one path for a
line and /cancel, which reach whichever dialog is open in the topic."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from bot.config import Settings
from bot.features.staff import Role, StaffService
from tests.conftest import Harness, start_harness, stop_harness
from tests.fakes import FakeClock
from tests.pg import database_at
from tests.test_broadcast_compose import COORDINATOR, STAFF_CHAT, TOPIC, say

BEFORE = 18
"""The last migration before the staff dialogs' table."""
TOUCHED = "2026-11-24T08:00:00+00:00"


def _old_drafts(path: Path) -> None:
    """A database as it was before 0019, with a draft open in each of the old tables; the
    webinar's id is taken by the broadcast's, the club's is free."""
    conn = database_at(path, BEFORE)
    rows = (("broadcast_compose", 1, "text:en",
             {"name": "Before the upgrade", "texts": {"da": "Hej"}, "buttons": [],
              "segment": {}, "offers": []}),
            ("webinar_compose", 1, "title_en", {"title_da": "Dit CV"}),
            ("club_compose", 5, "title_en", {"title_da": "Jobklub"}))
    for table, dialog_id, step, draft in rows:
        conn.execute(f"INSERT INTO {table} (id, staff_user_id, thread_id, step, draft, "
                     "touched_at) VALUES (?, ?, ?, ?, ?, ?)",
                     (dialog_id, COORDINATOR, TOPIC, step, json.dumps(draft), TOUCHED))
    conn.close()


async def test_drafts_open_before_the_upgrade_continue_after_it(
        settings: Settings, clock: FakeClock) -> None:
    _old_drafts(settings.database_path)
    staffed = replace(settings, staff_chat_id=STAFF_CHAT, staff_locale="en")
    bot: Harness = await start_harness(staffed, clock)
    try:
        await bot.ctx.get(StaffService).add(COORDINATOR, Role.COORDINATOR, 1)
        rows = await bot.ctx.db.fetch_all(
            "SELECT id, kind, chat_id, step FROM staff_dialogs ORDER BY kind")
        moved = [(r["kind"], r["chat_id"], r["step"]) for r in rows]
        assert moved == [("broadcast", STAFF_CHAT, "text:en"), ("club", STAFF_CHAT, "title_en"),
                         ("webinar", STAFF_CHAT, "title_en")], "the staff chat's, at the start"
        ids = {r["kind"]: r["id"] for r in rows}
        assert (ids["broadcast"], ids["club"]) == (1, 5), "their buttons still work"
        assert ids["webinar"] not in (1, 5)
        names = set(await bot.ctx.db.table_names())
        assert not names & {"broadcast_compose", "webinar_compose", "club_compose"}

        [resumed] = await say(bot, "/broadcast")
        assert resumed.startswith("You have a broadcast draft open here already")
        assert "«Before the upgrade», step 2 of 6: the text in English" in resumed
        [resumed] = await say(bot, "/webinar")
        assert resumed.endswith("Step 2 of 8: what is its English title?")
    finally:
        await stop_harness(bot)


async def test_a_line_and_cancel_go_to_the_dialog_open_in_the_topic(
        settings: Settings, clock: FakeClock) -> None:
    staffed = replace(settings, staff_chat_id=STAFF_CHAT, staff_locale="en")
    bot: Harness = await start_harness(staffed, clock)
    try:
        await bot.ctx.get(StaffService).add(COORDINATOR, Role.COORDINATOR, 1)
        await say(bot, "/club")
        [english] = await say(bot, "Jobklub")
        assert english.startswith("Step 2 of 9")
        [other_topic] = await say(bot, "/webinar", thread=TOPIC + 1)
        assert other_topic.startswith("New webinar, step 1 of 8")
        [cancelled] = await say(bot, "/cancel")
        assert cancelled == "The new club is dropped; nothing was stored."
        assert await say(bot, "a note, not a title") == [], "no dialog here any more"
        [next_step] = await say(bot, "Dit CV", thread=TOPIC + 1)
        assert next_step.startswith("Step 2 of 8"), "the webinar's, in its own topic"
    finally:
        await stop_harness(bot)
