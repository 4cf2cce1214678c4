"""The inbox (bot/inbox): kept updates are handled once, marked done with their body cleared,
replayed after a stop that left them unhandled, and given up after too many starts."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from telegram import Bot, Update
from telegram.ext import ApplicationBuilder, MessageHandler, filters
from telegram.request import BaseRequest

from bot.db import Database
from bot.dispatch import ChatOrderedProcessor
from bot.inbox import Claim, Inbox, InboxStore
from bot.inbox.intake import KEEP_HANDLED, MAX_STARTS
from bot.inbox.raw import KeepingRequest, bodies_of
from bot.transport.local_api import LocalBotApi
from bot.transport.local_updates import UpdateFactory
from tests.fakes import FakeClock

CHAT = 77


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await Database.open(tmp_path / "t.db")
    await database.migrate()
    yield database
    await database.close()


@pytest.fixture
def bot() -> Bot:
    """A bot to build and read back updates with (nothing is sent)."""
    return ApplicationBuilder().token("1:inbox-test").request(LocalBotApi()).build().bot


async def rows(db: Database) -> list[tuple[int, bool, bool, int]]:
    """(update id, body kept, done, starts) of every row."""
    await db.flush()
    found = await db.fetch_all(
        "SELECT update_id, body, done_at, starts FROM inbox ORDER BY update_id")
    return [(int(r["update_id"]), r["body"] is not None, r["done_at"] is not None,
             int(r["starts"])) for r in found]


async def test_a_kept_update_is_handled_once_even_when_telegram_delivers_it_again(
        db: Database) -> None:
    inbox = Inbox(InboxStore(db), FakeClock())
    processor = ChatOrderedProcessor(workers=4)
    processor.inbox = inbox
    api = LocalBotApi()
    application = (ApplicationBuilder().token("1:inbox-test").request(api)
                   .get_updates_request(api).concurrent_updates(processor).build())
    handled: list[str] = []

    async def handle(update: Update, _context: object) -> None:
        assert update.effective_message is not None
        handled.append(str(update.effective_message.text))

    application.add_handler(MessageHandler(filters.TEXT, handle))
    updates = UpdateFactory(application.bot)
    first, second = updates.message(CHAT, "one"), updates.message(CHAT, "two")
    async with application:
        await application.start()
        await inbox.keep([first, second])
        await inbox.keep([first])  # delivered again: a 200 that was lost, say
        for update in (first, second, first):
            await application.update_queue.put(update)
        await application.update_queue.join()
        await application.stop()
    assert handled == ["one", "two"]
    assert await rows(db) == [(first.update_id, False, True, 0),
                              (second.update_id, False, True, 0)]


async def test_what_a_stop_left_unhandled_is_replayed_in_order_and_a_repeat_is_skipped(
        db: Database, bot: Bot) -> None:
    clock = FakeClock()
    updates = UpdateFactory(bot)
    done, left, later = (updates.message(CHAT, t) for t in ("done", "left", "later"))
    before = Inbox(InboxStore(db), clock)
    await before.keep([done, left, later])
    for update in (done, left, later):
        assert before.claim(update) is Claim.HANDLE
    before.done(done.update_id)  # then the process was killed

    after = Inbox(InboxStore(db), clock)  # the next start
    queue: asyncio.Queue[object] = asyncio.Queue()
    assert await after.replay(queue, bot) == 2
    replayed = [queue.get_nowait(), queue.get_nowait()]
    assert [u.update_id for u in replayed if isinstance(u, Update)] == [left.update_id,
                                                                        later.update_id]
    assert replayed[0] == left and replayed[0].effective_message is not None
    assert replayed[0].effective_message.text == "left"
    await after.keep([left])  # Telegram had not been told: it delivers it again
    assert [after.claim(u) for u in (*replayed, left)] == [Claim.HANDLE, Claim.HANDLE,
                                                           Claim.SKIP]
    assert after.claim(updates.message(CHAT, "typed in the console")) is Claim.PASS
    assert await rows(db) == [(done.update_id, False, True, 0), (left.update_id, True, False, 1),
                              (later.update_id, True, False, 1)]


async def test_an_update_whose_handling_never_ends_is_given_up_after_max_starts(
        db: Database, bot: Bot) -> None:
    poison = UpdateFactory(bot).message(CHAT, "kills the process every time")
    await Inbox(InboxStore(db), FakeClock()).keep([poison])
    replayed = []
    for _start in range(MAX_STARTS + 1):
        queue: asyncio.Queue[object] = asyncio.Queue()
        replayed.append(await Inbox(InboxStore(db), FakeClock()).replay(queue, bot))
    assert replayed == [1] * MAX_STARTS + [0]
    assert await rows(db) == [(poison.update_id, False, True, MAX_STARTS + 1)]


async def test_handled_ids_are_kept_two_days_and_unhandled_ones_until_handled(
        db: Database, bot: Bot) -> None:
    clock = FakeClock()
    inbox = Inbox(InboxStore(db), clock)
    updates = UpdateFactory(bot)
    old, pending = updates.message(CHAT, "old"), updates.message(CHAT, "pending")
    await inbox.keep([old, pending])
    inbox.claim(old)
    inbox.done(old.update_id)
    clock.advance(seconds=(KEEP_HANDLED - timedelta(minutes=1)).total_seconds())
    await inbox.purge_old()
    assert [r[0] for r in await rows(db)] == sorted([old.update_id, pending.update_id])
    clock.advance(minutes=2)
    await inbox.purge_old()
    assert [r[0] for r in await rows(db)] == [pending.update_id]


async def test_a_body_that_cannot_be_read_back_is_given_up_and_the_start_goes_on(
        db: Database, bot: Bot) -> None:
    await db.execute("INSERT INTO inbox (update_id, body, received_at) VALUES (?, ?, ?)",
                     (41, "{not json", "2026-11-24T09:00:00+00:00"))
    readable = UpdateFactory(bot).message(CHAT, "fine")
    inbox = Inbox(InboxStore(db), FakeClock())
    await inbox.keep([readable])
    queue: asyncio.Queue[object] = asyncio.Queue()
    assert await Inbox(InboxStore(db), FakeClock()).replay(queue, bot) == 1
    assert queue.get_nowait() == readable
    assert [(r[0], r[2]) for r in await rows(db)] == sorted([(41, True),
                                                             (readable.update_id, False)])


class _Telegram(BaseRequest):
    """Answers getUpdates with one fixed payload, as Telegram's bytes."""

    def __init__(self, payload: bytes) -> None:
        self.payload = payload

    @property
    def read_timeout(self) -> float | None:
        return None

    async def initialize(self) -> None:
        """Nothing to open."""

    async def shutdown(self) -> None:
        """Nothing to close."""

    async def do_request(self, url: str, method: str, request_data: object = None,
                         read_timeout: object = None, write_timeout: object = None,
                         connect_timeout: object = None,
                         pool_timeout: object = None) -> tuple[int, bytes]:
        return 200, self.payload


