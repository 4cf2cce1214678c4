"""Job clubs (issue 12) through the real `python -m bot` process and the HTTP Bot API emulator:
`python -m bot club create` writes a club while the bot runs; /clubs shows it with Tilmeld, the
seat comes with an .ics file (sendDocument, text/calendar); a full club offers Venteliste with
the position; when the member leaves, the one waiting gets the seat offer (Ja tak / Nej tak)
within 10 s, and so does the next when the new member /stops, or blocks the bot; /menu leads
to the clubs too."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.cache import ChangeNotes
from bot.clock import SystemClock
from bot.db import Database
from bot.features.citizens import CitizenStore, Purpose
from tests.conftest import TOKEN, bot_process, run_cli
from tests.http_bot_api import HttpBotApi
from tests.test_process_e2e import blocked, buttons, command, press

MEMBER, WAITING, NEXT, LAST = 7201, 7202, 7203, 7204
CONSULTANT = 62
ALWAYS_OPEN = {"QUIET_HOURS": "", "QUIET_WEEKENDS": "false"}  # the test runs at any hour
FAST = {"RISK_MODEL": "false", **ALWAYS_OPEN}  # nobody writes free text here
ZONE = ZoneInfo("Europe/Copenhagen")


async def _citizens(path: Path) -> None:
    """Four Danish citizens who said yes to job clubs in the welcome."""
    db = await Database.open(path)
    try:
        store = CitizenStore(db, ChangeNotes.of(db, SystemClock()))  # as the CLI would
        for user in (MEMBER, WAITING, NEXT, LAST):
            citizen = await store.create(user, user, "da", datetime(2026, 11, 2, tzinfo=UTC))
            await store.record_consents(citizen.id, {Purpose.JOB_CLUB: True}, "t",
                                        citizen.joined_at)
    finally:
        await db.close()


def test_clubs_join_waitlist_and_the_seat_offer_through_the_real_process(tmp_path: Path
                                                                          ) -> None:
    database = tmp_path / "bot.db"
    asyncio.run(_citizens(database))
    start = (datetime.now(ZONE) + timedelta(days=7)).strftime("%Y-%m-%d 14:00")
    with (HttpBotApi(token=TOKEN) as api, bot_process(api, tmp_path, **FAST) as bot):
        api.wait_for_call("getUpdates")
        created = run_cli(tmp_path, "club", "create", "--title-da", "Jobklub", "--title-en",
                          "Job club", "--consultant", str(CONSULTANT), "--start", start,
                          "--weeks", "6", "--minutes", "120", "--capacity", "1", "--link",
                          "https://meet.example/club", DATABASE_PATH=str(database),
                          LOG_LEVEL="WARNING", **FAST)
        assert created.returncode == 0, created.stderr
        club_id = created.stdout.strip()
        assert club_id == "1", created.stdout

        # /clubs: the club with its Join button ("Tilmeld")
        mark = api.mark()
        api.push_update(command(MEMBER, "/clubs", "da", message_id=1))
        listed = api.wait_for_call("sendMessage", lambda c: c.chat_id == MEMBER
                                   and "«Jobklub»" in c.params["text"], since=mark)
        assert "Ledige pladser: 1 af 1" in listed.params["text"], listed.params["text"]
        assert buttons(listed) == {"Tilmeld": f"club|join|{club_id}"}

        # Join: the welcome, and the calendar file of every meeting
        mark = api.mark()
        api.push_update(press(MEMBER, "da", f"club|join|{club_id}", api.result_of(listed),
                              query_id="88001"))
        welcome = api.wait_for_call("sendMessage", lambda c: c.chat_id == MEMBER, since=mark)
        assert welcome.params["text"].startswith("Velkommen i «Jobklub»!")
        document = api.wait_for_call("sendDocument", lambda c: c.chat_id == MEMBER, since=mark)
        sent = document.params["document"]
        assert sent["filename"].endswith(".ics"), sent
        assert sent["mime_type"] == "text/calendar", sent
        [content] = document.files.values()
        assert content.count(b"BEGIN:VEVENT") == 6

        # the club is full now: Waitlist ("Venteliste"), and the position
        mark = api.mark()
        api.push_update(command(WAITING, "/clubs", "da", message_id=2))
        full = api.wait_for_call("sendMessage", lambda c: c.chat_id == WAITING
                                 and "«Jobklub»" in c.params["text"], since=mark)
        assert "Ledige pladser: 0 af 1" in full.params["text"], full.params["text"]
        assert buttons(full) == {"Venteliste": f"club|join|{club_id}"}
        mark = api.mark()
        api.push_update(press(WAITING, "da", f"club|join|{club_id}", api.result_of(full),
                              query_id="88002"))
        waitlisted = api.wait_for_call("sendMessage", lambda c: c.chat_id == WAITING,
                                       since=mark)
        assert "ventelisten som nummer 1" in waitlisted.params["text"], waitlisted.params["text"]

        # the member leaves with the button /clubs shows them: the seat is offered at once
        mark = api.mark()
        api.push_update(command(MEMBER, "/clubs", "da", message_id=3))
        mine = api.wait_for_call("sendMessage", lambda c: c.chat_id == MEMBER
                                 and "«Jobklub»" in c.params["text"], since=mark)
        assert buttons(mine) == {"Forlad klubben": f"club|leave|{club_id}"}
        mark = api.mark()
        api.push_update(press(MEMBER, "da", f"club|leave|{club_id}", api.result_of(mine),
                              query_id="88003"))
        left = time.monotonic()
        offer = api.wait_for_call("sendMessage", lambda c: c.chat_id == WAITING, since=mark,
                                  timeout=10)
        assert time.monotonic() - left < 10
        assert offer.params["text"].startswith("Godt nyt"), offer.params["text"]
        labels = buttons(offer)
        assert list(labels) == ["Ja tak", "Nej tak"], labels
        assert labels["Ja tak"].startswith("club|offer|")

        # a third waits; the second takes the seat (with the calendar), then /stop frees it
        mark = api.mark()
        api.push_update(press(NEXT, "da", f"club|join|{club_id}", api.result_of(full),
                              query_id="88004"))
        api.wait_for_call("sendMessage", lambda c: c.chat_id == NEXT, since=mark)
        mark = api.mark()
        api.push_update(press(WAITING, "da", labels["Ja tak"], api.result_of(offer),
                              query_id="88005"))
        taken = api.wait_for_call("sendMessage", lambda c: c.chat_id == WAITING, since=mark)
        assert taken.params["text"].startswith("Pladsen er din"), taken.params["text"]
        api.wait_for_call("sendDocument", lambda c: c.chat_id == WAITING, since=mark)
        mark = api.mark()
        api.push_update(command(WAITING, "/stop", "da", message_id=4))
        stopped = time.monotonic()
        offer = api.wait_for_call("sendMessage", lambda c: c.chat_id == NEXT, since=mark,
                                  timeout=10)
        assert time.monotonic() - stopped < 10
        assert list(buttons(offer)) == ["Ja tak", "Nej tak"], offer.params

        # /menu has the job clubs too
        mark = api.mark()
        api.push_update(command(NEXT, "/menu", "da", message_id=5))
        menu = api.wait_for_call("sendMessage", lambda c: c.chat_id == NEXT, since=mark)
        assert buttons(menu)["Jobklubber"] == "onboarding|menu|clubs"
        mark = api.mark()
        api.push_update(press(NEXT, "da", "onboarding|menu|clubs", api.result_of(menu),
                              query_id="88006"))
        shown = api.wait_for_call("sendMessage", lambda c: c.chat_id == NEXT
                                  and "«Jobklub»" in c.params["text"], since=mark)
        assert "Der venter en plads til dig" in shown.params["text"], shown.params["text"]

        # the last one waits; the third takes the seat and blocks the bot: the seat moves on
        mark = api.mark()
        api.push_update(press(LAST, "da", f"club|join|{club_id}", api.result_of(full),
                              query_id="88007"))
        api.wait_for_call("sendMessage", lambda c: c.chat_id == LAST, since=mark)
        mark = api.mark()
        api.push_update(press(NEXT, "da", buttons(shown)["Ja tak"], api.result_of(shown),
                              query_id="88008"))
        api.wait_for_call("sendDocument", lambda c: c.chat_id == NEXT, since=mark)
        mark = api.mark()
        api.push_update(blocked(NEXT, api.result_of(api.wait_for_call("getMe"))))
        kicked = time.monotonic()
        offer = api.wait_for_call("sendMessage", lambda c: c.chat_id == LAST, since=mark,
                                  timeout=10)
        assert time.monotonic() - kicked < 10
        assert list(buttons(offer)) == ["Ja tak", "Nej tak"], offer.params
        code = bot.stop()
        stderr = bot.stderr
    assert code == 0, stderr
    assert "Traceback" not in stderr, stderr
