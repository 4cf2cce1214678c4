"""The parts of several workers (bot/workers), in process, on PostgreSQL: two chat pumps on two
connections share the chats, each update handled once and each chat in order; a chat whose
worker died is taken over; a timer is fired by one worker only; what one worker or the CLI
changes about a citizen, the others forget."""

from __future__ import annotations

import asyncio
import json
import random
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
from telegram import Bot, Update

from bot.cache import ChangeNotes
from bot.cache.memory import MISSING, CitizenCache, Part
from bot.cache.storage import ChangeStore
from bot.db import Database
from bot.inbox import InboxStore
from bot.scheduler import Next, Scheduler, Timer
from bot.scheduler.storage import TimerStore
from bot.transport.webhook import listening_socket
from bot.workers.announce import AnnouncingCache
from bot.workers.listener import ChangeListener
from bot.workers.pump import ChatPump, lock_name
from bot.workers.storage import WorkerSession
from bot.workers.wake import SharedWake
from tests.fakes import FakeClock
from tests.pg import ON_POSTGRES, url_for

POSTGRES = pytest.mark.skipif(not ON_POSTGRES, reason="advisory locks and NOTIFY: PostgreSQL")
BOT = Bot("123:workers-test-token-xxxxxxxxxxxx")
CHATS = 8
UPDATES = 160
HEARD_WITHIN = 10.0  # seconds for a notification to come back from the server


def body(update_id: int, chat_id: int) -> str:
    return json.dumps({"update_id": update_id, "message": {
        "message_id": update_id, "date": 1_764_000_000,
        "chat": {"id": chat_id, "type": "private"},
        "from": {"id": chat_id, "is_bot": False, "first_name": "C"}, "text": f"m{update_id}"}})


class Worker:
    """One worker's pump on its own database connection and lock session."""

    def __init__(self, name: str, db: Database, session: WorkerSession, url: str,
                 handled: list[tuple[str, int, int]]) -> None:
        self.store = InboxStore(db)
        self.db = db
        self.session = session
        self.cache = CitizenCache()  # this worker's; a chat's citizen has the chat's id here

        async def handle(update: Update) -> None:
            for _ in range(random.randint(0, 3)):  # other chats' passes get a turn
                await asyncio.sleep(0)
            assert update.effective_chat is not None
            handled.append((name, update.effective_chat.id, update.update_id))

        self.pump = ChatPump(name, self.store, session, lambda: WorkerSession.open(url), BOT,
                             handle, db.flush, self.forget, FakeClock())

    def forget(self, chat_id: int | None) -> None:
        if chat_id is not None:
            self.cache.forget_citizen(chat_id)

    async def intake(self, update_id: int, chat_id: int) -> None:
        await self.store.add([(update_id, chat_id, body(update_id, chat_id))],
                             FakeClock().now())
        self.pump.offer(chat_id)


@pytest.fixture
async def two(tmp_path: Path) -> AsyncIterator[tuple[Worker, Worker, list[tuple[str, int, int]]]]:
    path = tmp_path / "bot.db"
    url = url_for(path)
    handled: list[tuple[str, int, int]] = []
    dbs = [await Database.open(path), await Database.open(path)]
    sessions = [await WorkerSession.open(url), await WorkerSession.open(url)]
    workers = (Worker("a", dbs[0], sessions[0], url, handled),
               Worker("b", dbs[1], sessions[1], url, handled))
    try:
        yield workers[0], workers[1], handled
    finally:
        for w in workers:
            await w.pump.close()
            await w.session.close()
            await w.db.close()