async def test_polling_keeps_the_json_telegram_sent_and_a_replay_reads_it_back(
        db: Database, bot: Bot) -> None:
    update = {"update_id": 501, "message": {
        "message_id": 7, "date": 1764000000, "text": "Hej 👋 \u200f مرحبا",
        "chat": {"id": CHAT, "type": "private", "first_name": "A"},
        "from": {"id": CHAT, "is_bot": False, "first_name": "A", "language_code": "da"}}}
    request = KeepingRequest(_Telegram(json.dumps({"ok": True, "result": [update]}).encode()))
    assert await request.do_request("https://x/bot1:t/sendMessage", "POST") == (
        200, request._inner.payload)  # type: ignore[attr-defined]
    assert request.take() == {}, "only getUpdates answers are noted"
    await request.do_request("https://x/bot1:t/getUpdates", "POST")
    bodies = request.take()
    assert json.loads(bodies[501]) == update and request.take() == {}
    assert bodies_of(b"<html>bad gateway</html>") == {} == bodies_of(b'{"ok": false}')

    parsed = Update.de_json(update, bot)
    await Inbox(InboxStore(db), FakeClock()).keep([parsed], bodies)
    stored = await db.fetch_one("SELECT body FROM inbox WHERE update_id = 501")
    assert stored is not None and stored["body"] == bodies[501]
    queue: asyncio.Queue[object] = asyncio.Queue()
    await Inbox(InboxStore(db), FakeClock()).replay(queue, bot)
    again = queue.get_nowait()
    assert again == parsed and isinstance(again, Update) and again.effective_message is not None
    assert again.effective_message.text == "Hej 👋 \u200f مرحبا"


_UPDATES = st.lists(st.fixed_dictionaries(
    {"update_id": st.integers(0, 2**40),
     "message": st.fixed_dictionaries({"text": st.text(max_size=30),
                                       "n": st.integers() | st.floats(allow_nan=False)})}),
    max_size=5, unique_by=lambda u: u["update_id"])


@given(_UPDATES, st.sampled_from([{}, {"indent": 2}, {"ensure_ascii": False},
                                  {"separators": (",", ":")}]))
def test_each_update_is_cut_out_of_the_answer_as_telegram_sent_it(
        updates: list[dict[str, Any]], style: dict[str, Any]) -> None:
    """However the answer is spaced or escaped, each body decodes to its update."""
    payload = json.dumps({"ok": True, "result": updates}, **style).encode()
    bodies = bodies_of(payload)
    assert {k: json.loads(v) for k, v in bodies.items()} == {u["update_id"]: u for u in updates}
    assert all(v in payload.decode() for v in bodies.values()), "cut out, not encoded anew"


def test_an_answer_of_another_shape_is_read_as_a_whole() -> None:
    update = {"update_id": 9, "message": {"text": "x"}}
    for payload in ({"result": [update], "ok": True}, {"ok": True, "result": [update, 5]},
                    {"ok": True, "result": [{"no_id": 1}, update]}):
        assert {k: json.loads(v) for k, v in bodies_of(json.dumps(payload).encode()).items()} \
            == {9: update}
    assert bodies_of(b'{"ok": true, "result": []}') == {}
    assert bodies_of(b'{"ok": true, "result": [{"update_id": 1}') == {}, "cut short"
    assert bodies_of("ø".encode("latin-1")) == {}