@POSTGRES
async def test_two_pumps_handle_each_update_once_and_each_chat_in_order(
        two: tuple[Worker, Worker, list[tuple[str, int, int]]]) -> None:
    a, b, handled = two
    random.seed(14)
    half = UPDATES // 2
    # Kept before either worker looked (e.g. at a restart of both): both go for every chat.
    await a.store.add([(u, 100 + u % CHATS, body(u, 100 + u % CHATS))
                       for u in range(1, half + 1)], FakeClock().now())
    for chat in range(100, 100 + CHATS):
        a.pump.offer(chat)
        b.pump.offer(chat)
    for update_id in range(half + 1, UPDATES + 1):  # then each chat's alternate between them
        chat = 100 + update_id % CHATS
        await (a if (update_id // CHATS) % 2 else b).intake(update_id, chat)
        if update_id % CHATS == 0:  # a round of all chats, then the next: some find it idle
            while a.pump.active_chats or b.pump.active_chats:
                await a.pump.settled()
                await b.pump.settled()
    while a.pump.active_chats or b.pump.active_chats:
        await a.pump.settled()
        await b.pump.settled()
    assert sorted(u for _w, _c, u in handled) == list(range(1, UPDATES + 1)), "each once"
    for chat in range(100, 100 + CHATS):
        ids = [u for _w, c, u in handled if c == chat]
        assert ids == sorted(ids), f"chat {chat} out of order: {ids}"
    assert {w for w, _c, _u in handled} == {"a", "b"}, "both workers took chats"
    assert not await a.store.pending_chats()


@POSTGRES
async def test_a_worker_forgets_a_chat_s_citizen_only_when_another_handled_the_chat_since(
        two: tuple[Worker, Worker, list[tuple[str, int, int]]]) -> None:
    a, b, handled = two
    seen: Part[str] = Part("seen")
    chat = 600

    async def step(worker: Worker, update_id: int) -> list[bool]:
        """Both caches hold the citizen; the worker takes the chat's next update; who still
        holds it afterwards."""
        for w in (a, b):
            w.cache.put(seen, chat, "cached")
        await worker.intake(update_id, chat)
        await worker.pump.settled()
        return [w.cache.get(seen, chat) == "cached" for w in (a, b)]

    assert await step(a, 1) == [False, True], "a never handled the chat: it forgets"
    assert await step(a, 2) == [True, True], "a handled it last: its cache is good"
    assert await step(b, 3) == [True, False], "b takes over: b forgets"
    assert await step(a, 4) == [False, True], "b handled it since a did: a forgets"
    # An update b took but never finished (b died mid-way): whoever takes it forgets.
    assert await b.session.try_lock(lock_name(chat))
    await b.store.add([(5, chat, body(5, chat))], FakeClock().now())
    await b.session.take(chat, "b")
    await b.session.unlock(lock_name(chat))
    assert await step(a, 6) == [False, True]
    assert [u for _w, _c, u in handled] == [1, 2, 3, 4, 5, 6]


@POSTGRES
async def test_a_chat_held_by_a_worker_that_died_is_taken_over(
        two: tuple[Worker, Worker, list[tuple[str, int, int]]], tmp_path: Path) -> None:
    a, b, handled = two
    assert await a.session.try_lock(lock_name(500))  # a is in the middle of chat 500
    await a.store.add([(1, 500, body(1, 500)), (2, 500, body(2, 500))], FakeClock().now())
    b.pump.offer(500)
    await b.pump.settled()
    assert handled == [], "a holds the chat: b leaves it"
    assert await b.store.pending_chats() == {500}
    await a.session.close()  # a's process ends: the server lets its locks go
    for chat in await b.store.pending_chats():  # what watch_orphans does each second
        b.pump.offer(chat)
    await b.pump.settled()
    assert handled == [("b", 500, 1), ("b", 500, 2)]
    a.session = await WorkerSession.open(url_for(tmp_path / "bot.db"))  # for the fixture


async def test_a_claimed_timer_fires_in_one_worker_only_and_again_when_its_claim_runs_out(
        tmp_path: Path) -> None:
    path = tmp_path / "bot.db"
    clock = FakeClock()
    first, second = await Database.open(path), await Database.open(path)
    try:
        fired: list[str] = []

        def scheduler(db: Database, name: str) -> Scheduler:
            async def handler(timer: Timer) -> Next | None:
                fired.append(name)
                return None

            s = Scheduler(TimerStore(db), clock)
            s.claims = True
            s.handle("ping", handler)
            return s

        one, other = scheduler(first, "one"), scheduler(second, "other")
        await one.set("ping:1", "ping", None, clock.now())
        await first.flush()
        assert sorted(await asyncio.gather(one.fire_due(), other.fire_due())) == [0, 1]
        await first.flush()
        await second.flush()
        assert len(fired) == 1 and await one.get("ping:1") is None

        # A worker that claimed a timer and died before firing it: the claim runs out.
        await one.set("ping:2", "ping", None, clock.now())
        await first.flush()
        assert [t.key for t in await TimerStore(first).claim_due(
            clock.now(), clock.now() + timedelta(minutes=2))] == ["ping:2"]
        assert await other.fire_due() == 0, "claimed by the dead worker"
        clock.advance(minutes=2)
        assert await other.fire_due() == 1
        assert fired[-1] == "other"
    finally:
        await first.close()
        await second.close()


@POSTGRES
async def test_what_one_worker_or_the_cli_changes_the_other_workers_forget(
        tmp_path: Path) -> None:
    path = tmp_path / "bot.db"
    url = url_for(path)
    part: Part[str] = Part("test")
    writer_db, cli_db = await Database.open(path), await Database.open(path)
    mine, theirs = AnnouncingCache(), CitizenCache()
    changes = ChangeStore(writer_db)
    mine.announce_with(lambda citizen_id: changes.announce("me", citizen_id))
    wakes = SharedWake(lambda: asyncio.sleep(0)), SharedWake(lambda: asyncio.sleep(0))
    listeners = (ChangeListener(url, "me", mine, wakes[0]),
                 ChangeListener(url, "them", theirs, wakes[1]))
    tasks = [asyncio.create_task(listener.run()) for listener in listeners]
    try:
        for listener in listeners:
            await asyncio.wait_for(listener.listening.wait(), HEARD_WITHIN)
        for cache in (mine, theirs):
            cache.put(part, 1, "old")
            cache.put(part, 2, "old")
        mine.put(part, 1, "new")  # this worker's change: announced with its write
        await writer_db.flush()
        ChangeNotes.of(cli_db, FakeClock()).put(part, 2, "cli")  # the CLI's note
        await cli_db.flush()
        async with asyncio.timeout(HEARD_WITHIN):
            while theirs.get(part, 1) is not MISSING or mine.get(part, 2) is not MISSING:  # noqa: ASYNC110 (the server notifies)
                await asyncio.sleep(0.01)
        assert theirs.get(part, 2) is MISSING, "the CLI's change, heard by every worker"
        assert mine.get(part, 1) == "new", "a worker's own announcement leaves its cache be"
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await writer_db.close()
        await cli_db.close()


def test_only_workers_on_postgresql_share_the_webhook_port() -> None:
    """On SQLite a second bot on the port fails to start instead of sharing the one file."""
    first = listening_socket(0, shared=False)
    first.listen()  # as the server does once it serves
    port = first.getsockname()[1]
    try:
        with pytest.raises(OSError):
            listening_socket(port, shared=False).close()
    finally:
        first.close()
    sockets = [listening_socket(0, shared=True)]
    try:
        sockets[0].listen()
        sockets.append(listening_socket(sockets[0].getsockname()[1], shared=True))
        sockets[1].listen()
        assert sockets[1].getsockname() == sockets[0].getsockname()
    finally:
        for sock in sockets:
            sock.close()


async def test_a_wake_during_a_notice_in_flight_sends_one_more_notice() -> None:
    """The notice on its way may reach the leader before the row of a later wake-up is
    committed: that wake-up is passed on after it (once, however many came meanwhile)."""
    told: list[int] = []
    on_its_way = asyncio.Event()

    async def announce() -> None:
        told.append(len(told))
        await on_its_way.wait()

    wake = SharedWake(announce)
    wake.set()
    await asyncio.sleep(0)  # the first notice is on its way
    wake.set()
    wake.set()
    on_its_way.set()
    for _ in range(20):  # the loop's turns (no timer): the notices in flight finish
        await asyncio.sleep(0)
    assert told == [0, 1] and wake.is_set()
    wake.set()  # none in flight now: a notice of its own
    for _ in range(20):
        await asyncio.sleep(0)
    assert told == [0, 1, 2]
    await wake.close()
